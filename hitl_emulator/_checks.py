"""Checks for single JSON values, each raising a `validation_error` that names the field."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ._errors import validation_error

__all__ = [
    "MISSING",
    "as_bool",
    "as_choice",
    "as_datetime",
    "as_email",
    "as_email_list",
    "as_object",
    "as_string",
    "as_url",
    "is_number",
    "no_unknown_keys",
    "required",
]

MISSING: Any = object()
"""Stands for a member that is absent, which differs from one that is `null`."""

# Used with `fullmatch` (as is every pattern here): `$` would accept a trailing newline.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,
)
# Deliberately loose: one `@`, something on each side, no spaces or control characters. Mail servers, not
# this emulator, are the judges of exotic but valid addresses.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_MAX_EMAIL_LENGTH = 254


def no_unknown_keys(obj: Mapping[str, Any], allowed: Collection[str], prefix: str = "") -> None:
    """Reject members the schema does not declare (`additionalProperties: false`)."""
    for key in obj:
        if key not in allowed:
            raise validation_error(f"{prefix}{key}", "unknown field")


def required(obj: Mapping[str, Any], key: str, prefix: str = "") -> Any:
    """The member's value, or a `validation_error` saying it is required."""
    if key not in obj:
        raise validation_error(f"{prefix}{key}", "is required")
    return obj[key]


def as_string(value: Any, field: str, *, min_length: int = 0) -> str:
    """A JSON string, at least `min_length` characters long."""
    if not isinstance(value, str):
        raise validation_error(field, "must be a string")
    if len(value) < min_length:
        raise validation_error(field, f"must be at least {min_length} character(s) long")
    return value


def as_bool(value: Any, field: str) -> bool:
    """A JSON boolean (`1` and `"true"` are not booleans)."""
    if not isinstance(value, bool):
        raise validation_error(field, "must be a boolean")
    return value


def is_number(value: Any) -> bool:
    """Whether a JSON value is a finite number; booleans do not count, although Python says they are ints."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def as_choice(value: Any, field: str, choices: Collection[str]) -> str:
    """One of an enum's values."""
    if not isinstance(value, str) or value not in choices:
        raise validation_error(field, f"must be one of {', '.join(choices)}")
    return value


def as_object(value: Any, field: str) -> dict[str, Any]:
    """A JSON object."""
    if not isinstance(value, dict):
        raise validation_error(field, "must be an object")
    return value


def as_email(value: Any, field: str) -> str:
    """An email address (`format: email`)."""
    text = as_string(value, field)
    if len(text) > _MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(text) or not text.isprintable():
        raise validation_error(field, "must be an email address")
    return text


def as_email_list(value: Any, field: str) -> list[str]:
    """An array of email addresses."""
    if not isinstance(value, list):
        raise validation_error(field, "must be an array of email addresses")
    return [as_email(item, f"{field}[{index}]") for index, item in enumerate(value)]


def as_datetime(value: Any, field: str) -> str:
    """
    An RFC 3339 date-time with an offset, returned in UTC with a `Z`.

    Normalising here means every timestamp the emulator returns has the same shape, whatever offset the
    client wrote.
    """
    text = as_string(value, field)
    if not _RFC3339.fullmatch(text):
        raise validation_error(
            field, "must be an RFC 3339 date-time with a time zone, e.g. 2024-01-20T18:00:00Z"
        )
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):
        # Out-of-range parts (month 13) or an offset that pushes the instant out of years 1-9999.
        raise validation_error(field, "is not a valid date-time") from None
    return moment.isoformat().replace("+00:00", "Z")


def as_url(value: Any, field: str) -> str:
    """An absolute `http` or `https` URL with a host: somewhere a webhook delivery can be POSTed."""
    text = as_string(value, field)
    try:
        parts = urlsplit(text)
        acceptable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        acceptable = False
    if not acceptable or not text.isprintable() or " " in text:
        raise validation_error(field, "must be an absolute http or https URL")
    return text
