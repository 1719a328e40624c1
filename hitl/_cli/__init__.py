"""
The `hitl` command line (`pip install "hitl[cli]"`) and `hitl mcp`, the MCP server (`hitl[mcp]`).

Nothing in `hitl`, `hitl_sync` or `hitl_async` imports this package: the command's parser and the MCP server
load only when the command runs.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """The `hitl` console script: run the command line and return its exit code."""
    from hitl._cli._app import main as run

    return run(argv)
