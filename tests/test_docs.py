"""
Every ```python block of README.md and docs/*.md runs, against the emulator, so the docs cannot drift.

Conventions for writers (also in docs/architecture.md, "Tests"); markers are HTML comments, which GitHub and
PyPI do not show:

- A block runs in a fresh namespace, with `HITL_BASE_URL` and `HITL_API_KEY` pointing at a loopback emulator
  that completes each review 0.2 s after it is created. A block with top-level `await` runs in its own
  event loop (`asyncio.run`); clients left open in the namespace are closed afterwards.
- `<!-- docs-test: setup` + code + `-->` is hidden code run before each following block of the same file,
  until the next setup replaces it: what a fragment assumes (a client named `hitl`, a `review_id`, ...).
  Setup code is blocking. Three names are there for it: `new_review()` creates a template and a review on the
  emulator and returns the `Review`; `emulator` is the emulator itself (its controls); `redis_url()` starts
  (once) a real redis-server on a free loopback port, empties it and returns its URL. The webhook secret
  is in `HITL_WEBHOOK_SECRET`.
- `<!-- docs-test: check` + code + `-->` right after a block runs in the block's namespace once the block has
  run: use it to drive a receiver the block defined, and assert what the reader is promised.
- `<!-- docs-test: skip REASON -->` right before a block leaves it out, with the reason shown by pytest.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import os
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hitl import Review
from hitl_async import AsyncHITL
from hitl_emulator import EmulatorConfig, EmulatorServer
from hitl_sync import HITL
from tests.redis_support import fresh_redis, redis_url

__all__ = ["fresh_redis", "redis_url"]  # the fixtures, imported for pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The web frameworks of the receiver examples, and the optional extras' packages (tests/conftest.py,
# TOOL_TESTS), cannot install beside hitl's lowest dependencies. redis-py can (requirements/test-base.txt):
# the Redis blocks run in every job.
OPTIONAL = frozenset({"fastapi", "flask", "django", "langgraph", "agents", "pydantic_ai", "pydantic", "mcp"})

FIELDS = [{"name": "approved", "type": "boolean", "label": "Approve", "required": True}]
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\S*)\n(?P<body>.*?)^(?P=indent)```\n", re.M | re.S)
MARKER = re.compile(r"<!-- docs-test: (?P<kind>setup|check|skip)\b(?P<text>.*?)-->", re.S)


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    source: str
    setup: str
    check: str
    skip: str | None


def blocks_of(page: Path) -> Iterator[Block]:
    text = page.read_text()
    setup, end = "", 0
    fences = list(FENCE.finditer(text))
    for index, fence in enumerate(fences):
        before = text[end : fence.start()]
        for marker in MARKER.finditer(before):
            if marker["kind"] == "setup":
                setup = textwrap.dedent(marker["text"]).strip() + "\n"
        end = fence.end()
        if fence["lang"] != "python":
            continue
        skip = re.search(r"<!-- docs-test: skip (?P<reason>.+?) -->\s*\Z", before, re.S)
        following = text[end : fences[index + 1].start() if index + 1 < len(fences) else len(text)]
        check = re.match(r"\s*<!-- docs-test: check(?P<text>.*?)-->", following, re.S)
        yield Block(
            page=page.relative_to(ROOT).as_posix(),
            line=text.count("\n", 0, fence.start()) + 1,
            source=textwrap.dedent(fence["body"]),
            setup=setup,
            check=textwrap.dedent(check["text"]) if check else "",
            skip=skip["reason"] if skip else None,
        )


BLOCKS = [block for page in PAGES for block in blocks_of(page)]


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    """Reviews decide themselves shortly after creation, so `reviews.wait` in the docs returns."""
    return EmulatorConfig(auto_complete=0.2, webhook_retry_delays=(0.05,), webhook_timeout=2.0)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{block.page}:{block.line}" for block in BLOCKS])
def test_code_block_runs(
    block: Block,
    hitl_emulator_server: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """The block runs to the end without an exception, after its page's setup and before its check."""
    if block.skip is not None:
        pytest.skip(block.skip)
    monkeypatch.setenv("HITL_BASE_URL", hitl_emulator_server.url)
    monkeypatch.setenv("HITL_API_KEY", hitl_emulator_server.api_key)
    monkeypatch.setenv("HITL_WEBHOOK_SECRET", "whsec_docs")
    monkeypatch.chdir(tmp_path)

    def new_review() -> Review:
        with HITL() as client:
            template = client.templates.create(name="Docs", fields=FIELDS)
            return client.reviews.create(template_id=template.id, content={"text": "Checked by the docs"})

    def docs_redis_url() -> str:
        url: str = request.getfixturevalue("fresh_redis")  # started on first use: most blocks need none
        return url

    namespace: dict[str, Any] = {
        "__name__": "__docs__",
        "emulator": hitl_emulator_server.emulator,
        "new_review": new_review,
        "redis_url": docs_redis_url,
    }
    name = f"{block.page}:{block.line}"
    clients = record_clients(monkeypatch)
    handlers, level = logging.root.handlers[:], logging.getLogger("hitl").level
    try:
        for part, source in (("setup", block.setup), ("block", block.source), ("check", block.check)):
            run(source, f"<{name} {part}>", namespace, clients)
    except ImportError as error:
        package = missing_package(error)
        if package in OPTIONAL and os.environ.get("HITL_TESTS") == "minimums":
            pytest.skip(f"{package} is not installed beside hitl's lowest dependencies")
        raise
    finally:
        close_clients(clients)
        logging.root.handlers[:] = handlers  # a block may configure logging: keep it to the block
        logging.getLogger("hitl").setLevel(level)


