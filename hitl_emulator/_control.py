"""
The emulator-only control API under `/_emulator/`: play the reviewer, inspect deliveries, change settings.

These routes are not part of HITL.sh. They take no API key and are never rate-limited or faulted, so a
test can always reach them; they answer in the same envelope as the v1 API.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._bodies import read_json_object
from ._checks import as_bool, as_email, as_object, is_number, no_unknown_keys
from ._config import EmulatorConfig, FaultKind, FaultPhase, FaultSettings
from ._errors import ApiError, validation_error
from ._wire import error_response, new_id, success_response

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["control_routes"]

_Handler = Callable[["Emulator", Request], Awaitable[Any]]
_DEFAULT_DRAIN_SECONDS = 10.0
_MAX_DRAIN_SECONDS = 300.0


def _config_to_wire(config: EmulatorConfig) -> dict[str, Any]:
    """
    The settings as JSON. The API keys are left out: this route takes no key, so showing them would make
    a read-only key no access control at all. The clock, being a function, is left out too.
    """
    faults = config.faults
    return {
        "rate_limit_per_minute": config.rate_limit_per_minute,
        "faults": {
            "rate": faults.rate,
            "kinds": list(faults.kinds),
            "phase": faults.phase,
            "delay_seconds": faults.delay_seconds,
            "retry_after_seconds": faults.retry_after_seconds,
            "seed": faults.seed,
        },
        "auto_complete": config.auto_complete,
        "duplicate_deliveries": config.duplicate_deliveries,
        "webhook_retry_delays": list(config.webhook_retry_delays),
        "webhook_timeout": config.webhook_timeout,
        "max_body_bytes": config.max_body_bytes,
        "allowed_hosts": list(config.allowed_hosts),
        "webhook_deny": list(config.webhook_deny),
        "idempotency_ttl": config.idempotency_ttl,
        "max_idempotency_keys": config.max_idempotency_keys,
        "max_events": config.max_events,
        "max_deliveries": config.max_deliveries,
    }


def _number(value: Any, field: str) -> float:
    if not is_number(value):
        raise validation_error(field, "must be a number")
    return float(value)


def _faults(value: Any, current: FaultSettings) -> FaultSettings:
    body = as_object(value, "faults")
    no_unknown_keys(
        body, ("rate", "kinds", "phase", "delay_seconds", "retry_after_seconds", "seed"), "faults."
    )
    kinds = body.get("kinds", list(current.kinds))
    seed = body.get("seed", current.seed)
    retry_after = body.get("retry_after_seconds", current.retry_after_seconds)
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        raise validation_error("faults.kinds", "must be an array of fault kinds")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise validation_error("faults.seed", "must be an integer or null")
    if isinstance(retry_after, bool) or not isinstance(retry_after, int):
        raise validation_error("faults.retry_after_seconds", "must be an integer")
    try:
        return FaultSettings(
            rate=_number(body.get("rate", current.rate), "faults.rate"),
            kinds=tuple(cast(list[FaultKind], kinds)),
            phase=cast(FaultPhase, body.get("phase", current.phase)),
            delay_seconds=_number(body.get("delay_seconds", current.delay_seconds), "faults.delay_seconds"),
            retry_after_seconds=retry_after,
            seed=seed,
        )
    except ValueError as exc:
        raise validation_error("faults", str(exc)) from None


def _config_changes(body: Mapping[str, Any], current: EmulatorConfig) -> dict[str, Any]:
    no_unknown_keys(
        body,
        (
            "faults",
            "auto_complete",
            "duplicate_deliveries",
            "rate_limit_per_minute",
            "webhook_retry_delays",
            "webhook_timeout",
        ),
    )
    changes: dict[str, Any] = {}
    if "faults" in body:
        changes["faults"] = _faults(body["faults"], current.faults)
    if "auto_complete" in body:
        value = body["auto_complete"]
        changes["auto_complete"] = None if value is None else _number(value, "auto_complete")
    if "duplicate_deliveries" in body:
        changes["duplicate_deliveries"] = as_bool(body["duplicate_deliveries"], "duplicate_deliveries")
    if "rate_limit_per_minute" in body:
        limit = body["rate_limit_per_minute"]
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise validation_error("rate_limit_per_minute", "must be an integer")
        changes["rate_limit_per_minute"] = limit
    if "webhook_retry_delays" in body:
        delays = body["webhook_retry_delays"]
        if not isinstance(delays, list):
            raise validation_error("webhook_retry_delays", "must be an array of seconds")
        changes["webhook_retry_delays"] = tuple(_number(delay, "webhook_retry_delays") for delay in delays)
    if "webhook_timeout" in body:
        changes["webhook_timeout"] = _number(body["webhook_timeout"], "webhook_timeout")
    return changes


async def _optional_body(request: Request, emulator: Emulator) -> dict[str, Any]:
    # Control calls may leave the body out entirely (e.g. "complete with a made-up answer").
    if request.headers.get("content-length", "0") == "0" and "transfer-encoding" not in request.headers:
        return {}
    return await read_json_object(request, limit=emulator.config.max_body_bytes)


async def _get_config(emulator: Emulator, request: Request) -> Any:
    return _config_to_wire(emulator.config)


async def _patch_config(emulator: Emulator, request: Request) -> Any:
    body = await read_json_object(request, limit=emulator.config.max_body_bytes)
    try:
        return _config_to_wire(emulator.configure(**_config_changes(body, emulator.config)))
    except ValueError as exc:
        raise validation_error("body", str(exc)) from None


async def _reset(emulator: Emulator, request: Request) -> Any:
    # Resetting cancels deliveries on the background thread and waits for them: not on the event loop.
    await asyncio.to_thread(emulator.reset)
    return {"reset": True}


def _reviewer(body: Mapping[str, Any]) -> str | None:
    reviewer = body.get("reviewer")
    return None if reviewer is None else as_email(reviewer, "reviewer")


async def _start(emulator: Emulator, request: Request) -> Any:
    body = await _optional_body(request, emulator)
    no_unknown_keys(body, ("reviewer",))
    return emulator.start_review(request.path_params["review_id"], reviewer=_reviewer(body))


async def _complete(emulator: Emulator, request: Request) -> Any:
    body = await _optional_body(request, emulator)
    no_unknown_keys(body, ("result", "reviewer"))
    result = body.get("result")
    if result is not None and not isinstance(result, dict):
        raise validation_error("result", "must be an object keyed by template field name")
    return emulator.complete_review(request.path_params["review_id"], result, reviewer=_reviewer(body))


async def _deliveries(emulator: Emulator, request: Request) -> Any:
    wanted = {
        key: request.query_params[key]
        for key in ("webhook_id", "event", "status")
        if key in request.query_params
    }
    return [
        item for item in emulator.deliveries() if all(item[key] == value for key, value in wanted.items())
    ]


async def _drain(emulator: Emulator, request: Request) -> Any:
    raw = request.query_params.get("timeout", str(_DEFAULT_DRAIN_SECONDS))
    try:
        timeout = float(raw)
    except ValueError:
        timeout = math.nan
    if not 0 <= timeout <= _MAX_DRAIN_SECONDS:
        raise validation_error("timeout", f"must be a number of seconds from 0 to {_MAX_DRAIN_SECONDS:g}")
    drained = await asyncio.to_thread(emulator.dispatcher.wait_idle, timeout)
    return {"drained": drained, "pending": emulator.dispatcher.pending()}


async def _events(emulator: Emulator, request: Request) -> Any:
    return emulator.events()


async def _stats(emulator: Emulator, request: Request) -> Any:
    return emulator.stats()


async def _health(emulator: Emulator, request: Request) -> Any:
    return {"status": "ok"}


def _route(path: str, **handlers: _Handler) -> Route:
    by_method = {method.upper(): handler for method, handler in handlers.items()}

    async def endpoint(request: Request) -> Response:
        emulator: Emulator = request.app.state.emulator
        request_id = new_id("req")
        try:
            data = await by_method[request.method](emulator, request)
        except ApiError as error:
            return error_response(error, request_id=request_id, now=emulator.now())
        return success_response(200, data, request_id=request_id, now=emulator.now())

    if "GET" in by_method:
        by_method["HEAD"] = by_method["GET"]
    return Route(path, endpoint, methods=[method.upper() for method in handlers])


def control_routes() -> list[BaseRoute]:
    """The `/_emulator/...` routes."""
    return [
        _route("/_emulator/health", get=_health),
        _route("/_emulator/config", get=_get_config, patch=_patch_config),
        _route("/_emulator/reset", post=_reset),
        _route("/_emulator/reviews/{review_id}/start", post=_start),
        _route("/_emulator/reviews/{review_id}/complete", post=_complete),
        _route("/_emulator/deliveries", get=_deliveries),
        _route("/_emulator/deliveries/drain", post=_drain),
        _route("/_emulator/events", get=_events),
        _route("/_emulator/stats", get=_stats),
    ]
