"""
What a served emulator adds over the in-process app: Host checks, a header deadline, and bind warnings.

The in-process app (`create_app()` behind `httpx.ASGITransport`) has no socket, so none of this applies
to it. `run_in_thread()` and the `hitl-emulator` command serve through here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from ._errors import ApiError
from ._wire import error_response, new_id

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = [
    "DEFAULT_HEADER_TIMEOUT",
    "HostGuard",
    "exposure_warning",
    "host_allowed",
    "is_loopback",
    "server_config",
    "warn_if_exposed",
]

DEFAULT_HEADER_TIMEOUT = 10.0
"""Seconds a connection may take to send a request's headers before it is closed."""

_logger = logging.getLogger("hitl.emulator")


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine (`127.0.0.0/8`, `::1`, `localhost`)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """The warning to show before listening on `host`, or `None` for a loopback address."""
    if is_loopback(host):
        return None
    return (
        f"WARNING: the HITL emulator listens on {host}, beyond this machine. Anyone who can reach the port "
        "can use the control API (/_emulator/: reset, settings, completing reviews) and the reviewer page "
        "(/ui), which take no API key, and can read every review. Bind 127.0.0.1 unless you need this, "
        "and only on a network you trust."
    )


def _host_name(header: str) -> str:
    """The host part of a `Host` header: `[::1]:8765` → `::1`, `Example.COM.:80` → `example.com`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0].rstrip(".") if header.count(":") == 1 else header.rstrip(".")


def host_allowed(header: str | None, allowed: tuple[str, ...]) -> bool:
    """
    Whether a `Host` header names this server rather than a name an attacker points at it (DNS rebinding).

    Accepted: IP addresses (no DNS is involved, so nothing can be rebound), `localhost` and `*.localhost`
    (which browsers resolve to loopback themselves), and the names in `allowed` (`"*"` allows any).
    """
    if header is None:
        return False
    if "*" in allowed:
        return True
    name = _host_name(header)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name in {entry.lower().rstrip(".") for entry in allowed}
    return True


class HostGuard:
    """ASGI middleware refusing a `Host` that is not one of the emulator's names: 400 `invalid_host`."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = Headers(scope=scope).get("host")
            if not host_allowed(header, self.emulator.config.allowed_hosts):
                name = _host_name(header) if header else "(none)"
                error = ApiError(
                    400,
                    "invalid_host",
                    f"Host {name!r} is not a name of this emulator. Use its address or localhost, or allow "
                    f"the name: hitl-emulator --allow-host {name} "
                    "(in Python: EmulatorConfig(allowed_hosts=...)).",
                )
                response = error_response(error, request_id=new_id("req"), now=self.emulator.now())
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _HeaderDeadlineProtocol(H11Protocol):
    """
    uvicorn's h11 protocol, plus a deadline for each request's headers.

    uvicorn times out idle keep-alive connections, but stops the clock as soon as any byte arrives, so a
    client sending a header a byte at a time (or nothing, on a fresh connection) holds a connection forever.
    Here the clock starts when the connection opens and after each answer, and stops once the headers are
    complete; at the deadline the connection is closed.
    """

    header_timeout = DEFAULT_HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a new request's headers arrived
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()


def server_config(app: ASGIApp, *, header_timeout: float, **options: Any) -> uvicorn.Config:
    """A uvicorn configuration serving `app` with the header deadline (h11, no lifespan)."""
    protocol = type("HeaderDeadlineProtocol", (_HeaderDeadlineProtocol,), {"header_timeout": header_timeout})
    return uvicorn.Config(app, lifespan="off", http=protocol, **options)


def warn_if_exposed(host: str) -> None:
    """Log the exposure warning for a non-loopback bind (the CLI prints it as well)."""
    warning = exposure_warning(host)
    if warning is not None:
        _logger.warning(warning)
