"""
Tests for `reviews.create_many()`: per-item results in order, idempotency keys, bounded concurrency, and a
batch through injected faults under a rate limit lower than it needs.

The emulator runs create `HITL_BATCH_ITEMS` reviews (100 by default; the issue's proof is 2,000:
`HITL_BATCH_ITEMS=2000 .venv/bin/python -m pytest tests/_async/test_batch.py -k "faults or crash" -s`).
Their clock runs `SPEED` times faster than the real one, for the emulator's rate-limit windows and the
client's limiter alike, so a one-minute window lasts a second (six with 2,000 items).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from hitl._batch import item_idempotency_key
from hitl_async import AsyncHITL, InvalidArgumentError, RetryPolicy, Review
from hitl_async._backend import sleep
from hitl_async._ratelimit import AsyncRateLimiter
from hitl_emulator import EmulatorConfig, EmulatorServer, FaultSettings
from tests.helpers import error, ok, review

from ._support import make_client

pytestmark = pytest.mark.anyio

ITEMS = int(os.environ.get("HITL_BATCH_ITEMS", "100"))
#: How much faster the test's clock runs: a rate-limit window must stay long next to a request's latency, or
#: the emulator's own speed, not the limit, would bound the batch.
SPEED = 60.0 if ITEMS <= 200 else 10.0
#: Requests per (accelerated) minute: well under what the batch needs, so the limiter has to pace it.
LIMIT = max(20, ITEMS // 4)
FAULTS = FaultSettings(rate=0.3, phase="both", delay_seconds=0.02, retry_after_seconds=0, seed=14)
FIELDS = [{"name": "approved", "type": "boolean", "label": "OK?", "required": True}]


def echo_create(request: httpx.Request) -> httpx.Response:
    """Answers a create with a review whose id is the item's text; text "bad" gets a 400."""
    text = json.loads(request.content)["content"]["text"]
    if text == "bad":
        return error(400, "validation_error", "bad item")
    return ok(review(review_id=f"rev_{text}", content={"text": text}), status=201)


async def test_results_come_in_input_order_with_each_failure_in_its_place() -> None:
    """A failing item leaves its typed error in its own place; the other items are created."""
    client = make_client(echo_create)
    items: list[Any] = [{"template_id": "tpl_1", "content": {"text": text}} for text in ["a", "bad", "c"]]
    results = await client.reviews.create_many(items, concurrency=2)
    assert [type(result).__name__ for result in results] == ["Review", "ValidationError", "Review"]
    assert isinstance(results[0], Review) and results[0].id == "rev_a"
    assert isinstance(results[2], Review) and results[2].id == "rev_c"


async def test_each_item_has_its_own_idempotency_key_derived_from_its_key() -> None:
    """Items with a key send the key's derived form; items without one get a fresh key each."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["idempotency-key"])
        return echo_create(request)

    client = make_client(handler)
    items: list[Any] = [
        {"template_id": "tpl_1", "content": {"text": "a"}, "key": "row-1"},
        {"template_id": "tpl_1", "content": {"text": "b"}},
        {"template_id": "tpl_1", "content": {"text": "c"}},
    ]
    await client.reviews.create_many(items, concurrency=1)
    assert sent[0] == item_idempotency_key("row-1") == item_idempotency_key("row-1")
    assert len(set(sent)) == 3


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"content": {"text": "a"}}], "items[0] lacks template_id"),
        ([{"template_id": "t", "content": {}, "colour": "red"}], "items[0] has unknown fields ['colour']"),
        (["text"], "items[0] must be a mapping"),
        (
            [
                {"template_id": "t", "content": {}, "key": "k"},
                {"template_id": "t", "content": {}, "key": "k"},
            ],
            "items[1] repeats the key 'k' of items[0]",
        ),
        ({"template_id": "t", "content": {}}, "not one item"),
    ],
)
async def test_a_malformed_batch_is_refused_before_anything_is_sent(items: Any, message: str) -> None:
    """Malformed items raise InvalidArgumentError naming the item, and nothing is sent."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return echo_create(request)

    with pytest.raises(InvalidArgumentError, match=message.replace("[", r"\[").replace("]", r"\]")):
        await make_client(handler).reviews.create_many(items)
    assert sent == []


