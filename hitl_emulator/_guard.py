"""
What keeps a browser from being used against the emulator: cross-site refusals and security headers.

The control API (`/_emulator/`) and the reviewer page (`/ui`) take no key, so any web page a developer
visits could otherwise post to them (CSRF): reset everything, or complete a review. A state-changing
request to those paths is refused when a browser says it comes from elsewhere:

- `Sec-Fetch-Site` other than `same-origin` or `none` (sent by every current browser);
- `Origin` that is not this server's own origin, or is `null` (sent by browsers on every cross-origin
  POST, PATCH and DELETE);
- `X-HITL-Delivery`: a webhook delivery aimed at the emulator itself.

Clients that are not browsers (httpx, curl, the SDK, the pytest plugin) send none of these and pass. The
reviewer forms also carry a token (see `_ui`), and every answer gets anti-framing and no-sniff headers.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._errors import ApiError
from ._ui import STYLE
from ._wire import error_response, new_id

__all__ = ["SECURITY_HEADERS", "Guard", "cross_site_reason", "guarded_path"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SAME_SITE_FETCHES = frozenset({"same-origin", "none"})
_DELIVERY_HEADER = "x-hitl-delivery"


def guarded_path(path: str) -> bool:
    """Whether a path belongs to the key-less surfaces: the control API or the reviewer page."""
    return path.startswith("/_emulator/") or path == "/_emulator" or path == "/ui" or path.startswith("/ui/")


def _security_headers() -> dict[str, str]:
    # The reviewer page's one inline stylesheet is allowed by its hash; nothing else may load or run.
    style = "'sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode() + "'"
    return {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            f"default-src 'none'; style-src {style}; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        ),
    }


SECURITY_HEADERS = _security_headers()
"""
Headers on every answer: no framing (clickjacking), no MIME sniffing, no referrer, no caching of pages that
show review content, and a CSP that allows nothing but the reviewer page's own stylesheet and forms.
"""


def _own_origin(scope: Scope, headers: Headers) -> str | None:
    host = headers.get("host")
    if host is None:
        return None
    return f"{scope.get('scheme', 'http')}://{host}".lower()


def cross_site_reason(scope: Scope) -> str | None:
    """Why a state-changing request looks cross-site (or like a delivery loop); `None` when it does not."""
    headers = Headers(scope=scope)
    if _DELIVERY_HEADER in headers:
        return "a webhook delivery may not call the emulator's control API or reviewer page"
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in _SAME_SITE_FETCHES:
        return f"the browser says this request comes from another site (Sec-Fetch-Site: {fetch_site})"
    origin = headers.get("origin")
    if origin is not None and origin.lower().rstrip("/") != _own_origin(scope, headers):
        return f"the request comes from another origin ({origin})"
    return None


class Guard:
    """ASGI middleware around the whole app: cross-site refusals on the key-less surfaces, headers on all."""

    def __init__(self, app: ASGIApp, *, clock: Callable[[], float]) -> None:
        self.app = app
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        if scope["method"] not in _SAFE_METHODS and guarded_path(scope["path"]):
            reason = cross_site_reason(scope)
            if reason is not None:
                error = ApiError(
                    403,
                    "cross_site_request",
                    f"Refused: {reason}. The control API and the reviewer page only take requests from "
                    "this emulator's own pages or from clients that are not browsers.",
                )
                response = error_response(error, request_id=new_id("req"), now=self._clock())
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)
