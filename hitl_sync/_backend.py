"""
The blocking half of the I/O primitives that no token rename can derive from async code.

Hand-written twin of `hitl_async/_backend.py` with the same names; the unasync step skips both files.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

__all__ = ["Lock", "monotonic", "sleep"]

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
