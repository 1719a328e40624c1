"""Wire formats shared by every answer: ids, timestamps, JSON bytes and the two envelopes."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from ._errors import ApiError

__all__ = [
    "dump_json",
    "error_response",
    "format_timestamp",
    "new_id",
    "success_response",
]


def new_id(prefix: str) -> str:
    """A fresh opaque id such as `rev_3f2a…`; the prefix tells the resource kind apart."""
    return f"{prefix}_{secrets.token_hex(12)}"


def format_timestamp(unix_seconds: float) -> str:
    """RFC 3339 in UTC with a `Z`, to the millisecond: `2024-01-15T10:30:00.000Z`."""
    moment = datetime.fromtimestamp(unix_seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def dump_json(value: Any) -> bytes:
    """
    Serialise an answer or a webhook payload, compactly.

    ASCII escapes keep any string a client managed to store (lone surrogates included) encodable, so no
    stored value can make a later answer fail.
    """
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _meta(request_id: str, now: float, pagination: dict[str, Any] | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"request_id": request_id, "timestamp": format_timestamp(now)}
    if pagination is not None:
        meta["pagination"] = pagination
    return meta


def success_response(
    status: int,
    data: Any,
    *,
    request_id: str,
    now: float,
    pagination: dict[str, Any] | None = None,
) -> Response:
    """The success envelope `{success: true, data, meta}` as a JSON response."""
    body = {"success": True, "data": data, "meta": _meta(request_id, now, pagination)}
    return Response(dump_json(body), status_code=status, media_type="application/json")


def error_response(error: ApiError, *, request_id: str, now: float) -> Response:
    """The error envelope `{success: false, error: {code, message, details}, meta}` as a JSON response."""
    body = {
        "success": False,
        "error": {"code": error.code, "message": error.message, "details": error.details},
        "meta": _meta(request_id, now, None),
    }
    return Response(
        dump_json(body), status_code=error.status, media_type="application/json", headers=error.headers
    )
