"""
State shared by a fleet of processes, kept in Redis: the duplicate guard's store, and decisions for waiters.

Bring your own redis-py client (`pip install 'hitl[redis]'`), of the same kind as the hitl client: the
awaitable one for `AsyncHITL`, the blocking `redis.Redis` for `HITL` (docs/fleets.md shows both). hitl never
imports redis: it only calls the few commands below on your client, so `import hitl_async` stays as light as
it was, and your client's settings (TLS, auth, pools) apply.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Protocol

from hitl._converter import converter
from hitl._exceptions import InvalidArgumentError
from hitl._logging import logger
from hitl._models import Review
from hitl._webhooks import ReviewCancelledEvent, ReviewCompletedEvent, WebhookEvent
from hitl_async._backend import Event, monotonic, sleep

__all__ = ["AsyncRedisDecisions", "AsyncRedisDedupeStore"]

_WARNING = 30


class _Redis(Protocol):
    """The redis-py commands hitl uses; both redis-py clients have them (one answers with awaitables)."""

    def set(self, name: str, value: str, *, nx: bool = ..., px: int | None = ...) -> Any: ...

    def delete(self, *names: str) -> Any: ...

    def xadd(
        self, name: str, fields: dict[Any, Any], *, maxlen: int | None = ..., approximate: bool = ...
    ) -> Any: ...

    def xread(self, streams: dict[Any, Any], count: int | None = ..., block: int | None = ...) -> Any: ...

    def time(self) -> Any: ...


class AsyncRedisDedupeStore:
    """
    A duplicate guard's store in Redis, shared by every process that uses the same Redis: of all the workers
    that receive deliveries of one event, exactly one is told it is the first.

        guard = AsyncDuplicateGuard(AsyncRedisDedupeStore(redis_client))

    Each key is claimed with `SET <prefix><key> 1 NX PX <ttl>`, one atomic command, and expires on its own.

    Args:
        redis: A redis-py client of the same kind as the guard (see the module's docstring).
        prefix: Put before every key, to keep hitl's keys apart from yours.
    """

    def __init__(self, redis: _Redis, *, prefix: str = "hitl:dedupe:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def claim(self, key: str, ttl: float) -> bool:
        """Record `key` for `ttl` seconds; true if it was not recorded yet (the first delivery)."""
        claimed = await self._redis.set(self._prefix + key, "1", nx=True, px=max(1, round(ttl * 1000)))
        return bool(claimed)

    async def release(self, key: str) -> None:
        """Forget `key`, so the next delivery with it counts as the first again."""
        await self._redis.delete(self._prefix + key)


class AsyncRedisDecisions:
    """
    Decisions passed from the processes that receive webhooks to the processes that wait for them.

    The receiving process publishes each verified `review.completed` and `review.cancelled` event with
    `publish()`; any process then waits with `client.reviews.wait(review_id, via=decisions)`, which returns
    as soon as the event arrives, and polls only every `poll_interval` seconds in case a webhook is lost.
    Events go into a Redis stream, so a waiter that starts after an event was published still sees it (for
    `lookback` seconds), and nothing published between two reads is missed.

    All waits of one process share one reader: at any moment one of them blocks on `XREAD` for everyone and
    hands each decision to the waits for its review. Use one instance per event loop (per process for the
    blocking client, whose threads share it).

    Args:
        redis: A redis-py client of the same kind as the hitl client (see the module's docstring). Its
            `socket_timeout`, if set, must be longer than `block`.
        stream: The stream's key.
        poll_interval: Seconds between the polls a wait still makes (60 by default: a lost webhook costs up to
            a minute, never the decision).
        lookback: How old an event a waiter that starts late still takes from the stream, in seconds.
        max_events: About how many events the stream keeps (`XADD ... MAXLEN ~`).
        block: Longest single `XREAD` block, in seconds.
    """

    def __init__(
        self,
        redis: _Redis,
        *,
        stream: str = "hitl:decisions",
        poll_interval: float = 60.0,
        lookback: float = 300.0,
        max_events: int = 100_000,
        block: float = 5.0,
    ) -> None:
        for name, value in [("poll_interval", poll_interval), ("lookback", lookback), ("block", block)]:
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise InvalidArgumentError(f"{name} must be a positive number of seconds, got {value!r}")
        self._redis = redis
        self._stream = stream
        self._poll_interval = float(poll_interval)
        self._lookback = lookback
        self._max_events = max_events
        self._block = block
        # A plain lock, held only between statements that never wait: it serves tasks and threads alike.
        self._guard = threading.Lock()
        self._watches: dict[str, list[_Watch]] = {}
        self._recent: OrderedDict[str, dict[str, Any]] = OrderedDict()  # review id -> its decided review
        self._cursor: str | None = None  # the id of the last stream entry read
        self._reading = False  # whether some wait is blocked on XREAD for all of them

    @property
    def poll_interval(self) -> float:
        """Seconds between the polls a wait still makes, in case a decision never comes through Redis."""
        return self._poll_interval

    async def publish(self, event: WebhookEvent) -> bool:
        """
        Publish a verified `review.completed` or `review.cancelled` event to every waiting process.

        Call it in the webhook receiver after verifying the delivery (and, with a duplicate guard, for its
        first delivery only; a repeat does no harm). Other events are ignored.

        Returns:
            Whether the event was published.

        Raises:
            Whatever the redis client raises: answer the delivery with a 5xx, so that it is sent again.
        """
        if not isinstance(event, ReviewCompletedEvent | ReviewCancelledEvent):
            return False
        fields = {
            "review_id": event.review.id,
            "event": event.type,
            "review": json.dumps(event.review.to_dict()),
        }
        await self._redis.xadd(self._stream, fields, maxlen=self._max_events, approximate=True)
        return True

    def watch(self, review_id: str) -> _Watch:
        """Watch for one review's decision: `async with decisions.watch(review_id) as watch:`."""
        return _Watch(self, review_id)

    def _add(self, watch: _Watch) -> None:
        with self._guard:
            self._watches.setdefault(watch.review_id, []).append(watch)
            watch.decided = self._recent.get(watch.review_id)

    def _remove(self, watch: _Watch) -> None:
        with self._guard:
            watches = self._watches.get(watch.review_id, [])
            if watch in watches:
                watches.remove(watch)
            if not watches:
                self._watches.pop(watch.review_id, None)

    async def _wait(self, watch: _Watch, timeout: float) -> Review | None:
        deadline = monotonic() + timeout
        while True:
            remaining = deadline - monotonic()
            with self._guard:
                decided = watch.decided
                lead = decided is None and remaining > 0 and not self._reading
                if lead:
                    self._reading = True
                wake = watch.wake
            if decided is not None:
                return converter.structure(decided, Review)
            if remaining <= 0:
                return None
            if lead:
                try:
                    await self._read(min(remaining, self._block))
                finally:
                    self._hand_over()
            else:
                await wake.wait(remaining)

    async def _read(self, block: float) -> None:
        """One `XREAD` for every wait of this process; each decision goes to the waits for its review."""
        try:
            if self._cursor is None:
                # Start `lookback` seconds back (by Redis's clock, which stream ids use): a decision published
                # shortly before this process started waiting is still found.
                seconds, _ = await self._redis.time()
                self._cursor = f"{max(0, int((float(seconds) - self._lookback) * 1000))}-0"
            answer = await self._redis.xread(
                {self._stream: self._cursor}, count=1000, block=max(1, round(block * 1000))
            )
        except Exception as error:  # Redis down: the waits go on polling, and this retries at the next pause
            logger.log(
                _WARNING, "Reading decisions from Redis failed (%s); polling only", type(error).__name__
            )
            await sleep(block)
            return
        with self._guard:
            for entry_id, fields in _entries(answer):
                self._cursor = entry_id
                review_id = fields.get("review_id")
                try:
                    decided = json.loads(fields.get("review", ""))
                except ValueError:
                    continue
                if not isinstance(review_id, str) or not isinstance(decided, dict):
                    continue
                self._recent[review_id] = decided
                self._recent.move_to_end(review_id)
                while len(self._recent) > self._max_events:
                    self._recent.popitem(last=False)
                for watch in self._watches.get(review_id, []):
                    watch.decided = decided
                    watch.wake.set()

    def _hand_over(self) -> None:
        """The reader is done: wake every wait, so that one of those still waiting reads next."""
        with self._guard:
            self._reading = False
            woken = [watch for watches in self._watches.values() for watch in watches]
            wakes = [watch.wake for watch in woken]
            for watch in woken:
                watch.wake = Event()
        for wake in wakes:
            wake.set()


class _Watch:
    """One review watched through `AsyncRedisDecisions`, from `__aenter__` to `__aexit__`."""

    def __init__(self, feed: AsyncRedisDecisions, review_id: str) -> None:
        self.review_id = review_id
        self.decided: dict[str, Any] | None = None
        self.wake = Event()
        self._feed = feed

    async def __aenter__(self) -> _Watch:
        self._feed._add(self)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._feed._remove(self)

    async def wait(self, timeout: float) -> Review | None:
        """The review in its final state if its decision arrives within `timeout` seconds, else None."""
        return await self._feed._wait(self, timeout)


def _entries(answer: Any) -> list[tuple[str, dict[str, Any]]]:
    """The entries of an `XREAD` answer as (id, fields), in text whatever the client decodes."""
    streams = answer.items() if isinstance(answer, Mapping) else (answer or [])
    entries: list[tuple[str, dict[str, Any]]] = []
    for stream in streams:
        for entry in stream[1] if len(stream) > 1 else []:
            entry_id, fields = entry
            if isinstance(fields, list):  # RESP3 may give fields as a flat list
                fields = dict(zip(fields[::2], fields[1::2], strict=False))
            entries.append((_text(entry_id), {_text(name): _text(value) for name, value in fields.items()}))
    return entries


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value
