"""
Webhook deliveries: signing, background sending with retries, and the delivery log.

Each event is serialised once; the signature is the lowercase hex HMAC-SHA256 of exactly those bytes,
keyed with the endpoint's secret, and a duplicate delivery resends the same bytes. Deliveries to one
endpoint go out one after another, in event order, so a receiver sees `review.created` before
`review.assigned`; a failing endpoint only holds up its own queue.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import ipaddress
import json
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from ._background import BackgroundLoop
from ._targets import resolved_problem, url_problem
from ._wire import format_timestamp, new_id

__all__ = ["DeliveryPolicy", "DeliveryTarget", "WebhookDispatcher", "sign"]

DeliveryStatus = Literal["pending", "succeeded", "failed", "cancelled"]

_ANSWER_PREFIX_BYTES = 1024
"""How much of a receiver's answer is read (and kept in the log): receivers owe nothing but a status."""


def sign(secret: str, body: bytes) -> str:
    """The `X-HITL-Signature` value: lowercase hex HMAC-SHA256 of the raw body, keyed with the secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class DeliveryTarget:
    """Where one event goes: a webhook's id, URL and secret at the moment of the event."""

    webhook_id: str
    url: str
    secret: str


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """
    How deliveries go: the waits before each retry, the time one attempt may take in all (connecting,
    sending, and the answer's status and first bytes), the networks refused as targets, and how many
    deliveries the log keeps.
    """

    delays: tuple[float, ...]
    timeout: float
    deny: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    max_log: int = 1_000


@dataclass(slots=True, kw_only=True)
class _Attempt:
    number: int
    started_at: str
    finished_at: str | None = None
    status_code: int | None = None
    answer: str | None = None
    error: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "attempt": self.number,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status_code": self.status_code,
            "answer": self.answer,
            "error": self.error,
        }


@dataclass(slots=True, kw_only=True)
class _Delivery:
    id: str
    event_id: str
    event: str
    target: DeliveryTarget
    body: bytes
    copy: int
    created_at: str
    status: DeliveryStatus = "pending"
    attempts: list[_Attempt] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        failed = self.status == "failed"
        return {
            "id": self.id,
            "event_id": self.event_id,
            "event": self.event,
            "webhook_id": self.target.webhook_id,
            "url": self.target.url,
            "copy": self.copy,
            "status": self.status,
            "error": (
                {
                    "code": "webhook_delivery_failed",
                    "message": f"Gave up after {len(self.attempts)} attempt(s)",
                }
                if failed
                else None
            ),
            "attempts": [attempt.to_wire() for attempt in self.attempts],
            "payload": json.loads(self.body),
            "created_at": self.created_at,
        }


