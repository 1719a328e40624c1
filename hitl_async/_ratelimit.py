"""
The client-side rate limiter: slows a client down before the server answers 429, not after.

Every response carries `X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix seconds). The limiter keeps the
latest of them, counts the requests sent since that are still unanswered, and holds a request back until the
window resets when the window has nothing left for it. One limiter serves every call of one client, so a
batch, many waiters and single calls share the key's budget instead of racing for it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Awaitable, Callable

import httpx

from hitl_async._backend import sleep as backend_sleep

__all__ = ["AsyncRateLimiter"]

#: Seconds past the announced reset before sending again: the server's window must have turned over.
_RESET_MARGIN = 0.05


class AsyncRateLimiter:
    """
    Holds requests back while the rate-limit window has no room left for them.

    Args:
        max_wait: Longest hold before a request; a longer one is not waited out: the request goes, and the
            server's answer (a 429 with `Retry-After`) decides, as it would without a limiter.
        clock: Wall clock in unix seconds, the scale of `X-RateLimit-Reset`.
        sleep: How to wait; the backend's sleep by default.
    """

    def __init__(
        self,
        *,
        max_wait: float = 60.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = backend_sleep if sleep is None else sleep
        # A plain lock, held only between two statements that never wait: it serves tasks and threads alike.
        self._lock = threading.Lock()
        self._limit: int | None = None
        self._remaining: int | None = None  # the server's latest count for the current window
        self._reset: float | None = None  # when the current window ends, or None when unknown
        # Requests let through and not answered yet, which the server's count may not show yet: those of the
        # current window, and those let through before it turned over, which may land in it. A request that
        # never gets an answer (a dropped connection) is forgotten after two turnovers.
        self._pending = 0
        self._pending_before = 0
        self._ended: float | None = None  # the end of the last window that turned over

    async def before_send(self) -> None:
        """Return when a request may go: at once while the window has room, else after it resets."""
        while True:
            with self._lock:
                wait = self._admit()
            if wait is None:
                return
            await self._sleep(wait)

    def observe(self, response: httpx.Response) -> None:
        """Take the rate-limit headers of `response` (any status) into account."""
        limit, remaining, reset = _standing(response.headers)
        with self._lock:
            if self._pending_before:
                self._pending_before -= 1
            elif self._pending:
                self._pending -= 1
            if remaining is None or reset is None:
                return
            if self._ended is not None and reset <= self._ended:
                return  # a late answer from a window that is over
            if limit is not None:
                self._limit = limit
            if self._reset is None or reset > self._reset:
                # A newer window: its count replaces ours.
                self._reset = reset
                self._remaining = remaining
            elif reset == self._reset and self._remaining is not None:
                # Answers of one window arrive out of order: the lowest count is the latest.
                self._remaining = min(self._remaining, remaining)

    def _admit(self) -> float | None:
        """Let one request through (None), or say how long to wait first. Called under the lock."""
        now = self._clock()
        if self._reset is not None and now >= self._reset + _RESET_MARGIN:
            # The window turned over: a full one starts, whose end the next answer will tell.
            self._ended, self._reset = self._reset, None
            self._remaining = self._limit
            self._pending_before, self._pending = self._pending, 0
        in_flight = self._pending + self._pending_before
        if self._remaining is not None and self._remaining - in_flight <= 0 and self._reset is not None:
            wait = self._reset + _RESET_MARGIN - now
            if wait <= self._max_wait:
                return wait
        self._pending += 1
        return None


_LIMIT = b"x-ratelimit-limit"
_REMAINING = b"x-ratelimit-remaining"
_RESET = b"x-ratelimit-reset"
_NAMES = frozenset({_LIMIT, _REMAINING, _RESET})


def _standing(headers: httpx.Headers) -> tuple[int | None, int | None, float | None]:
    """
    The limit, the remaining count and the reset (unix seconds) that `headers` announce; `None` for each that
    is missing or garbled, as `RateLimit.from_headers` reads them.

    Every response goes through here, so it reads the raw headers in one pass, where three `headers.get()`
    and the datetime of `RateLimit` cost four times as much.
    """
    found: dict[bytes, bytes] = {}
    for name, value in headers.raw:
        name = name.lower()
        if name in _NAMES:
            # Sent twice, it is garbled, as `headers.get()` joining the two with a comma makes it.
            found[name] = b"" if name in found else value
    if not found:
        return None, None, None
    return _count(found.get(_LIMIT)), _count(found.get(_REMAINING)), _seconds(found.get(_RESET))


def _count(value: bytes | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def _seconds(value: bytes | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
        # What `RateLimit.from_headers` cannot turn into a datetime reads as missing there, and so here.
        dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return seconds
