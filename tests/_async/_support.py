"""What the client tests share: a client over a mock transport, and sleeps that take no time."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hitl_async import AsyncHITL
from tests.helpers import API_KEY, Handler


def make_client(handler: Handler, **options: Any) -> AsyncHITL:
    """A client whose requests go to `handler`; `options` are the client's constructor arguments."""
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return AsyncHITL(**{"api_key": API_KEY, "http_client": http_client, **options})


def record_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make the client's retry pauses instant; the returned list receives each pause, in seconds."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("hitl_async._client.sleep", fake_sleep)
    return slept


class FakeClock:
    """The clock and the pauses of `reviews.wait`: sleeping moves the time on at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Give `reviews.wait` a clock that moves only when it sleeps."""
    clock = FakeClock()
    monkeypatch.setattr("hitl_async._waiting.monotonic", clock.monotonic)
    monkeypatch.setattr("hitl_async._waiting.sleep", clock.sleep)
    return clock
