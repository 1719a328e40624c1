"""Tests for per-key rate limits and the `X-RateLimit-*` headers."""

from __future__ import annotations

import httpx
import pytest

from hitl_emulator import EmulatorConfig
from tests.emulator._support import error_of


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


CLOCK = FakeClock(1_700_000_010.0)
WINDOW_END = (int(CLOCK.now) // 60 + 1) * 60


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    """Three requests per minute per key, two read-write keys, and a clock the test controls."""
    CLOCK.now = 1_700_000_010.0
    return EmulatorConfig(api_keys=("hitl_dev_key", "other_key"), rate_limit_per_minute=3, clock=CLOCK)


@pytest.mark.asyncio
async def test_headers_count_down_and_429_carries_retry_after(client: httpx.AsyncClient) -> None:
    """Limit, remaining and reset on each answer; past the limit, 429 with `Retry-After` until the reset."""
    remaining = []
    for _ in range(3):
        response = await client.get("/v1/reviews")
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Reset"] == str(WINDOW_END)
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    refused = await client.post("/v1/templates", json={})
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "rate_limit_exceeded"
    assert refused.headers["Retry-After"] == str(WINDOW_END - int(CLOCK.now))
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    other = await client.get("/v1/reviews", headers={"Authorization": "Bearer other_key"})
    assert (other.status_code, other.headers["X-RateLimit-Remaining"]) == (200, "2")
    CLOCK.now = WINDOW_END + 0.5
    again = await client.get("/v1/reviews")
    assert (again.status_code, again.headers["X-RateLimit-Remaining"]) == (200, "2")
    assert again.headers["X-RateLimit-Reset"] == str(WINDOW_END + 60)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/v1/reviews", None, 200),
        ("POST", "/v1/reviews", b"{", 400),
        ("GET", "/v1/reviews/rev_nope", None, 404),
        ("GET", "/v1/nowhere", None, 404),
        ("PUT", "/v1/reviews", None, 405),
        ("DELETE", "/v1/teams", None, 405),
    ],
)
@pytest.mark.asyncio
async def test_headers_are_on_every_answer(
    client: httpx.AsyncClient, method: str, path: str, body: bytes | None, status: int
) -> None:
    """Successes, validation errors, unknown ids, unknown routes and wrong methods all carry the headers."""
    response = await client.request(method, path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    if status >= 400:
        assert error_of(response)["code"]
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(response.headers)


@pytest.mark.asyncio
async def test_limit_can_change_at_runtime(client: httpx.AsyncClient) -> None:
    """The control API changes the limit; the next answer reports it."""
    changed = await client.patch("/_emulator/config", json={"rate_limit_per_minute": 50})
    assert changed.json()["data"]["rate_limit_per_minute"] == 50
    response = await client.get("/v1/reviews")
    assert (response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"]) == ("50", "49")
