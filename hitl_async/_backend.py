"""
The async half of the I/O primitives that no token rename can turn into blocking code.

`hitl_sync/_backend.py` is its hand-written twin with the same names; the unasync step skips both files.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from types import TracebackType

__all__ = ["Lock", "cancel_after", "monotonic", "sleep"]

#: A clock for deadlines; the same in both halves, exported here so callers import one module.
monotonic = time.monotonic


async def sleep(seconds: float) -> None:
    """Sleep without blocking the event loop (asyncio or trio)."""
    import anyio  # on first use: most calls never sleep, and importing anyio costs every program

    await anyio.sleep(seconds)


def cancel_after(seconds: float | None) -> AbstractContextManager[object]:
    """
    Cut the block short after `seconds` (`None`: never), wherever it is waiting; the block then raises
    `TimeoutError`. A request cancelled this way is closed by httpx, so nothing is left behind.
    """
    import anyio

    return anyio.fail_after(seconds)


class Lock:
    """A mutex for tasks of one event loop."""

    def __init__(self) -> None:
        import anyio

        self._lock = anyio.Lock()

    async def __aenter__(self) -> None:
        await self._lock.acquire()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._lock.release()
