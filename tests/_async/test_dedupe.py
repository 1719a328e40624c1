"""Tests for `hitl_async._dedupe`: the duplicate guard and its in-memory store."""

from __future__ import annotations

import hashlib

import pytest

from hitl._exceptions import InvalidArgumentError, WebhookPayloadError
from hitl._webhooks import WebhookEvent, construct_event, make_event_payload, sign_payload
from hitl_async._dedupe import (
    DEFAULT_DEDUPE_TTL,
    AsyncDedupeStore,
    AsyncDuplicateGuard,
    AsyncMemoryDedupeStore,
)

pytestmark = pytest.mark.anyio

SECRET = "whsec_test"
REVIEW = {"id": "rev_1", "template_id": "tpl_1", "status": "completed", "result": {"approved": True}}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingStore:
    """A store that records what the guard asks of it, in the shape a Redis or SQL store would take."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.calls: list[tuple[str, str, float | None]] = []

    async def claim(self, key: str, ttl: float) -> bool:
        self.calls.append(("claim", key, ttl))
        if key in self.keys:
            return False
        self.keys.add(key)
        return True

    async def release(self, key: str) -> None:
        self.calls.append(("release", key, None))
        self.keys.discard(key)


def delivery(event_id: str | None = "evt_1", review_id: str = "rev_1") -> bytes:
    data = make_event_payload("review.completed", review={**REVIEW, "id": review_id})
    if event_id is None:
        del data["id"]
    else:
        data["id"] = event_id
    body, _ = sign_payload(data, SECRET)
    return body


def verified(body: bytes) -> WebhookEvent:
    return construct_event(body, sign_payload(body, SECRET)[1], SECRET)


async def test_the_first_delivery_passes_and_repeats_do_not() -> None:
    """The first delivery of an event is new; every repeat of it is not."""
    guard = AsyncDuplicateGuard()
    event = verified(delivery())
    assert await guard.first_time(event) is True
    assert await guard.first_time(event) is False
    assert await guard.first_time(verified(delivery())) is False


async def test_different_events_are_each_new() -> None:
    """Events with different ids are told apart."""
    guard = AsyncDuplicateGuard()
    assert await guard.first_time(verified(delivery("evt_1"))) is True
    assert await guard.first_time(verified(delivery("evt_2"))) is True


async def test_raw_bodies_and_events_share_keys() -> None:
    """A raw body and the event parsed from it are the same delivery."""
    guard = AsyncDuplicateGuard()
    body = delivery()
    assert await guard.first_time(body) is True
    assert await guard.first_time(verified(body)) is False
    assert await guard.first_time(body.decode()) is False


async def test_events_without_an_id_are_keyed_by_their_body() -> None:
    """Without an event id, a repeat of the same bytes is a duplicate and other bytes are not."""
    store = RecordingStore()
    guard = AsyncDuplicateGuard(store)
    body = delivery(None)
    assert await guard.first_time(verified(body)) is True
    assert await guard.first_time(verified(body)) is False
    assert await guard.first_time(verified(delivery(None, review_id="rev_2"))) is True
    assert store.calls[0] == ("claim", hashlib.sha256(body).hexdigest(), DEFAULT_DEDUPE_TTL)


async def test_forget_lets_the_next_delivery_through() -> None:
    """After `forget`, the next delivery of the event counts as the first again."""
    guard = AsyncDuplicateGuard()
    event = verified(delivery())
    assert await guard.first_time(event) is True
    await guard.forget(event)
    assert await guard.first_time(event) is True
    assert await guard.first_time(event) is False


async def test_parsed_json_is_refused() -> None:
    """The guard needs the event or the raw body, not parsed JSON."""
    guard = AsyncDuplicateGuard()
    with pytest.raises(WebhookPayloadError, match="raw request body"):
        await guard.first_time({"id": "evt_1"})  # type: ignore[arg-type]


async def test_a_custom_store_gets_the_key_and_the_ttl() -> None:
    """A store implementing the protocol receives the event id and the guard's ttl."""
    store = RecordingStore()
    guard = AsyncDuplicateGuard(store, ttl=60)
    event = verified(delivery("evt_42"))
    assert await guard.first_time(event) is True
    assert await guard.first_time(event) is False
    await guard.forget(event)
    assert store.calls == [("claim", "evt_42", 60.0), ("claim", "evt_42", 60.0), ("release", "evt_42", None)]
    assert guard.store is store
    assert guard.ttl == 60.0