class WebhookDispatcher:
    """Queues deliveries on a background loop and keeps a log of every attempt."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        policy: Callable[[], DeliveryPolicy],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._clock = clock
        self._policy = policy
        self._transport = transport
        self._background = BackgroundLoop("hitl-emulator-webhooks")
        self._client: httpx.AsyncClient | None = None
        self._condition = threading.Condition()
        self._log: deque[_Delivery] = deque()
        self._pending = 0
        # Last delivery task per webhook, so the next one can wait its turn. Loop thread only.
        self._tails: dict[str, asyncio.Task[Any]] = {}

    @property
    def background(self) -> BackgroundLoop:
        """The loop deliveries run on; the emulator schedules its timers there too."""
        return self._background

    def publish(
        self, event: str, event_id: str, body: bytes, targets: Sequence[DeliveryTarget], copies: int
    ) -> None:
        """Queue `copies` deliveries of one serialised event to each target; returns at once."""
        now = format_timestamp(self._clock())
        deliveries = [
            _Delivery(
                id=new_id("dlv"),
                event_id=event_id,
                event=event,
                target=target,
                body=body,
                copy=copy,
                created_at=now,
            )
            for target in targets
            for copy in range(1, copies + 1)
        ]
        if not deliveries:
            return
        max_log = self._policy().max_log
        with self._condition:
            self._log.extend(deliveries)
            # The oldest entries go first; a delivery still under way keeps running, only its log entry goes.
            while len(self._log) > max_log:
                self._log.popleft()
            self._pending += len(deliveries)
        for delivery in deliveries:
            self._background.spawn(functools.partial(self._deliver_in_turn, delivery))

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery so far, oldest first, with its attempts."""
        with self._condition:
            return [delivery.to_wire() for delivery in self._log]

    def pending(self) -> int:
        """Deliveries not yet succeeded or given up on."""
        with self._condition:
            return self._pending

    def wait_idle(self, timeout: float) -> bool:
        """Block until no delivery is pending (retries included); `False` if `timeout` ran out first."""
        with self._condition:
            return self._condition.wait_for(lambda: self._pending == 0, timeout)

    def reset(self) -> None:
        """Cancel deliveries under way and clear the log."""
        self._background.cancel_all()
        with self._condition:
            self._log.clear()
            self._pending = 0
            self._condition.notify_all()

    def close(self) -> None:
        """Cancel deliveries under way, close the HTTP client and stop the background loop."""
        self._background.close(self._close_client)
        with self._condition:
            self._pending = 0
            self._condition.notify_all()

    async def _close_client(self) -> None:
        self._tails.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # trust_env=False: a proxy from the environment must not intercept loopback receivers.
            self._client = httpx.AsyncClient(
                transport=self._transport, trust_env=False, follow_redirects=False
            )
        return self._client

    async def _deliver_in_turn(self, delivery: _Delivery) -> None:
        key = delivery.target.webhook_id
        previous = self._tails.get(key)
        current = asyncio.current_task()
        assert current is not None, "deliveries always run as tasks"
        self._tails[key] = current
        try:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            await self._deliver(delivery)
        finally:
            if self._tails.get(key) is current:
                del self._tails[key]
            with self._condition:
                if delivery.status == "pending":
                    delivery.status = "cancelled"
                self._pending = max(0, self._pending - 1)
                self._condition.notify_all()

    async def _deliver(self, delivery: _Delivery) -> None:
        policy = self._policy()
        if await self._refused(delivery, policy):
            delivery.status = "failed"
            return
        for number in range(1, len(policy.delays) + 2):
            if await self._attempt(delivery, number, policy.timeout):
                delivery.status = "succeeded"
                return
            if number <= len(policy.delays):
                await asyncio.sleep(policy.delays[number - 1])
        delivery.status = "failed"

    async def _refused(self, delivery: _Delivery, policy: DeliveryPolicy) -> bool:
        """Check the target again, resolved, before the first attempt; a refusal is final, not retried."""
        url = delivery.target.url
        # A custom transport (a mock, an in-process receiver) never opens a socket: only the URL is checked.
        problem = (
            url_problem(url, policy.deny) if self._transport else await resolved_problem(url, policy.deny)
        )
        if problem is None:
            return False
        now = format_timestamp(self._clock())
        error = f"refused: {problem}"
        delivery.attempts.append(_Attempt(number=1, started_at=now, finished_at=now, error=error))
        return True

    async def _attempt(self, delivery: _Delivery, number: int, timeout: float) -> bool:
        attempt = _Attempt(number=number, started_at=format_timestamp(self._clock()))
        delivery.attempts.append(attempt)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "hitl-emulator",
            "X-HITL-Signature": sign(delivery.target.secret, delivery.body),
            "X-HITL-Event": delivery.event,
            "X-HITL-Delivery": delivery.id,
        }
        succeeded = False
        try:
            # httpx's timeout bounds each read, so a receiver trickling its answer a byte at a time would
            # never time out; this deadline bounds the whole attempt.
            async with asyncio.timeout(timeout):
                request = self._http().stream(
                    "POST", delivery.target.url, content=delivery.body, headers=headers, timeout=timeout
                )
                async with request as response:
                    attempt.status_code = response.status_code
                    attempt.answer = (await _answer_prefix(response)).decode("utf-8", "replace")
            succeeded = response.is_success
            if not succeeded:
                attempt.error = f"receiver answered {response.status_code}"
        except TimeoutError:
            attempt.error = f"no complete answer within webhook_timeout ({timeout:g} s)"
        except Exception as exc:
            attempt.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        attempt.finished_at = format_timestamp(self._clock())
        return succeeded


async def _answer_prefix(response: httpx.Response) -> bytes:
    """The first bytes of the answer, raw (no decompression); the rest is never read."""
    try:
        return response.content[:_ANSWER_PREFIX_BYTES]  # a transport that hands over answers already read
    except httpx.ResponseNotRead:
        pass
    kept = bytearray()
    try:
        async for chunk in response.aiter_raw():
            if len(kept) >= _ANSWER_PREFIX_BYTES:
                continue  # closed below: what is left in flight ends the loop
            kept += chunk[: _ANSWER_PREFIX_BYTES - len(kept)]
            if len(kept) >= _ANSWER_PREFIX_BYTES:
                # Dropping the connection ends the loop at its next read. Breaking out instead would leave
                # httpx's stream generators unfinished, to be finalized after their event loop has closed.
                await response.aclose()
    except (httpx.HTTPError, httpx.StreamError):
        if len(kept) < _ANSWER_PREFIX_BYTES:
            raise  # else: the read failing on the connection closed above, as intended
    return bytes(kept)
