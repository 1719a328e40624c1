"""Tests for `hitl._retry`: the backoff arithmetic and reading the server's requested wait."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from hitl import RetryPolicy
from hitl._retry import server_wait_seconds

NOW = 1_700_000_000.0


def now() -> float:
    return NOW


def test_backoff_doubles_from_the_initial_delay_up_to_the_cap() -> None:
    """With no jitter the n-th retry waits initial_delay * 2**n, at most max_delay."""
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_jitter_adds_up_to_its_share_of_the_initial_delay() -> None:
    """Jitter 0.5 with a 2 s initial delay adds 0 to 1 s to the plain backoff, as the random draw says."""
    policy = RetryPolicy(initial_delay=2.0, jitter=0.5)
    assert policy.backoff(1, random_unit=lambda: 0.0) == 4.0
    assert policy.backoff(1, random_unit=lambda: 1.0) == 5.0
    assert policy.backoff(1, random_unit=lambda: 0.5) == 4.5


def test_default_policy() -> None:
    """Two retries, 1 s doubling to 8 s, up to 1 s of jitter, server waits up to 60 s; no 409 retries."""
    policy = RetryPolicy()
    assert (policy.max_retries, policy.initial_delay, policy.max_delay) == (2, 1.0, 8.0)
    assert (policy.jitter, policy.max_server_wait) == (1.0, 60.0)
    assert [s for s in range(400, 600) if policy.should_retry_status(s)] == [408, 429, 500, 502, 503, 504]


def test_default_backoff_is_the_api_references_schedule() -> None:
    """openapi.yaml advises `2 ** attempt + random(0, 1)` seconds; the default policy waits exactly that."""
    policy = RetryPolicy()
    for attempt in range(3):
        for draw in (0.0, 0.25, 0.999):
            assert policy.backoff(attempt, random_unit=lambda draw=draw: draw) == 2**attempt + draw


@pytest.mark.parametrize(
    "options", [{"max_retries": -1}, {"initial_delay": -0.1}, {"jitter": -0.5}, {"max_server_wait": -1}]
)
def test_invalid_policies_are_refused(options: dict[str, float]) -> None:
    """Negative counts, delays or jitter fail at construction."""
    with pytest.raises(ValueError):
        RetryPolicy(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": " 2.5 "}, 2.5),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "-5"}, 0.0),
        ({"Retry-After": email.utils.formatdate(NOW + 90, usegmt=True)}, 90.0),
        ({"Retry-After": email.utils.formatdate(NOW - 90, usegmt=True)}, 0.0),
        ({"Retry-After": "Tue, 14 Nov 2023 22:14:20 -0000"}, 60.0),
        ({"X-RateLimit-Reset": str(int(NOW) + 45)}, 45.0),
        ({"X-RateLimit-Reset": str(int(NOW) - 45)}, 0.0),
        ({"Retry-After": "4", "X-RateLimit-Reset": str(int(NOW) + 45)}, 4.0),
        ({"Retry-After": "soon", "X-RateLimit-Reset": str(int(NOW) + 45)}, 45.0),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "soon"}, None),
        ({"X-RateLimit-Reset": "tomorrow"}, None),
        ({}, None),
    ],
)
def test_server_wait_seconds(headers: dict[str, str], expected: float | None) -> None:
    """Retry-After (seconds or HTTP date) first, then X-RateLimit-Reset; unreadable values are ignored."""
    assert server_wait_seconds(httpx.Headers(headers), now=now) == expected


def test_rate_limit_reset_can_be_left_out() -> None:
    """With rate_limit_reset=False only Retry-After counts (as the client does for statuses but 429)."""
    headers = httpx.Headers({"X-RateLimit-Reset": str(int(NOW) + 45)})
    assert server_wait_seconds(headers, rate_limit_reset=False, now=now) is None
    headers = httpx.Headers({"X-RateLimit-Reset": str(int(NOW) + 45), "Retry-After": "2"})
    assert server_wait_seconds(headers, rate_limit_reset=False, now=now) == 2.0
