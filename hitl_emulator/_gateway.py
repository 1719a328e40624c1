"""
What happens around every `/v1` request, in order: a request id, authentication, the rate limit,
permissions, then injected faults; and the `X-RateLimit-*` headers on whatever answer goes out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._errors import ApiError
from ._faults import Fault, InjectedConnectionDrop
from ._wire import error_response, new_id

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["Gateway"]

_ANONYMOUS = ""
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The length announced by a dropped answer, which then never arrives.
_DROPPED_BODY_LENGTH = 64


def _is_api_path(path: str) -> bool:
    """Whether a path belongs to the v1 API (rather than the control API or the reviewer page)."""
    return path == "/v1" or path.startswith("/v1/")


def _bearer_token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _fault_error(fault: Fault, retry_after: int) -> ApiError:
    match fault.kind:
        case "429":
            return ApiError(
                429,
                "rate_limit_exceeded",
                "Too many requests (injected fault)",
                headers={"Retry-After": str(retry_after)},
            )
        case "503":
            return ApiError(503, "service_unavailable", "Service temporarily unavailable (injected fault)")
        case _:
            return ApiError(500, "internal_error", "An unexpected error occurred (injected fault)")


@dataclass(frozen=True, slots=True)
class _Exchange:
    """One v1 request on its way through the gateway."""

    scope: Scope
    receive: Receive
    send: Send
    request_id: str
    now: float

    async def refuse(self, error: ApiError, headers: dict[str, str]) -> None:
        """Answer with an error envelope (through the raw `send`: `headers` carries the rate limit)."""
        response = error_response(error, request_id=self.request_id, now=self.now)
        response.headers.update(headers)
        await response(self.scope, self.receive, self.send)


class Gateway:
    """Pure ASGI middleware in front of the v1 routes; other paths pass straight through."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(scope, receive, send, new_id("req"), self.emulator.now())
        scope.setdefault("state", {})["request_id"] = exchange.request_id
        rate_headers = await self._admit(exchange)
        if rate_headers is None:
            return

        async def send_with_rate_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(rate_headers)
            await send(message)

        fault = self.emulator.faults.draw(is_write=scope["method"] not in _READ_METHODS)
        if fault is None:
            await self._call_app(exchange, send_with_rate_headers, rate_headers)
        else:
            await self._call_with_fault(exchange, fault, send_with_rate_headers, rate_headers)

    async def _admit(self, exchange: _Exchange) -> dict[str, str] | None:
        """Authenticate, count and authorise; the rate-limit headers if admitted, `None` if refused."""
        emulator, scope = self.emulator, exchange.scope
        limit = emulator.config.rate_limit_per_minute
        principal = emulator.authenticate(_bearer_token(Headers(scope=scope)))
        if principal is None:
            # Unauthenticated calls are not counted against anyone, but still report a full window.
            standing = emulator.rate_limiter.peek(_ANONYMOUS, limit=limit, now=exchange.now)
            await exchange.refuse(
                ApiError(401, "unauthorized", "Invalid or missing API key"), standing.headers()
            )
            return None
        standing = emulator.rate_limiter.hit(principal.key, limit=limit, now=exchange.now)
        if not standing.allowed:
            text = f"Too many requests: {limit} per minute; retry after {standing.retry_after} s"
            await exchange.refuse(ApiError(429, "rate_limit_exceeded", text), standing.headers())
            return None
        if principal.read_only and scope["method"] not in _READ_METHODS:
            text = "API key lacks required permissions (read-only key)"
            await exchange.refuse(ApiError(403, "insufficient_permissions", text), standing.headers())
            return None
        scope["state"]["principal"] = principal
        return standing.headers()

    async def _call_app(self, exchange: _Exchange, send: Send, rate_headers: dict[str, str]) -> None:
        # A bug in an operation still gets an error envelope with the rate-limit headers; the exception is
        # re-raised so that the server logs it (and an in-process test sees it).
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(exchange.scope, exchange.receive, watch)
        except Exception as exc:
            if not started:
                error = ApiError(500, "internal_error", f"The emulator failed: {type(exc).__name__}")
                await exchange.refuse(error, rate_headers)
            raise

    async def _call_with_fault(
        self, exchange: _Exchange, fault: Fault, send: Send, rate_headers: dict[str, str]
    ) -> None:
        settings = self.emulator.config.faults
        if fault.kind == "delay":
            if fault.phase == "before":
                await asyncio.sleep(settings.delay_seconds)
                await self._call_app(exchange, send, rate_headers)
            else:
                captured = await self._run_captured(exchange)
                await asyncio.sleep(settings.delay_seconds)
                for message in captured:
                    await send(message)
            return
        if fault.phase == "after":
            # The operation runs to the end (state and idempotency record saved); only its answer is lost.
            await self._run_captured(exchange)
        if fault.kind == "drop":
            await _drop_connection(send)
        await exchange.refuse(_fault_error(fault, settings.retry_after_seconds), rate_headers)

    async def _run_captured(self, exchange: _Exchange) -> list[Message]:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(exchange.scope, exchange.receive, capture)
        return captured


async def _drop_connection(send: Send) -> None:
    """
    Start an answer, then fail before its body.

    A server must answer 500 when an app fails before starting its response, so the status line goes out
    first; the exception that follows makes uvicorn close the socket mid-answer, which the client sees as
    a broken connection. Behind `httpx.ASGITransport` the exception reaches the caller directly.
    """
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(_DROPPED_BODY_LENGTH).encode()),
            ],
        }
    )
    raise InjectedConnectionDrop("The emulator dropped the connection (injected fault)")
