"""The Starlette application: v1 API, control API and reviewer page, with errors as envelopes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ._api import api_routes
from ._config import EmulatorConfig
from ._control import control_routes
from ._errors import ApiError
from ._gateway import Gateway
from ._guard import Guard
from ._ui import ui_routes
from ._wire import error_response, new_id

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["build_app", "create_app"]


def _request_id(request: Request) -> str:
    # The gateway assigns ids to v1 requests; other paths get one here.
    request_id: str | None = getattr(request.state, "request_id", None)
    return request_id or new_id("req")


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 and 405 (no such route, or a method the route lacks) as error envelopes."""
    emulator: Emulator = request.app.state.emulator
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = ApiError(405, "method_not_allowed", f"{request.method} is not allowed on {request.url.path}")
    elif exc.status_code == 404:
        error = ApiError(404, "not_found", f"No route for {request.method} {request.url.path}")
    else:
        error = ApiError(exc.status_code, "error", exc.detail)
    response = error_response(error, request_id=_request_id(request), now=emulator.now())
    response.headers.update(exc.headers or {})
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug in the emulator: answer 500 `internal_error` in the envelope rather than plain text."""
    emulator: Emulator = request.app.state.emulator
    error = ApiError(500, "internal_error", f"The emulator failed: {type(exc).__name__}")
    return error_response(error, request_id=_request_id(request), now=emulator.now())


async def _home(request: Request) -> Response:
    return RedirectResponse("/ui", status_code=307)


def build_app(emulator: Emulator) -> Starlette:
    """The ASGI app serving `emulator`; `app.state.emulator` leads back to it."""
    app = Starlette(
        routes=[*api_routes(), *control_routes(), *ui_routes(), Route("/", _home, methods=["GET"])],
        middleware=[Middleware(Guard, clock=emulator.now), Middleware(Gateway, emulator=emulator)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    # `/v1/reviews/` is not `/v1/reviews`: a redirect would hide client bugs and drop POST bodies.
    app.router.redirect_slashes = False
    app.state.emulator = emulator
    return app


def create_app(
    config: EmulatorConfig | None = None, *, webhook_transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """
    A fresh emulator's ASGI app; its `Emulator` (for controls) is `app.state.emulator`.

    >>> app = create_app()
    >>> client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hitl.test")
    """
    # Imported here because the emulator builds its app with `build_app`, importing this module.
    from ._emulator import Emulator

    return Emulator(config, webhook_transport=webhook_transport).app
