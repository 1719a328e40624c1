"""Per-key rate limits in fixed one-minute windows, reported through the `X-RateLimit-*` headers."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

__all__ = ["RateLimiter", "RateLimitStatus"]

_WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class RateLimitStatus:
    """One key's standing after a request: what the three headers say, and whether it was let through."""

    limit: int
    remaining: int
    reset: int
    allowed: bool
    retry_after: int

    def headers(self) -> dict[str, str]:
        """`X-RateLimit-Limit`, `-Remaining` and `-Reset` (unix seconds), plus `Retry-After` when refused."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    """
    Counts requests per key in windows aligned to the clock minute.

    Fixed windows make `X-RateLimit-Reset` a single moment a client can sleep until, which is what the
    reference's example header (a unix timestamp) implies.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._windows.clear()

    def hit(self, key: str, *, limit: int, now: float) -> RateLimitStatus:
        """Count one request for `key`, unless the window is already used up."""
        return self._check(key, limit=limit, now=now, consume=True)

    def peek(self, key: str, *, limit: int, now: float) -> RateLimitStatus:
        """Report `key`'s standing without counting a request (for answers to unauthenticated calls)."""
        return self._check(key, limit=limit, now=now, consume=False)

    def _check(self, key: str, *, limit: int, now: float, consume: bool) -> RateLimitStatus:
        window = int(now // _WINDOW_SECONDS) * _WINDOW_SECONDS
        reset = window + _WINDOW_SECONDS
        with self._lock:
            start, used = self._windows.get(key, (window, 0))
            if start != window:
                used = 0
            allowed = used < limit
            if allowed and consume:
                used += 1
                self._windows[key] = (window, used)
        return RateLimitStatus(
            limit=limit,
            remaining=max(0, limit - used),
            reset=reset,
            allowed=allowed,
            retry_after=max(1, math.ceil(reset - now)),
        )
