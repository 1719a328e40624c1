"""
The blocking half of the I/O primitives that no token rename can derive from async code.

Hand-written twin of `hitl_async/_backend.py` with the same names; the unasync step skips both files.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Generic, TypeVar

from hitl._exceptions import BlockingInEventLoopError

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
    """
    Refuse to block a thread that runs an event loop: `what` would freeze every task of that loop until it
    returned (600 s, for a `reviews.wait()`), with no sign of why.

    Raises:
        BlockingInEventLoopError: An asyncio or trio event loop is running in this thread.
    """
    if _event_loop_running():
        raise BlockingInEventLoopError(what)


def _event_loop_running() -> bool:
    # Only a library already imported can be running a loop, so nothing is imported for this check.
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            return True
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
        else:
            return True
    return False


def is_event_loop_closed(error: RuntimeError) -> bool:
    """Never: blocking connections belong to no event loop."""
    return False


def sleep(seconds: float) -> None:
    """
    Block the calling thread.

    Not refused in a running event loop: a blocking call already blocks that loop for its request, and a call
    that failed only because it needed a retry would fail at random. The long blocking waits check up front.
    """
    time.sleep(seconds)


def cancel_after(seconds: float | None) -> AbstractContextManager[object]:
    """
    Nothing: a blocking read cannot be interrupted from the thread that waits on it. The client bounds a call
    instead by clipping each phase's timeout (connect, write, each read) to the time left and by checking the
    clock between chunks of the body, so a call ends within its timeout plus at most one read's wait. (The
    headers are read without such checks: a server trickling them byte by byte is bounded by each read's
    timeout only.)
    """
    return contextlib.nullcontext()


class Lock:
    """A mutex for threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._lock.release()


class FirstPageShortcut(Generic[T]):
    """
    Twin of the async paginator's `await` shortcut, which blocking code has no syntax for: a blocking
    paginator gives its first page through `first_page()` only.
    """


def run_workers(count: int, work: Callable[[], None]) -> None:
    """Run `count` copies of `work`, each in a thread of its own, and return when all have returned."""
    threads = [threading.Thread(target=work, name=f"hitl-worker-{n}", daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class Event:
    """A flag that threads can wait for, with a timeout; it is set once and never cleared."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        """Wait until the flag is set or `timeout` seconds pass; whether it is set."""
        return self._event.wait(timeout)