def missing_package(error: BaseException | None) -> str | None:
    """The top-level package whose absence raised `error`, itself or as its cause (hitl.integrations)."""
    while error is not None:
        if isinstance(error, ModuleNotFoundError) and error.name:
            return error.name.partition(".")[0]
        error = error.__cause__
    return None


def record_clients(monkeypatch: pytest.MonkeyPatch) -> list[HITL | AsyncHITL]:
    """Every client a block makes, to close it afterwards, even one whose name the block reused."""
    clients: list[HITL | AsyncHITL] = []
    for cls in (HITL, AsyncHITL):
        init = cls.__init__

        def recording_init(self: Any, *args: Any, __init: Any = init, **kwargs: Any) -> None:
            __init(self, *args, **kwargs)
            clients.append(self)

        monkeypatch.setattr(cls, "__init__", recording_init)
    return clients


def run(source: str, filename: str, namespace: dict[str, Any], clients: list[HITL | AsyncHITL]) -> None:
    # dont_inherit: a block runs as the user's module would, without this file's `from __future__` imports.
    code = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    if not code.co_flags & inspect.CO_COROUTINE:
        exec(code, namespace)
        return

    async def main() -> None:
        try:
            await eval(code, namespace)
        finally:
            # Async clients are closed in the loop that used them.
            while any(isinstance(client, AsyncHITL) for client in clients):
                client = next(client for client in clients if isinstance(client, AsyncHITL))
                clients.remove(client)
                await client.aclose()

    asyncio.run(main())


def close_clients(clients: list[HITL | AsyncHITL]) -> None:
    for client in clients:
        if isinstance(client, HITL):
            client.close()
        else:
            asyncio.run(client.aclose())


def test_the_docs_have_code_blocks() -> None:
    """The collector finds the blocks (a changed fence style would otherwise silently test nothing)."""
    assert len(BLOCKS) >= 30
    assert {block.page for block in BLOCKS} >= {"README.md", "docs/client.md", "docs/webhooks.md"}
    assert all(block.skip for block in BLOCKS if block.skip is not None)
