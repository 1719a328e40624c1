"""
The async half of the I/O primitives that no token rename can turn into blocking code.

`hitl_sync/_backend.py` is its hand-written twin with the same names; the unasync step skips both files.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Coroutine, Generator
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from hitl._types import Page

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "Event",
    "FirstPageShortcut",
    "Lock",
    "cancel_after",
    "ensure_no_event_loop",
    "is_event_loop_closed",
    "monotonic",
    "run_workers",
    "sleep",
]

T = TypeVar("T")

#: A clock for deadlines; the same in both halves, exported here so callers import one module.
monotonic = time.monotonic


def ensure_no_event_loop(what: str) -> None:
    """Nothing to check: async code awaits instead of blocking its loop (the blocking twin does check)."""


def is_event_loop_closed(error: RuntimeError) -> bool:
    """Whether `error` is asyncio's, for a pooled connection whose event loop has closed."""
    return str(error) == "Event loop is closed"


async def sleep(seconds: float) -> None:
    """Sleep without blocking the event loop (asyncio or trio)."""
    import anyio  # on first use: most calls never sleep, and importing anyio costs every program

    await anyio.sleep(seconds)


def cancel_after(seconds: float | None) -> AbstractContextManager[object]:
    """
    Cut the block short after `seconds` (`None`: never), wherever it is waiting; the block then raises
    `TimeoutError`. A request cancelled this way is closed by httpx, so nothing is left behind.
    """
    if seconds is None:
        return contextlib.nullcontext()
    asyncio = sys.modules.get("asyncio")  # not imported: no asyncio task can be running
    if asyncio is not None:
        try:
            task = asyncio.current_task()
        except RuntimeError:  # no asyncio event loop in this thread: trio
            task = None
        if task is not None:
            return _TaskDeadline(task, seconds)
    import anyio

    return anyio.fail_after(seconds)


class _TaskDeadline:
    """
    The deadline of one call in an asyncio task: a timer cancels the task when `seconds` have passed, and the
    cancellation leaves the block as `TimeoutError`.

    Every call enters one, so it is the cheapest that works: `anyio.fail_after` first looks up the running
    library and the task's state (about 8 µs a call over a `MockTransport`), `asyncio.timeout` runs two
    coroutines to enter and leave (about 3 µs more than this). It counts cancellations the way both do
    (`Task.cancelling`/`uncancel`), so it nests inside and around their scopes: a cancellation that another
    scope asked for while this one was open is left for that scope.
    """

    __slots__ = ("_cancels_before", "_fired", "_seconds", "_task", "_timer")

    def __init__(self, task: asyncio.Task[Any], seconds: float) -> None:
        self._task = task
        self._seconds = seconds
        self._fired = False

    def __enter__(self) -> None:
        self._cancels_before = self._task.cancelling()
        loop = self._task.get_loop()
        self._timer = loop.call_at(loop.time() + self._seconds, self._fire)

    def _fire(self) -> None:
        self._fired = True
        self._task.cancel()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()
        if not self._fired:
            return
        # Ours to absorb only if nobody else asked to cancel the task meanwhile.
        ours = self._task.uncancel() <= self._cancels_before
        if ours and exc_type is not None and issubclass(exc_type, sys.modules["asyncio"].CancelledError):
            raise TimeoutError from exc


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


class _HasFirstPage(Protocol[T]):
    async def first_page(self) -> Page[T]: ...


class FirstPageShortcut(Generic[T]):
    """
    Mixed into the paginator: `await client.reviews.list(...)` is its first page, as `first_page()` is.

    `async for` and `pages()` do not await the paginator, so they keep walking every page.
    """

    def __await__(self: _HasFirstPage[T]) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()


async def run_workers(count: int, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `count` copies of `work` as tasks of one task group, and return when all have returned."""
    import anyio

    async with anyio.create_task_group() as group:
        for _ in range(count):
            group.start_soon(work)


class Event:
    """A flag that tasks of one event loop can wait for, with a timeout; it is set once and never cleared."""

    def __init__(self) -> None:
        import anyio

        self._event = anyio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> bool:
        """Wait until the flag is set or `timeout` seconds pass; whether it is set."""
        import anyio

        with anyio.move_on_after(timeout):
            await self._event.wait()
        return self._event.is_set()
