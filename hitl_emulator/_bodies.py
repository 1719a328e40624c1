"""
Request bodies: size cap, content type, JSON parsing, and the checks no schema expresses.

Everything a client can get wrong about the bytes themselves ends here as a 400 `validation_error` with
`details.field == "body"` (or the JSON path of the bad string), never as an exception further in.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from ._errors import validation_error

__all__ = ["read_json_object"]

_MAX_DEPTH = 64
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def _read_capped(request: Request, limit: int) -> bytes:
    # The whole body is read even past the cap, so the connection stays usable for the error answer;
    # only the first `limit` bytes are kept.
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
    if size > limit:
        raise validation_error("body", f"is larger than the limit of {limit} bytes")
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not valid JSON")


def _check_tree(value: Any) -> None:
    """Refuse nesting deeper than any real payload and strings that are not valid Unicode."""
    stack: list[tuple[Any, str, int]] = [(value, "body", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise validation_error(path, f"nests deeper than {_MAX_DEPTH} levels")
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                raise validation_error(path, "contains an unpaired UTF-16 surrogate escape")
        elif isinstance(item, dict):
            for key, member in item.items():
                if _LONE_SURROGATE.search(key):
                    raise validation_error(path, "has a member name with an unpaired UTF-16 surrogate escape")
                stack.append((member, f"{key}" if path == "body" else f"{path}.{key}", depth + 1))
        elif isinstance(item, list):
            stack.extend((member, f"{path}[{index}]", depth + 1) for index, member in enumerate(item))


async def read_json_object(request: Request, *, limit: int) -> dict[str, Any]:
    """
    The request body as a JSON object.

    Raises:
        ApiError: 400 `validation_error` for a body over `limit` bytes, a missing body, a content type
            other than JSON, bytes that are not UTF-8, malformed JSON, a value that is not an object, nesting
            deeper than 64 levels, or an unpaired surrogate escape.
    """
    body = await _read_capped(request, limit)
    if not body.strip():
        raise validation_error("body", "is required: send a JSON object")
    if not _is_json(request.headers.get("content-type", "")):
        raise validation_error("body", "must be sent with Content-Type: application/json")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise validation_error("body", f"is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise validation_error("body", f"nests deeper than {_MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, NaN, or an integer with too many digits
        raise validation_error("body", f"is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise validation_error("body", "must be a JSON object")
    _check_tree(value)
    return value
