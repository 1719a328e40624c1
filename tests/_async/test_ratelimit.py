"""Tests for the client-side rate limiter, on a clock that moves only when it sleeps."""

from __future__ import annotations

import httpx
import pytest

from hitl_async._ratelimit import AsyncRateLimiter
from tests.helpers import ok, review

from ._support import FakeClock, make_client

pytestmark = pytest.mark.anyio

NOW = 1_700_000_000.0


def answer(remaining: int, reset: float, limit: int = 10) -> httpx.Response:
    return httpx.Response(
        200,
        headers={
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(reset)),
        },
    )


def limiter(clock: FakeClock, max_wait: float = 60.0) -> AsyncRateLimiter:
    clock.now = NOW
    return AsyncRateLimiter(max_wait=max_wait, clock=clock.monotonic, sleep=clock.sleep)


async def test_requests_go_at_once_while_the_window_has_room() -> None:
    """With nothing known, or room left, `before_send` does not wait."""
    clock = FakeClock()
    rate = limiter(clock)
    await rate.before_send()
    rate.observe(answer(remaining=5, reset=NOW + 30))
    for _ in range(5):
        await rate.before_send()
    assert clock.sleeps == []


async def test_an_empty_window_is_waited_out_before_the_server_says_429() -> None:
    """Remaining 0 holds the next request until the announced reset."""
    clock = FakeClock()
    rate = limiter(clock)
    await rate.before_send()
    rate.observe(answer(remaining=0, reset=NOW + 30))
    await rate.before_send()
    assert clock.sleeps == [pytest.approx(30.05)]


async def test_requests_in_flight_count_against_the_window() -> None:
    """Requests sent but not answered use the room the last count showed."""
    clock = FakeClock()
    rate = limiter(clock)
    await rate.before_send()
    rate.observe(answer(remaining=3, reset=NOW + 20))
    for _ in range(3):
        await rate.before_send()  # three in flight: the window is full
    assert clock.sleeps == []
    await rate.before_send()
    assert clock.sleeps == [pytest.approx(20.05)]


async def test_a_late_answer_from_an_earlier_window_does_not_count() -> None:
    """After the window turns over, an answer that still carries the old reset leaves the new window full."""
    clock = FakeClock()
    rate = limiter(clock)
    await rate.before_send()
    await rate.before_send()
    rate.observe(answer(remaining=0, reset=NOW + 10, limit=2))
    await rate.before_send()  # waits out the window
    rate.observe(answer(remaining=0, reset=NOW + 10, limit=2))  # the second request's late answer
    await rate.before_send()
    assert clock.sleeps == [pytest.approx(10.05)]


async def test_a_wait_longer_than_max_wait_is_left_to_the_server() -> None:
    """The limiter never holds a request longer than `max_wait`: the server's 429 decides instead."""
    clock = FakeClock()
    rate = limiter(clock, max_wait=5.0)
    await rate.before_send()
    rate.observe(answer(remaining=0, reset=NOW + 30))
    await rate.before_send()
    assert clock.sleeps == []


async def test_the_client_feeds_its_limiter_from_every_response() -> None:
    """The pipeline asks the limiter before each send and shows it each answer, errors included."""
    clock = FakeClock()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        response = ok(review())
        response.headers["X-RateLimit-Remaining"] = "0"
        response.headers["X-RateLimit-Reset"] = str(int(NOW + 40))
        return response

    client = make_client(handler)
    client._limiter = limiter(clock)
    await client.reviews.get("rev_1")
    await client.reviews.get("rev_2")
    assert calls == ["/v1/reviews/rev_1", "/v1/reviews/rev_2"]
    assert clock.sleeps == [pytest.approx(40.05)]
