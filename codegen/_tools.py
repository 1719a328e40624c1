"""
What makes the output reproducible: the pinned tools, checked before anything is generated, and a Python 3.11
syntax check of every generated file, so a formatter can never be what makes the output valid.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

__all__ = ["RUFF", "ToolError", "check_syntax", "check_tools", "installed_versions", "pinned_versions"]

# The ruff next to the interpreter that runs codegen: the virtualenv's, never one on PATH.
RUFF = Path(sys.executable).parent / "ruff"

# The tools whose version changes the output. Their pins are in requirements/dev.txt (`make install`).
_TOOLS = ("ruff", "openapi-python-client", "unasync", "tokenize-rt")


class ToolError(Exception):
    """codegen runs with other tools than it pins, or made code that is not valid Python 3.11."""


def pinned_versions(requirements: Path) -> dict[str, str]:
    """The `==` pins of the generator's tools in a requirements file (requirements/dev.txt)."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        name, exact, version = line.partition("#")[0].partition("==")
        if exact:
            pins[name.strip().lower()] = version.strip()
    missing = [tool for tool in _TOOLS if tool not in pins]
    if missing:
        raise ToolError(f"{requirements}: must pin {', '.join(missing)} with `==`")
    return {tool: pins[tool] for tool in _TOOLS}


def installed_versions() -> dict[str, str | None]:
    """The versions codegen would run with (the ruff executable it calls, the packages it imports)."""
    found: dict[str, str | None] = {}
    for tool in _TOOLS:
        if tool == "ruff":
            found[tool] = _ruff_version()
            continue
        try:
            found[tool] = importlib.metadata.version(tool)
        except importlib.metadata.PackageNotFoundError:
            found[tool] = None
    return found


def _ruff_version() -> str | None:
    try:
        completed = subprocess.run([str(RUFF), "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    match = re.fullmatch(r"ruff (\S+)\s*", completed.stdout)
    return match.group(1) if match else None


def check_tools(requirements: Path, found: dict[str, str | None] | None = None) -> None:
    """Refuse to run with a tool version other than the pinned one, saying which was found."""
    pinned = pinned_versions(requirements)
    found = installed_versions() if found is None else found
    wrong = [
        f"{tool}=={pinned[tool]} (found {found.get(tool) or 'none'})"
        for tool in _TOOLS
        if found.get(tool) != pinned[tool]
    ]
    if wrong:
        raise ToolError(
            f"codegen runs only with the tools pinned in {requirements.name}; "
            f"it needs {', '.join(wrong)} — run "
            "`make install` (or `pip install -r requirements/dev.txt`) in the virtualenv that runs codegen"
        )


def check_syntax(source: str, name: str) -> None:
    """Refuse `source` unless it compiles under the running Python (3.11, which codegen insists on)."""
    try:
        compile(source, name, "exec", dont_inherit=True)
    except SyntaxError as error:
        raise ToolError(
            f"{name}:{error.lineno}: generated code is not valid Python {sys.version_info[0]}."
            f"{sys.version_info[1]} ({error.msg}) — fix the template or renderer in codegen/"
        ) from None
