"""Idempotency keys: a repeated write replays the first answer instead of acting again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._contract import IDEMPOTENCY_KEY_MAX_LENGTH
from ._errors import ApiError, validation_error

__all__ = ["IdempotencyStore", "StoredAnswer", "check_key", "fingerprint"]


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """The first successful answer given for a key: replayed byte for byte."""

    fingerprint: str
    status: int
    body: bytes
    saved_at: float = 0.0
    """When the answer was given (the emulator's clock), for expiry."""


def fingerprint(method: str, path: str, payload: Any) -> str:
    """
    What "the same request" means: same method, same path and the same JSON value.

    The body is compared as parsed JSON, so a client that re-serialises its retry with other whitespace
    or key order is still recognised.
    """
    canonical = json.dumps([method, path, payload], sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def check_key(key: str) -> None:
    """Reject keys the spec rules out: empty, or longer than its `maxLength` (255)."""
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH:
        raise validation_error(
            "Idempotency-Key", f"must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} characters long"
        )


class IdempotencyStore:
    """
    Answers remembered per (API key, Idempotency-Key).

    Only successes are remembered, and always in the same critical section as the write they answer, so a
    retry after a failed or lost answer either finds the write's answer or finds no write at all.
    Errors are not remembered: retrying a rejected request re-evaluates it.

    Answers expire after `limits()[0]` seconds (24 hours by default, as the hosted APIs that take keys do),
    and at most `limits()[1]` are kept (the oldest go first), so a long-running emulator stays flat.
    """

    def __init__(self, *, clock: Callable[[], float], limits: Callable[[], tuple[float, int]]) -> None:
        self._clock = clock
        self._limits = limits
        # Insertion order is saving order: the oldest answer is always first.
        self._answers: dict[tuple[str, str], StoredAnswer] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def reset(self) -> None:
        """Forget every key."""
        self._answers.clear()

    def lookup(self, api_key: str, key: str, request_fingerprint: str) -> StoredAnswer | None:
        """
        The answer to replay for this key, or `None` when the key is new.

        Raises:
            ApiError: 409 `idempotency_conflict` when the key was used for a different request.
        """
        stored = self._answers.get((api_key, key))
        if stored is None:
            return None
        ttl, _ = self._limits()
        if self._clock() - stored.saved_at >= ttl:
            del self._answers[(api_key, key)]
            return None
        if stored.fingerprint != request_fingerprint:
            raise ApiError(
                409,
                "idempotency_conflict",
                "This Idempotency-Key was already used with a different request",
                {"field": "Idempotency-Key", "issue": "reused with a different method, path or body"},
            )
        return stored

    def save(self, api_key: str, key: str, answer: StoredAnswer) -> None:
        """Remember the answer given for this key, and forget expired and surplus ones."""
        now = self._clock()
        self._answers.pop((api_key, key), None)
        self._answers[(api_key, key)] = StoredAnswer(answer.fingerprint, answer.status, answer.body, now)
        ttl, max_keys = self._limits()
        while self._answers:
            oldest_key, oldest = next(iter(self._answers.items()))
            if len(self._answers) <= max_keys and now - oldest.saved_at < ttl:
                break
            del self._answers[oldest_key]
