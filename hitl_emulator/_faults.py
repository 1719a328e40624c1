"""Fault injection: which request fails, how, and on which side of its write."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import httpx

from ._config import FaultKind, FaultSettings

__all__ = ["Fault", "FaultInjector", "InjectedConnectionDrop"]


class InjectedConnectionDrop(httpx.RemoteProtocolError):
    """
    Raised inside the app to drop the connection on purpose.

    Over real HTTP, uvicorn has already sent the status line and headers, so it closes the socket and the
    client sees `httpx.RemoteProtocolError` ("peer closed connection without sending complete message
    body"). Behind `httpx.ASGITransport` this exception propagates to the caller itself; being an
    `httpx.RemoteProtocolError`, it looks the same to client code in both settings.
    """


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault: what happens, and whether before or after the request's write."""

    kind: FaultKind
    phase: Literal["before", "after"]


class FaultInjector:
    """Draws faults from a seeded generator, so the same seed and the same requests fail the same way."""

    def __init__(self, settings: FaultSettings) -> None:
        self._lock = threading.Lock()
        self._settings = settings
        self._random = random.Random(settings.seed)
        self._counts: Counter[str] = Counter()

    @property
    def settings(self) -> FaultSettings:
        """The settings in force."""
        return self._settings

    def configure(self, settings: FaultSettings) -> None:
        """Switch to new settings and reseed, so a run started now is reproducible on its own."""
        with self._lock:
            self._settings = settings
            self._random = random.Random(settings.seed)

    def reset(self, settings: FaultSettings) -> None:
        """Switch to `settings`, reseed, and forget the counts."""
        with self._lock:
            self._settings = settings
            self._random = random.Random(settings.seed)
            self._counts.clear()

    def counts(self) -> dict[str, int]:
        """Faults injected so far, keyed `"<kind>/<phase>"` (e.g. `"drop/after"`)."""
        with self._lock:
            return dict(sorted(self._counts.items()))

    def draw(self, *, is_write: bool) -> Fault | None:
        """Decide the fate of one request; reads have nothing to store, so they only fail before."""
        with self._lock:
            settings = self._settings
            if settings.rate <= 0.0 or self._random.random() >= settings.rate:
                return None
            kind = self._random.choice(settings.kinds)
            phase: Literal["before", "after"] = "before"
            if is_write:
                if settings.phase == "both":
                    phase = "after" if self._random.random() < 0.5 else "before"
                else:
                    phase = settings.phase
            self._counts[f"{kind}/{phase}"] += 1
            return Fault(kind, phase)
