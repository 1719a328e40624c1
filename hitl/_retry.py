"""
When to retry a request, and how long to wait first. Pure policy: the waiting itself is I/O and lives in the
clients.
"""

from __future__ import annotations

import email.utils
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

    Retried: connection errors, timeouts, and the statuses in `retry_statuses`. Every POST carries one
    `Idempotency-Key` for all its attempts, so a retried create never creates twice.

    The n-th retry waits `min(initial_delay * 2**n, max_delay)`, shortened by a random share of up to `jitter`
    so that many clients do not retry in step. When the server says how long to wait (`Retry-After`, or
    `X-RateLimit-Reset` on a 429), that wait is used instead, up to `max_server_wait`; a longer one is not
    slept through: the error is raised at once (for 429 a `RateLimitError` saying when to try again).

    Args:
        max_retries: Retries after the first attempt; 0 turns retrying off.
        initial_delay: Seconds before the first retry.
        max_delay: Longest computed backoff, in seconds.
        jitter: Share of each backoff that is random, from 0 (none) to 1.
        max_server_wait: Longest server-requested wait the client will sleep, in seconds.
        retry_statuses: HTTP statuses that are retried.
    """

    max_retries: int = attrs.field(default=2, validator=attrs.validators.ge(0))
    initial_delay: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    max_delay: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    jitter: float = attrs.field(default=0.25, validator=[attrs.validators.ge(0), attrs.validators.le(1)])
    max_server_wait: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    retry_statuses: frozenset[int] = _RETRYABLE_STATUSES

    def backoff(self, retries_taken: int, random_unit: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number `retries_taken + 1`, when the server did not say."""
        delay = min(self.initial_delay * 2.0**retries_taken, self.max_delay)
        return delay * (1.0 - self.jitter * random_unit())

    def should_retry_status(self, status_code: int) -> bool:
        return status_code in self.retry_statuses


def server_wait_seconds(headers: httpx.Headers, now: Callable[[], float] = time.time) -> float | None:
    """
    The wait a response asks for: `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset`
    (unix seconds) minus now. `None` when neither is present and readable.
    """
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        value = retry_after.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0.0, when.timestamp() - now())
    reset = headers.get("x-ratelimit-reset")
    if reset is not None:
        try:
            return max(0.0, float(reset.strip()) - now())
        except ValueError:
            return None
    return None