async def test_the_default_store_is_in_memory() -> None:
    """Without a store, the guard keeps keys in memory for a day."""
    guard = AsyncDuplicateGuard()
    assert isinstance(guard.store, AsyncMemoryDedupeStore)
    assert guard.ttl == DEFAULT_DEDUPE_TTL == 86_400


def test_the_memory_store_satisfies_the_protocol() -> None:
    """The in-memory store and a hand-written one type-check as stores."""
    stores: list[AsyncDedupeStore] = [AsyncMemoryDedupeStore(), RecordingStore()]
    assert len(stores) == 2


async def test_keys_expire_after_their_ttl() -> None:
    """A key is a duplicate until its ttl has passed, and new again from then on."""
    clock = FakeClock()
    store = AsyncMemoryDedupeStore(clock=clock)
    assert await store.claim("evt_1", 10) is True
    clock.now += 9.999
    assert await store.claim("evt_1", 10) is False
    clock.now += 0.001
    assert await store.claim("evt_1", 10) is True
    clock.now += 5
    assert await store.claim("evt_1", 10) is False


async def test_expired_keys_are_dropped() -> None:
    """Expired keys stop taking memory at the next claim."""
    clock = FakeClock()
    store = AsyncMemoryDedupeStore(clock=clock)
    for number in range(5):
        assert await store.claim(f"evt_{number}", 10) is True
    assert len(store) == 5
    clock.now += 10
    assert await store.claim("evt_new", 10) is True
    assert len(store) == 1


async def test_a_short_ttl_behind_longer_ones_still_expires() -> None:
    """A key claimed with a shorter ttl than older keys is new again once its own ttl has passed."""
    clock = FakeClock()
    store = AsyncMemoryDedupeStore(clock=clock)
    assert await store.claim("evt_long", 100) is True
    assert await store.claim("evt_short", 1) is True
    clock.now += 2
    assert await store.claim("evt_short", 1) is True
    assert await store.claim("evt_long", 100) is False


async def test_the_store_is_bounded_and_drops_the_oldest_first() -> None:
    """A full store drops its oldest claim to make room, so that key is new again."""
    store = AsyncMemoryDedupeStore(max_keys=3)
    for key in ("a", "b", "c", "d"):
        assert await store.claim(key, 60) is True
    assert len(store) == 3
    assert await store.claim("d", 60) is False
    assert await store.claim("b", 60) is False
    assert await store.claim("a", 60) is True
    assert len(store) == 3


async def test_release_of_an_unknown_key_is_harmless() -> None:
    """Releasing a key the store does not hold does nothing."""
    store = AsyncMemoryDedupeStore()
    await store.release("evt_never")
    assert len(store) == 0


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf"), True, "60"])
def test_an_invalid_ttl_is_refused(ttl: object) -> None:
    """The ttl must be a positive, finite number of seconds."""
    with pytest.raises(InvalidArgumentError, match="ttl"):
        AsyncDuplicateGuard(ttl=ttl)  # type: ignore[arg-type]


@pytest.mark.parametrize("max_keys", [0, -5, 1.5, True])
def test_an_invalid_size_is_refused(max_keys: object) -> None:
    """The store must hold at least one key."""
    with pytest.raises(InvalidArgumentError, match="max_keys"):
        AsyncMemoryDedupeStore(max_keys=max_keys)  # type: ignore[arg-type]
