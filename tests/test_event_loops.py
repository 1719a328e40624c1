"""
How the clients meet event loops: the blocking client refuses to freeze a running loop, and an async client
used after its loop closed says so.

These cannot live in tests/_async: each test runs an event loop of its own around a blocking client, or
runs two loops one after the other, which no derived twin could express.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import trio

import hitl_sync
from hitl import BlockingInEventLoopError, EventLoopClosedError, HITLError
from hitl_async import AsyncHITL
from hitl_emulator import EmulatorServer
from tests.helpers import API_KEY, REVIEW, error, ok, review, sequence


def sync_client(handler: Callable[[httpx.Request], httpx.Response]) -> hitl_sync.HITL:
    return hitl_sync.HITL(api_key=API_KEY, http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def in_asyncio(call: Callable[[], Any]) -> Any:
    """Run a blocking `call` straight inside a coroutine, as a mistaken async program would."""

    async def main() -> Any:
        return call()

    return asyncio.run(main())


def in_trio(call: Callable[[], Any]) -> Any:
    async def main() -> Any:
        return call()

    return trio.run(main)


@pytest.mark.parametrize("run", [in_asyncio, in_trio], ids=["asyncio", "trio"])
def test_blocking_wait_in_a_running_loop_is_refused(run: Callable[[Callable[[], Any]], Any]) -> None:
    """`reviews.wait()` would freeze the loop for up to its timeout: refused before the first poll."""
    handler, seen = sequence(ok(review(status="pending")))
    hitl = sync_client(handler)
    with pytest.raises(
        BlockingInEventLoopError, match=r"^reviews\.wait\(\) would block the event loop"
    ) as caught:
        run(lambda: hitl.reviews.wait("rev_123", timeout=0.5))
    assert "hitl_async.AsyncHITL" in str(caught.value)
    assert isinstance(caught.value, HITLError) and isinstance(caught.value, RuntimeError)
    assert seen == []


def test_blocking_create_and_wait_in_a_running_loop_creates_nothing() -> None:
    """`create_and_wait()` is refused before the create, so no review is left behind."""
    handler, seen = sequence(ok(REVIEW, 201), ok(review(status="completed")))
    hitl = sync_client(handler)
    with pytest.raises(BlockingInEventLoopError, match=r"^reviews\.create_and_wait\(\)"):
        in_asyncio(
            lambda: hitl.reviews.create_and_wait(template_id="tpl_1", content={"text": "x"}, timeout=0.5)
        )
    assert seen == []


def test_a_blocking_call_that_retries_in_a_running_loop_still_succeeds() -> None:
    """A plain call is one blocking request, like any blocking I/O: whether it needs a retry never decides
    whether it is refused."""
    handler, seen = sequence(error(503, "service_unavailable"), ok(REVIEW))
    hitl = sync_client(handler).with_options(retry_policy=hitl_sync.RetryPolicy(initial_delay=0.01))
    assert in_asyncio(lambda: hitl.reviews.get("rev_123")).id == "rev_123"
    assert len(seen) == 2


def test_outside_a_loop_and_in_a_worker_thread_the_blocking_wait_works() -> None:
    """The advice in the error works: `asyncio.to_thread` runs the blocking wait off the loop's thread."""
    handler, _ = sequence(ok(review(status="completed")))
    hitl = sync_client(handler)

    async def main() -> hitl_sync.Review:
        return await asyncio.to_thread(hitl.reviews.wait, "rev_123")

    assert asyncio.run(main()).status == "completed"
    assert hitl.reviews.wait("rev_123").status == "completed"


def test_an_async_client_used_after_its_event_loop_closed_says_what_to_do(
    hitl_emulator_server: EmulatorServer,
) -> None:
    """A second `asyncio.run()` with the same client gives EventLoopClosedError, not a bare RuntimeError."""

    def misuse() -> tuple[type[BaseException], bool]:
        hitl = AsyncHITL(
            api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url, max_retries=0
        )
        asyncio.run(first_page(hitl))
        with pytest.raises(EventLoopClosedError, match="a client belongs to one event loop") as caught:
            asyncio.run(first_page(hitl))
        # Not the error itself: its traceback holds the client, and with it the dead loop's connection.
        return type(caught.value), isinstance(caught.value, RuntimeError)

    # The connection the first loop left open is garbage once that loop closed; its warnings are the misuse's.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        raised = misuse()
        gc.collect()
    assert raised == (EventLoopClosedError, True)


async def first_page(hitl: AsyncHITL) -> object:
    return await hitl.templates.list()
