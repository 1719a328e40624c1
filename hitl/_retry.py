"""
When to retry a request, and how long to wait first. Pure policy: the waiting itself is I/O and lives in the
clients.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import random
import time
from collections.abc import Callable

import attrs
import httpx

__all__ = ["RetryPolicy", "server_wait_seconds"]

# 409 is left out on purpose: an idempotency conflict or a state conflict will not go away by retrying.
_RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@attrs.frozen
class RetryPolicy:
    """
    How a client retries failed requests.

    Retried: connection errors, timeouts, and the statuses in `retry_statuses`. Every write (POST, PATCH,
    DELETE) carries one `Idempotency-Key` for all its attempts, so a retried create never creates twice.

    The n-th retry (counting from 0) waits `min(initial_delay * 2**n, max_delay)` plus a random extra of up to
    `jitter * initial_delay`, so that many clients do not retry in step. The defaults give the API reference's
    schedule, `2 ** n + random(0, 1)` seconds: 1 to 2 s, then 2 to 3 s.

    When the server says how long to wait (`Retry-After`, or `X-RateLimit-Reset` on a 429), that wait is
    used instead, up to `max_server_wait`; a longer one is not slept through: the error is raised at once
    (for 429 a `RateLimitError` saying when to try again).

    Args:
        max_retries: Retries after the first attempt; 0 turns retrying off.
        initial_delay: Seconds before the first retry.
        max_delay: Longest computed backoff, in seconds.
        jitter: The random extra on each backoff, at most this share of `initial_delay` (0: none).
        max_server_wait: Longest server-requested wait the client will sleep, in seconds.
        retry_statuses: HTTP statuses that are retried.
    """

    max_retries: int = attrs.field(default=2, validator=attrs.validators.ge(0))
    initial_delay: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    max_delay: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    # A share of initial_delay rather than seconds, so that a fast policy (initial_delay=0.01) stays fast.
    jitter: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    max_server_wait: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    retry_statuses: frozenset[int] = _RETRYABLE_STATUSES

    def backoff(self, retries_taken: int, random_unit: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number `retries_taken + 1`, when the server did not say."""
        delay = min(self.initial_delay * 2.0**retries_taken, self.max_delay)
        return delay + self.jitter * self.initial_delay * random_unit()

    def should_retry_status(self, status_code: int) -> bool:
        return status_code in self.retry_statuses


def server_wait_seconds(
    headers: httpx.Headers, *, rate_limit_reset: bool = True, now: Callable[[], float] = time.time
) -> float | None:
    """
    The wait a response asks for, in seconds: `Retry-After` (seconds or an HTTP date), else, when
    `rate_limit_reset` is true, `X-RateLimit-Reset` (unix seconds) minus now. `None` when neither is present
    and readable.

    `X-RateLimit-Reset` is on every response and only says when the window resets, so the client reads it on a
    429 alone: on a 500 it would turn a short backoff into a wait for the next window.
    """
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        value = retry_after.strip()
        seconds: float | None
        try:
            seconds = float(value)
        except ValueError:
            seconds = _seconds_until_http_date(value, now)
        if seconds is not None and math.isfinite(seconds):
            return max(0.0, seconds)
    if rate_limit_reset:
        reset = headers.get("x-ratelimit-reset")
        if reset is not None:
            try:
                reset_at = float(reset.strip())
            except ValueError:
                return None
            if math.isfinite(reset_at):
                return max(0.0, reset_at - now())
    return None


def _seconds_until_http_date(value: str, now: Callable[[], float]) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC in RFC 5322 terms; HTTP dates are always GMT
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp() - now()
