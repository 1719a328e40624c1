"""`Emulator`: one emulated HITL.sh account, its ASGI app, and the controls tests and reviewers use."""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import secrets
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from ._app import build_app
from ._config import EmulatorConfig
from ._errors import ApiError
from ._faults import FaultInjector
from ._idempotency import IdempotencyStore
from ._model import OPEN_STATUSES, EventType
from ._ratelimit import RateLimiter
from ._results import plausible_result
from ._state import ReviewRecord, Store
from ._targets import parse_deny
from ._webhooks import DeliveryPolicy, DeliveryTarget, WebhookDispatcher
from ._wire import dump_json, format_timestamp, new_id

__all__ = ["Emulator", "Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the API key presented, and whether it may only read."""

    key: str
    read_only: bool


class Emulator:
    """
    A stateful, in-memory HITL.sh v1 API with an emulator-only control surface.

    `Emulator(config).app` is the ASGI app (what `create_app` returns); the methods here are the same
    controls the `/_emulator/...` routes and the reviewer page offer, for Python callers. All state lives
    in this object, is shared by every thread, and is lost with it.

    Args:
        config: the settings; `EmulatorConfig()` when omitted.
        webhook_transport: the httpx transport deliveries go through, e.g. an `httpx.MockTransport` or an
            `httpx.ASGITransport` wrapping a receiver app; real HTTP when omitted.

    Attributes:
        app: the Starlette app serving the v1 API, the control API (`/_emulator/`) and the page (`/ui`).
        store: the resources themselves; read them under `locked()`.
        rate_limiter, idempotency, faults, dispatcher: the machinery behind the API, exposed for tests.

    >>> emulator = Emulator()
    >>> transport = httpx.ASGITransport(app=emulator.app)
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._initial_config = config or EmulatorConfig()
        self._config = self._initial_config
        self._lock = threading.RLock()
        self._events: deque[dict[str, Any]] = deque()
        self._event_count = 0
        # Keys the reviewer page's form tokens; random per emulator, never shown.
        self.form_secret = secrets.token_bytes(32)
        self.store = Store(clock=self.now, publish=self._publish)
        self.rate_limiter = RateLimiter()
        self.idempotency = IdempotencyStore(
            clock=self.now,
            limits=lambda: (self._config.idempotency_ttl, self._config.max_idempotency_keys),
        )
        self.faults = FaultInjector(self._config.faults)
        self.dispatcher = WebhookDispatcher(
            clock=self.now, policy=self._delivery_policy, transport=webhook_transport
        )
        self.app: Starlette = build_app(self)

    # ------------------------------------------------------------ configuration

    @property
    def config(self) -> EmulatorConfig:
        """The settings in force."""
        return self._config

    @property
    def api_key(self) -> str:
        """A read-write key this emulator accepts (the development key by default)."""
        return self._config.default_api_key

    def configure(self, **changes: Any) -> EmulatorConfig:
        """
        Change settings while running, e.g. `configure(faults=FaultSettings(rate=0.3), auto_complete=0)`.

        Takes the fields of `EmulatorConfig`; changing `faults` reseeds the fault generator.
        """
        with self._lock:
            self._config = dataclasses.replace(self._config, **changes)
            if "faults" in changes:
                self.faults.configure(self._config.faults)
            return self._config

    def now(self) -> float:
        """The emulator's clock, in unix seconds."""
        return self._config.clock()

    @contextmanager
    def locked(self) -> Iterator[Store]:
        """Hold the state lock: what happens inside is atomic for every other request and thread."""
        with self._lock:
            yield self.store

    def authenticate(self, key: str | None) -> Principal | None:
        """The principal for a presented key, or `None` when the key is missing or unknown."""
        if key is None:
            return None
        config = self._config
        presented = key.encode("utf-8", "surrogateescape")
        found: Principal | None = None
        # Every configured key is compared, in constant time each, so the answer's timing does not tell how
        # much of a guess was right, nor which list it matched.
        for candidate, read_only in (
            *((known, False) for known in config.api_keys),
            *((known, True) for known in config.read_only_keys),
        ):
            if hmac.compare_digest(presented, candidate.encode("utf-8", "surrogateescape")) and found is None:
                found = Principal(candidate, read_only=read_only)
        return found

    # ------------------------------------------------------------ lifecycle

    def reset(self, config: EmulatorConfig | None = None) -> None:
        """
        Forget every resource, idempotency key, rate-limit count, event and delivery.

        Deliveries under way are cancelled. The settings go back to those the emulator started with, or to
        `config` when given.
        """
        self.dispatcher.reset()
        with self._lock:
            self._config = config or self._initial_config
            self.store.clear()
            self.idempotency.reset()
            self.rate_limiter.reset()
            self.faults.reset(self._config.faults)
            self._events.clear()
            self._event_count = 0

    def close(self) -> None:
        """Cancel deliveries under way and stop the background thread; the state stays readable."""
        self.dispatcher.close()

    # ------------------------------------------------------------ reviewer controls

    def start_review(self, review_id: str, *, reviewer: str | None = None) -> dict[str, Any]:
        """
        A reviewer opens the review: it moves to `in_progress` and `review.started` is sent.

        Raises:
            ApiError: `review_not_found`, or `conflict` when it is not waiting to be started.
        """
        with self._lock:
            return self.store.start_review(review_id, reviewer).to_wire()

    def complete_review(
        self, review_id: str, result: dict[str, Any] | None = None, *, reviewer: str | None = None
    ) -> dict[str, Any]:
        """
        A reviewer submits the review: it moves to `completed` and `review.completed` is sent.

        `result` is checked against the template's fields; when omitted, an approving answer is made up
        as auto-completion does. The review is started first if nobody had.

        Raises:
            ApiError: `review_not_found`, `validation_error` for a bad result, or `conflict` when the review
                is already completed or cancelled.
        """
        with self._lock:
            record = self.store.review(review_id)
            answer = result if result is not None else plausible_result(record.form, _text_of(record))
            return self.store.complete_review(review_id, answer, reviewer).to_wire()

    def review_created(self, record: ReviewRecord) -> None:
        """Apply auto-completion to a review just created through the API (under the state lock)."""
        delay = self._config.auto_complete
        if delay is None:
            return
        if delay == 0:
            self._auto_complete(record.id)
        else:
            self.dispatcher.background.call_later(delay, lambda: self._auto_complete(record.id))

    def _auto_complete(self, review_id: str) -> None:
        with self._lock:
            record = self.store.reviews.get(review_id)
            if record is None or record.status not in OPEN_STATUSES:
                return  # cancelled, completed by a person, or wiped by a reset in the meantime
            try:
                self.store.complete_review(review_id, plausible_result(record.form, _text_of(record)))
            except ApiError:
                return  # a form the made-up answer cannot satisfy waits for a person instead

    # ------------------------------------------------------------ inspection

    def reviews(self) -> list[dict[str, Any]]:
        """Every stored review, oldest first, as the API returns them."""
        with self._lock:
            return [record.to_wire() for record in self.store.reviews.values()]

    def events(self) -> list[dict[str, Any]]:
        """The latest events (up to `max_events`), oldest first: `{id, event, subject_id, timestamp}`."""
        with self._lock:
            return list(self._events)

    def deliveries(self) -> list[dict[str, Any]]:
        """The latest webhook deliveries (up to `max_deliveries`), oldest first, with their attempts."""
        return self.dispatcher.deliveries()

    def drain_deliveries(self, timeout: float = 10.0) -> None:
        """
        Block until every queued webhook delivery has succeeded or been given up on, retries included.

        Raises:
            TimeoutError: deliveries were still pending after `timeout` seconds.
        """
        if not self.dispatcher.wait_idle(timeout):
            raise TimeoutError(
                f"{self.dispatcher.pending()} webhook delivery(ies) still pending after {timeout} s"
            )

    async def adrain_deliveries(self, timeout: float = 10.0) -> None:
        """`drain_deliveries` for async callers: waits on a worker thread, leaving the event loop free."""
        await asyncio.to_thread(self.drain_deliveries, timeout)

    def stats(self) -> dict[str, Any]:
        """Counts of resources, reviews per status, deliveries per status, and faults injected."""
        with self._lock:
            by_status: dict[str, int] = {}
            for record in self.store.reviews.values():
                by_status[record.status] = by_status.get(record.status, 0) + 1
            counts = {
                "reviews": len(self.store.reviews),
                "templates": len(self.store.templates),
                "webhooks": len(self.store.webhooks),
                "teams": len(self.store.teams),
                "events": self._event_count,
            }
        deliveries: dict[str, int] = {}
        for delivery in self.dispatcher.deliveries():
            deliveries[delivery["status"]] = deliveries.get(delivery["status"], 0) + 1
        return {
            **counts,
            "reviews_by_status": by_status,
            "deliveries": deliveries,
            "faults": self.faults.counts(),
        }

    # ------------------------------------------------------------ events

    def _delivery_policy(self) -> DeliveryPolicy:
        config = self._config
        return DeliveryPolicy(
            delays=config.webhook_retry_delays,
            timeout=config.webhook_timeout,
            deny=parse_deny(config.webhook_deny),
            max_log=config.max_deliveries,
        )

    def _publish(self, event: EventType, subject: dict[str, Any]) -> None:
        # Called by the store, under the state lock, at the moment of each change.
        event_id = new_id("evt")
        timestamp = format_timestamp(self.now())
        kind = "template" if event.startswith("template.") else "review"
        self._events.append(
            {"id": event_id, "event": event, "subject_id": subject["id"], "timestamp": timestamp}
        )
        self._event_count += 1
        while len(self._events) > self._config.max_events:
            self._events.popleft()
        targets = [DeliveryTarget(hook.id, hook.url, hook.secret) for hook in self.store.subscribers(event)]
        if targets:
            body = dump_json({"id": event_id, "event": event, kind: subject, "timestamp": timestamp})
            copies = 2 if self._config.duplicate_deliveries else 1
            self.dispatcher.publish(event, event_id, body, targets, copies)


def _text_of(record: ReviewRecord) -> str:
    text = record.content.get("text")
    return text if isinstance(text, str) else ""
