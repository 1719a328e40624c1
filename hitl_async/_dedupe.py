"""
Duplicate guard for webhook deliveries: HITL.sh may deliver an event more than once; process it once.

A delivery's key is its event id (`evt_…`), or the SHA-256 digest of its raw body when it has none (see
`hitl._webhooks.dedupe_key`); a repeated delivery carries the same bytes, so the same key. The guard records
keys in a store: by default in this process's memory, bounded and with expiry. Several processes or hosts need
a shared store: `AsyncRedisDedupeStore` (hitl_async/_redis.py), or the two methods of the store protocol
below over a database.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, Protocol

from hitl._exceptions import InvalidArgumentError
from hitl._webhooks import PayloadTypes, WebhookEvent, dedupe_key
from hitl_async._backend import Lock, monotonic

__all__ = ["DEFAULT_DEDUPE_TTL", "AsyncDedupeStore", "AsyncDuplicateGuard", "AsyncMemoryDedupeStore"]

#: Seconds a key is remembered by default: one day, far longer than any retry of a delivery.
DEFAULT_DEDUPE_TTL: Final = 86_400.0


class AsyncDedupeStore(Protocol):
    """
    Where a duplicate guard records the keys it has seen.

    Each method must be atomic for every process that shares the store. Over Redis, `claim` is
    `SET <key> 1 NX EX <ttl>` (true when it set the key) and `release` is `DEL <key>`; over SQL, `claim` is an
    insert into a table whose primary key is the key (false on a unique violation).
    """

    async def claim(self, key: str, ttl: float) -> bool:
        """Record `key` for `ttl` seconds; true if it was not recorded yet (the first delivery)."""
        ...

    async def release(self, key: str) -> None:
        """Forget `key`, so the next delivery with it counts as the first again."""
        ...


class AsyncMemoryDedupeStore:
    """
    The default store: keys kept in this process's memory, each until its ttl runs out.

    It holds at most `max_keys` keys; when full, the oldest claim is dropped first. It fits a receiver that
    runs in one process; receivers spread over several processes or hosts need a shared store.

    Args:
        max_keys: How many keys it holds at most.
        clock: A monotonic clock in seconds, for tests; the backend's monotonic clock by default.
    """

    def __init__(self, *, max_keys: int = 10_000, clock: Callable[[], float] | None = None) -> None:
        if isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 1:
            raise InvalidArgumentError(f"max_keys must be a positive int, got {max_keys!r}")
        self._max_keys = max_keys
        self._clock = monotonic if clock is None else clock
        # Key -> when it expires, oldest claim first.
        self._expires: OrderedDict[str, float] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._expires)

    async def claim(self, key: str, ttl: float) -> bool:
        """Record `key` for `ttl` seconds; true if it was not recorded yet (the first delivery)."""
        async with self._lock:
            now = self._clock()
            self._drop_expired(now)
            expires = self._expires.get(key)
            if expires is not None and expires > now:
                return False
            # An expired key is claimed afresh, at the young end.
            self._expires.pop(key, None)
            while len(self._expires) >= self._max_keys:
                self._expires.popitem(last=False)
            self._expires[key] = now + ttl
            return True

    async def release(self, key: str) -> None:
        """Forget `key`, so the next delivery with it counts as the first again."""
        async with self._lock:
            self._expires.pop(key, None)

    def _drop_expired(self, now: float) -> None:
        # Claims are ordered by age, so with one ttl the expired keys are all at the old end. A key claimed
        # with a shorter ttl than its elders may linger past its expiry, but it is never reported as seen.
        while self._expires:
            oldest, expires = next(iter(self._expires.items()))
            if expires > now:
                break
            del self._expires[oldest]


class AsyncDuplicateGuard:
    """
    Duplicate guard: tells the first delivery of each webhook event from its repeats.

    Ask `first_time(event)` for each verified event, process the event only when it says true, and answer
    2xx to every delivery: a repeat answered with an error would only be delivered again.

    Args:
        store: Where the seen keys are kept; an in-memory store of this process by default.
        ttl: Seconds a key is remembered (default one day). With the default timestamp tolerance of five
            minutes, replays older than that fail verification anyway, so any ttl above ten minutes catches
            every repeat that verification lets through.
    """

    def __init__(self, store: AsyncDedupeStore | None = None, *, ttl: float = DEFAULT_DEDUPE_TTL) -> None:
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl) or ttl <= 0:
            raise InvalidArgumentError(f"ttl must be a positive number of seconds, got {ttl!r}")
        self._store: AsyncDedupeStore = AsyncMemoryDedupeStore() if store is None else store
        self._ttl = float(ttl)

    @property
    def store(self) -> AsyncDedupeStore:
        """The store the keys are kept in."""
        return self._store

    @property
    def ttl(self) -> float:
        """Seconds a key is remembered."""
        return self._ttl

    async def first_time(self, event: WebhookEvent | PayloadTypes) -> bool:
        """
        True for the first delivery of this event, false for a repeat (answer 2xx and drop it).

        Args:
            event: The verified event, or its raw body.
        """
        return await self._store.claim(dedupe_key(event), self._ttl)

    async def forget(self, event: WebhookEvent | PayloadTypes) -> None:
        """
        Let the next delivery of this event through again.

        Call it when the receiver could not take the event on (e.g. its queue was down) and answers 5xx, so
        the server's retry is processed instead of dropped as a repeat.
        """
        await self._store.release(dedupe_key(event))
