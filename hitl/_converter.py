"""
The one cattrs converter that turns JSON data into hitl's attrs models and back.

Configured here and nowhere else. It is lenient where the API may grow (unknown fields are ignored; enums
accept values they do not know, see `hitl._models`) and strict where data would be wrong (a missing required
field or a value of the wrong type fails).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError

__all__ = ["converter", "describe_structure_error", "structure"]

T = TypeVar("T")

converter = cattrs.Converter(omit_if_default=True, prefer_attrib_converters=False)


def _structure_datetime(value: Any, _: type) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value)
    else:
        raise TypeError(f"expected an RFC 3339 date-time string, got {type(value).__name__}")
    # The API sends UTC with "Z"; a value without an offset is read as UTC so no datetime is ever naive.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _unstructure_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


converter.register_structure_hook(dt.datetime, _structure_datetime)
converter.register_unstructure_hook(dt.datetime, _unstructure_datetime)


def structure(data: Any, cls: type[T]) -> T:
    """Structure `data` into `cls` with the shared converter."""
    return converter.structure(data, cls)


def describe_structure_error(error: BaseException) -> str:
    """A one-line account of why data did not fit a model, naming the failing fields."""
    if isinstance(error, ClassValidationError | IterableValidationError):
        notes = cattrs.transform_error(error)
        return "; ".join(notes)
    return f"{type(error).__name__}: {error}"
