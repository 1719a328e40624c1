"""Runs every test of this directory under both asyncio and trio (the anyio pytest plugin)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import anyio
import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
def cancel_on_sleep(
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[int], contextlib.AbstractContextManager[anyio.CancelScope]]:
    """
    `with cancel_on_sleep(n) as scope:` cancels the block at the n-th pause of `reviews.wait`, the way a task
    is cancelled from outside (a timeout, a shutdown); the block then ends quietly with
    `scope.cancelled_caught` set. Twin of the blocking suite's fixture of the same name.
    """

    @contextlib.contextmanager
    def cancel(pause: int) -> Iterator[anyio.CancelScope]:
        with anyio.CancelScope() as scope:
            pauses = 0

            async def sleep(seconds: float) -> None:
                nonlocal pauses
                pauses += 1
                if pauses == pause:
                    scope.cancel()
                await anyio.sleep(0)  # a checkpoint, where the cancellation lands

            monkeypatch.setattr("hitl_async._waiting.sleep", sleep)
            yield scope

    return cancel
