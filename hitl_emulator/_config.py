"""The emulator's settings: keys, limits, faults, auto-completion and webhook delivery."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, get_args

from ._targets import parse_deny

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_REVIEWER",
    "EmulatorConfig",
    "FaultKind",
    "FaultPhase",
    "FaultSettings",
]

DEFAULT_API_KEY = "hitl_dev_key"
"""The development key every emulator accepts unless `EmulatorConfig.api_keys` says otherwise."""

DEFAULT_REVIEWER = "reviewer@emulator.local"
"""Who completes a review that has no assignees, when the caller does not name a reviewer."""

FaultKind = Literal["500", "503", "429", "drop", "delay"]
"""
What an injected fault does: answer 500 `internal_error`, 503 `service_unavailable`,
429 `rate_limit_exceeded`, drop the connection, or answer late.
"""

FaultPhase = Literal["before", "after", "both"]
"""
When a fault hits a write: before the change is stored, after it (the change is stored and the idempotency
record saved, but the client sees the fault), or either at random.
"""

FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
FAULT_PHASES: tuple[FaultPhase, ...] = get_args(FaultPhase)


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """
    Which share of `/v1` requests fail, and how.

    Args:
        rate: share of requests hit by a fault, from 0 (never) to 1 (always).
        kinds: the faults to choose from, uniformly.
        phase: for writes, whether a fault strikes before the change is stored, after it, or either.
            Reads are always hit before, since they store nothing.
        delay_seconds: how late a `delay` fault answers.
        retry_after_seconds: the `Retry-After` of an injected 429.
        seed: seeds the fault generator, so a run can be replayed; `None` draws a fresh seed.
    """

    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = FAULT_KINDS
    phase: FaultPhase = "both"
    delay_seconds: float = 0.5
    retry_after_seconds: int = 1
    seed: int | None = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must lie between 0 and 1, got {self.rate!r}")
        if not self.kinds:
            raise ValueError("fault kinds must name at least one kind")
        unknown = [kind for kind in self.kinds if kind not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown!r}; choose from {list(FAULT_KINDS)!r}")
        if self.phase not in FAULT_PHASES:
            raise ValueError(f"unknown fault phase {self.phase!r}; choose from {list(FAULT_PHASES)!r}")
        if self.delay_seconds < 0 or self.retry_after_seconds < 0:
            raise ValueError("fault delays must not be negative")


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    """
    Everything an emulator can be told at start; most of it can also be changed while it runs.

    Args:
        api_keys: keys allowed to read and write.
        read_only_keys: keys allowed to read only; writes answer 403 `insufficient_permissions`.
        rate_limit_per_minute: requests per key per clock minute before 429 `rate_limit_exceeded`.
        faults: injected failures; none by default.
        auto_complete: `None` leaves reviews to a reviewer (control API or web page); `0` completes each new
            review at once; a positive number completes it that many seconds after creation.
        duplicate_deliveries: deliver every webhook event twice (same bytes, same event id).
        webhook_retry_delays: seconds to wait before each retry of a failed delivery; their number is the
            number of retries.
        webhook_timeout: seconds one delivery attempt may take in all, however slowly the receiver answers
            (only the first KiB of its answer is read).
        webhook_deny: networks webhooks may not point at, besides link-local and cloud-metadata addresses
            (always refused): CIDR blocks, `"private"` or `"loopback"`. Empty by default, so local and
            docker-compose receivers work.
        max_deliveries: how many deliveries the delivery log keeps (oldest dropped first).
        max_events: how many events the event log keeps (oldest dropped first).
        idempotency_ttl: seconds an `Idempotency-Key`'s answer is replayed (24 hours).
        max_idempotency_keys: how many answers are kept for replay at most (oldest forgotten first).
        max_body_bytes: the largest request body accepted; a larger one answers 400 `validation_error`.
        allowed_hosts: names, besides IP addresses and `localhost`, that a served emulator accepts in the
            `Host` header (e.g. a docker-compose service name); `"*"` accepts any. Other names get 400
            `invalid_host`, which stops DNS-rebinding pages from reaching the key-less routes.
        clock: the wall clock, in unix seconds, used for timestamps and rate-limit windows.
    """

    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    read_only_keys: tuple[str, ...] = ()
    rate_limit_per_minute: int = 1000
    faults: FaultSettings = field(default_factory=FaultSettings)
    auto_complete: float | None = None
    duplicate_deliveries: bool = False
    webhook_retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    webhook_timeout: float = 5.0
    webhook_deny: tuple[str, ...] = ()
    max_deliveries: int = 1_000
    max_events: int = 10_000
    idempotency_ttl: float = 24 * 60 * 60
    max_idempotency_keys: int = 10_000
    max_body_bytes: int = 1024 * 1024
    allowed_hosts: tuple[str, ...] = ()
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if not self.api_keys and not self.read_only_keys:
            raise ValueError("an emulator needs at least one API key")
        if any(not key for key in (*self.api_keys, *self.read_only_keys)):
            raise ValueError("API keys must not be empty")
        if self.rate_limit_per_minute < 1:
            raise ValueError("rate_limit_per_minute must be at least 1")
        if self.auto_complete is not None and self.auto_complete < 0:
            raise ValueError("auto_complete must be None, 0 or a positive number of seconds")
        if any(delay < 0 for delay in self.webhook_retry_delays):
            raise ValueError("webhook retry delays must not be negative")
        if self.webhook_timeout <= 0 or self.max_body_bytes < 1:
            raise ValueError("webhook_timeout and max_body_bytes must be positive")
        if min(self.max_deliveries, self.max_events, self.max_idempotency_keys) < 1:
            raise ValueError("max_deliveries, max_events and max_idempotency_keys must be at least 1")
        if not self.idempotency_ttl > 0:
            raise ValueError("idempotency_ttl must be a positive number of seconds")
        parse_deny(self.webhook_deny)  # raises ValueError naming a bad entry

    @property
    def default_api_key(self) -> str:
        """The key the CLI prints and the fixtures use: the first read-write key."""
        return self.api_keys[0] if self.api_keys else self.read_only_keys[0]
