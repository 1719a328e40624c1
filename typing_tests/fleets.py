"""
How the fleet features type for users (issue 14): batches, and Redis-backed guards and waits, in both
packages. Checked by mypy (`make typecheck`), never run.
"""

from typing import assert_type

import redis
import redis.asyncio

import hitl_async
import hitl_sync
from hitl import HITLError, Review, ReviewItem

ITEMS: list[ReviewItem] = [{"template_id": "tpl_1", "content": {"text": "check me"}, "key": "row-1"}]


async def async_fleet(hitl: hitl_async.AsyncHITL) -> None:
    results = await hitl.reviews.create_many(ITEMS, concurrency=4, on_progress=lambda done, total: None)
    assert_type(results, list[Review | HITLError])
    await hitl.reviews.create_many([{"template_id": "tpl_1"}])  # type: ignore[typeddict-item]
    client = redis.asyncio.Redis.from_url("redis://127.0.0.1:6379/0")
    hitl_async.AsyncDuplicateGuard(hitl_async.AsyncRedisDedupeStore(client))
    decided = await hitl.reviews.wait("rev_1", via=hitl_async.AsyncRedisDecisions(client, poll_interval=30))
    assert_type(decided, Review)


def sync_fleet(hitl: hitl_sync.HITL) -> None:
    assert_type(hitl.reviews.create_many(ITEMS), list[Review | HITLError])
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    hitl_sync.DuplicateGuard(hitl_sync.RedisDedupeStore(client))
    assert_type(hitl.reviews.wait("rev_1", via=hitl_sync.RedisDecisions(client)), Review)
