"""
The blocking half of the I/O primitives that no token rename can derive from async code.

Hand-written twin of `hitl_async/_backend.py` with the same names; the unasync step skips both files.
"""

from __future__ import annotations

import contextlib
import threading
import time
from contextlib import AbstractContextManager
from types import TracebackType

__all__ = ["Lock", "cancel_after", "monotonic", "sleep"]

#: A clock for deadlines; the same in both halves, exported here so callers import one module.
monotonic = time.monotonic


def sleep(seconds: float) -> None:
    """Block the calling thread."""
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