async def test_progress_is_reported_after_each_item() -> None:
    """`on_progress(done, total)` is called once per item, counting up to the total."""
    seen: list[tuple[int, int]] = []
    items: list[Any] = [{"template_id": "t", "content": {"text": str(n)}} for n in range(5)]
    await make_client(echo_create).reviews.create_many(
        items, concurrency=3, on_progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


async def test_an_exception_from_the_progress_callback_stops_the_batch() -> None:
    """The callback's exception is the caller's: it is raised, and no new item starts."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return echo_create(request)

    def fail(done: int, total: int) -> None:
        raise LookupError("progress bar broke")

    items: list[Any] = [{"template_id": "t", "content": {"text": str(n)}} for n in range(20)]
    with pytest.raises(LookupError):
        await make_client(handler).reviews.create_many(items, concurrency=1, on_progress=fail)
    assert len(sent) == 1


class FastClock:
    """Wall time running `SPEED` times faster, shared by the emulator and the client's limiter."""

    def __init__(self) -> None:
        self._start = time.time()
        self._started = time.monotonic()

    def time(self) -> float:
        return self._start + (time.monotonic() - self._started) * SPEED

    async def sleep(self, seconds: float) -> None:
        await sleep(seconds / SPEED)


FAST_CLOCK = FastClock()


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    return EmulatorConfig(rate_limit_per_minute=LIMIT, clock=FAST_CLOCK.time)


async def test_a_batch_through_faults_and_a_tight_rate_limit_creates_each_review_once(
    hitl_emulator_server: EmulatorServer,
) -> None:
    """Every item is created exactly once, none is lost, and the limiter keeps the server from saying 429."""
    emulator = hitl_emulator_server.emulator
    statuses: Counter[int] = Counter()

    async def count(response: httpx.Response) -> None:
        statuses[response.status_code] += 1

    http = httpx.AsyncClient(event_hooks={"response": [count]})
    policy = RetryPolicy(max_retries=12, initial_delay=0.002, max_delay=0.02, max_server_wait=0.5)
    async with (
        http,
        AsyncHITL(
            api_key=hitl_emulator_server.api_key,
            base_url=hitl_emulator_server.url,
            retry_policy=policy,
            timeout=5.0,
            http_client=http,
        ) as hitl,
    ):
        hitl._limiter = AsyncRateLimiter(max_wait=120.0, clock=FAST_CLOCK.time, sleep=FAST_CLOCK.sleep)
        template = await hitl.templates.create(name="Batch", fields=FIELDS)
        emulator.configure(faults=FAULTS)
        items: list[Any] = [
            {"template_id": template.id, "content": {"text": f"item {n}"}, "key": f"item-{n}"}
            for n in range(ITEMS)
        ]
        started = time.monotonic()
        results = await hitl.reviews.create_many(items, concurrency=8)
        elapsed = time.monotonic() - started

    stored = Counter(record["content"]["text"] for record in emulator.reviews())
    faults = emulator.stats()["faults"]
    injected_429 = sum(n for kind, n in faults.items() if kind.startswith("429/"))
    windows = elapsed * SPEED / 60
    print(
        f"\nbatch: {ITEMS} items, {sum(statuses.values())} HTTP answers {dict(statuses)}, "
        f"{sum(faults.values())} faults injected ({injected_429} of them 429s)"
        f"\n  rate limit {LIMIT}/min; took {windows:.1f} windows: {ITEMS / windows:.0f} items/min, "
        f"{sum(statuses.values()) / windows:.0f} requests/min"
        f"\n  stored: {sum(stored.values())} reviews, {sum(n - 1 for n in stored.values())} duplicates"
    )
    assert [type(result).__name__ for result in results] == ["Review"] * ITEMS
    assert [result.content.text for result in results if isinstance(result, Review)] == [
        f"item {n}" for n in range(ITEMS)
    ]
    assert sum(stored.values()) == ITEMS
    assert set(stored) == {f"item {n}" for n in range(ITEMS)}
    assert statuses[429] == injected_429  # no 429 came from the rate limit itself


# The batch of the crash test, run in a process of its own (always the blocking client: what matters is what
# the emulator stores, and that the process dies half-way).
CRASHING_BATCH = """
import sys
from hitl_sync import HITL, RetryPolicy

url, key, template_id, count = sys.argv[1:]
policy = RetryPolicy(max_retries=12, initial_delay=0.002, max_delay=0.02)
items = [
    {"template_id": template_id, "content": {"text": f"item {n}"}, "key": f"item-{n}"}
    for n in range(int(count))
]
with HITL(api_key=key, base_url=url, retry_policy=policy, timeout=5.0) as client:
    client.reviews.create_many(items, concurrency=2)
"""


async def test_running_a_batch_again_after_a_crash_creates_only_the_missing_reviews(
    hitl_emulator_server: EmulatorServer,
) -> None:
    """A process killed half-way through a batch; the same batch run again creates each review once."""
    emulator = hitl_emulator_server.emulator
    emulator.configure(clock=time.time, rate_limit_per_minute=1_000_000, faults=FAULTS)
    policy = RetryPolicy(max_retries=12, initial_delay=0.002, max_delay=0.02)
    async with AsyncHITL(
        api_key=hitl_emulator_server.api_key,
        base_url=hitl_emulator_server.url,
        retry_policy=policy,
        timeout=5.0,
    ) as hitl:
        emulator.configure(faults=FaultSettings())
        template = await hitl.templates.create(name="Crash", fields=FIELDS)
        emulator.configure(faults=FAULTS)
        arguments = [hitl_emulator_server.url, hitl_emulator_server.api_key, template.id, str(ITEMS)]
        process = subprocess.Popen([sys.executable, "-c", CRASHING_BATCH, *arguments])
        try:
            while len(emulator.reviews()) < ITEMS // 2 and process.poll() is None:
                await sleep(0.005)
        finally:
            process.kill()
            process.wait()
        assert process.returncode < 0, "the batch ended before it could be killed half-way"
        before = len(emulator.reviews())

        items: list[Any] = [
            {"template_id": template.id, "content": {"text": f"item {n}"}, "key": f"item-{n}"}
            for n in range(ITEMS)
        ]
        results = await hitl.reviews.create_many(items, concurrency=8)

    stored = emulator.reviews()
    print(f"\ncrash: killed after {before} of {ITEMS} reviews; the second run created {len(stored) - before}")
    assert 0 < before < ITEMS
    assert len(stored) == ITEMS
    assert sorted(record["id"] for record in stored) == sorted(
        result.id for result in results if isinstance(result, Review)
    )
