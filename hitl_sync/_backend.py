"""
The blocking half of the I/O primitives that no token rename can derive from async code.

Hand-written twin of `hitl_async/_backend.py` with the same names; the unasync step skips both files.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Generic, TypeVar

__all__ = ["FirstPageShortcut", "Lock", "monotonic", "sleep"]

T = TypeVar("T")

#: A clock for deadlines; the same in both halves, exported here so callers import one module.
monotonic = time.monotonic


def sleep(seconds: float) -> None:
    """Block the calling thread."""
    time.sleep(seconds)


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
