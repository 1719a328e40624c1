"""Tests for the Redis-backed duplicate guard store and for waiting on decisions fed through Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hitl import ReviewStatus, construct_event, make_event_payload, sign_payload
from hitl_async import AsyncDuplicateGuard, AsyncRedisDecisions, AsyncRedisDedupeStore, Review, WebhookEvent
from hitl_async._backend import run_workers, sleep
from tests.helpers import ok, review
from tests.redis_support import AsyncRedisClient, AsyncUnreachableRedis, anyio_backend, fresh_redis, redis_url

from ._support import make_client

pytestmark = pytest.mark.anyio

__all__ = ["anyio_backend", "fresh_redis", "redis_url"]  # the fixtures, imported for pytest


@pytest.fixture
async def redis_client(fresh_redis: str) -> AsyncIterator[Any]:
    client = AsyncRedisClient.from_url(fresh_redis)
    yield client
    await client.aclose()


def event(event_type: str, review_id: str, status: str) -> WebhookEvent:
    """The verified event a receiver would publish."""
    payload = make_event_payload(
        event_type, review=review(review_id, status=status, result={"approved": True})
    )
    body, signature = sign_payload(payload, "whsec_test")
    return construct_event(body, signature, "whsec_test")


async def test_exactly_one_guard_claims_an_event_whatever_the_process(redis_client: Any) -> None:
    """Two guards over one Redis (two workers): only the first delivery is first, on either of them."""
    first = AsyncDuplicateGuard(AsyncRedisDedupeStore(redis_client))
    second = AsyncDuplicateGuard(AsyncRedisDedupeStore(redis_client))
    delivery = event("review.completed", "rev_0", "completed")
    assert await first.first_time(delivery) is True
    assert await second.first_time(delivery) is False
    assert await first.first_time(delivery) is False
    await second.forget(delivery)
    assert await first.first_time(delivery) is True


async def test_a_claim_expires_after_its_ttl(redis_client: Any) -> None:
    """The key is set with the guard's ttl, so Redis forgets it on its own."""
    store = AsyncRedisDedupeStore(redis_client, prefix="test:")
    assert await store.claim("evt_1", 60.0) is True
    assert 0 < await redis_client.pttl("test:evt_1") <= 60_000


def counting_reviews(status: str = "in_progress") -> tuple[Any, list[httpx.Request]]:
    """A client whose every GET answers the review as still `status`, and the list of requests sent."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        review_id = request.url.path.rsplit("/", 1)[-1]
        return ok(review(review_id, status=status))

    return make_client(handler), seen


async def test_a_wait_returns_the_decision_published_while_it_waits(redis_client: Any) -> None:
    """The decision arrives through Redis: the wait returns it, after one poll only."""
    client, seen = counting_reviews()
    decisions = AsyncRedisDecisions(redis_client, block=0.2)
    publisher = AsyncRedisDecisions(redis_client)
    results: list[Review] = []

    async def wait() -> None:
        results.append(await client.reviews.wait("rev_1", via=decisions, timeout=30))

    async def publish() -> None:
        while not seen:
            await sleep(0.01)
        assert await publisher.publish(event("review.completed", "rev_1", "completed"))

    await both(wait, publish)
    assert results[0].status is ReviewStatus.COMPLETED
    assert results[0].result == {"approved": True}
    assert len(seen) == 1


async def both(first: Any, second: Any) -> None:
    """Run two steps at once (tasks, or threads in the blocking suite)."""
    steps = [first, second]

    async def run_next() -> None:
        await steps.pop()()

    await run_workers(2, run_next)


async def test_a_late_waiter_still_sees_a_decision_published_before_it_started(redis_client: Any) -> None:
    """The stream keeps decisions: one published before the wait began is found, though the API lags."""
    client, seen = counting_reviews()
    await AsyncRedisDecisions(redis_client).publish(event("review.cancelled", "rev_2", "cancelled"))
    decided = await client.reviews.wait("rev_2", via=AsyncRedisDecisions(redis_client, block=0.2), timeout=30)
    assert decided.status is ReviewStatus.CANCELLED
    assert len(seen) == 1


async def test_many_waits_in_one_process_share_one_reader(redis_client: Any) -> None:
    """Twenty waits on one feed each get their own review's decision; only one XREAD runs at a time."""
    client, seen = counting_reviews()
    decisions = AsyncRedisDecisions(redis_client, block=0.2)
    publisher = AsyncRedisDecisions(redis_client)
    ids = [f"rev_{n}" for n in range(20)]
    results: dict[str, Review] = {}
    reads = 0
    most_at_once = 0
    real_read = decisions._read

    async def counted_read(block: float) -> None:
        nonlocal reads, most_at_once
        reads += 1
        most_at_once = max(most_at_once, reads)
        try:
            await real_read(block)
        finally:
            reads -= 1

    decisions._read = counted_read  # type: ignore[method-assign]
    pending = list(ids)

    async def wait() -> None:
        review_id = pending.pop()
        results[review_id] = await client.reviews.wait(review_id, via=decisions, timeout=30)

    async def publish() -> None:
        while len(seen) < len(ids):
            await sleep(0.01)
        for review_id in ids:
            await publisher.publish(event("review.completed", review_id, "completed"))

    tasks = [wait] * len(ids) + [publish]

    async def run_next() -> None:
        await tasks.pop()()

    await run_workers(len(tasks), run_next)
    assert sorted(results) == sorted(ids)
    assert all(results[review_id].id == review_id for review_id in ids)
    assert len(seen) == len(ids)  # one poll each, and no more
    assert most_at_once == 1


async def test_other_events_are_not_published(redis_client: Any) -> None:
    """Only decisions are published: other review events say nothing a waiter needs."""
    publisher = AsyncRedisDecisions(redis_client)
    assert await publisher.publish(event("review.assigned", "rev_3", "assigned")) is False
    assert await redis_client.exists("hitl:decisions") == 0


async def test_with_redis_down_a_wait_falls_back_to_polling() -> None:
    """A feed whose Redis cannot be reached costs latency only: the wait polls and gets the decision."""
    answers = [ok(review("rev_4", status="in_progress")), ok(review("rev_4", status="completed"))]
    client = make_client(lambda request: answers.pop(0) if len(answers) > 1 else answers[0])
    unreachable = AsyncUnreachableRedis()
    decisions = AsyncRedisDecisions(unreachable, poll_interval=0.3, block=0.1)
    decided = await client.reviews.wait("rev_4", via=decisions, timeout=30)
    assert decided.status is ReviewStatus.COMPLETED
    await unreachable.aclose()
