"""
Arguments of generated API methods → JSON values, checked on the way.

A wrong argument raises `InvalidArgumentError` naming it, before anything is sent: a clearer error, sooner,
than the server's `validation_error`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import attrs

from hitl._converter import converter, describe_structure_error
from hitl._exceptions import InvalidArgumentError
from hitl._modelbase import Model

__all__ = [
    "encode_datetime",
    "encode_list",
    "encode_mapping",
    "encode_model",
    "encode_model_list",
    "path_integer",
    "path_segment",
]

M = TypeVar("M", bound=Model)


def path_segment(value: object, name: str) -> str:
    """An id for a URL path: a non-empty string, percent-encoded so it cannot change the path."""
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"{name} must be a non-empty string, got {value!r}")
    if value in (".", ".."):
        # Percent-encoding leaves dots alone, and URL normalisation would turn `/v1/reviews/..` into `/v1`:
        # another endpoint than the one called.
        raise InvalidArgumentError(f"{name} must be an id, got {value!r}")
    return quote(value, safe="")


def path_integer(value: object, name: str) -> str:
    """An integer id for a URL path (a bool is refused: it is an int only by accident of Python)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be an integer, got {value!r}")
    return str(value)


def encode_datetime(value: dt.datetime | None, name: str) -> str | None:
    """An RFC 3339 string, from an aware datetime (a naive one is refused)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise InvalidArgumentError(f"{name} must be a datetime.datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        # A naive datetime means local time to some callers and UTC to others: guessing either moves it by
        # hours without a word.
        raise InvalidArgumentError(
            f"{name} must be a timezone-aware datetime, got the naive {value.isoformat()}: pass "
            "tzinfo, e.g. datetime(..., tzinfo=datetime.UTC) or datetime.now(datetime.UTC)"
        )
    return converter.unstructure(value, dt.datetime)  # type: ignore[no-any-return]


def encode_model(value: M | Mapping[str, Any] | None, cls: type[M], name: str) -> dict[str, Any] | None:
    """
    A model, or a dict with the model's fields (checked against it), as JSON.

    A key the model does not have is refused rather than dropped: it is almost always a typo (`metdata`), and
    sending the rest without it would lose the caller's data without a word.
    """
    if value is None:
        return None
    if isinstance(value, cls):
        return value.to_dict()
    if isinstance(value, Mapping):
        fields = _field_names(cls)
        unknown = [key for key in value if key not in fields]
        if unknown:
            known = ", ".join(sorted(fields))
            raise InvalidArgumentError(
                f"{name} has no field {', '.join(map(repr, unknown))} ({cls.__name__} has: {known})"
            )
        try:
            return converter.structure(value, cls).to_dict()
        except Exception as error:  # cattrs raises several types; all mean "this dict does not fit"
            raise InvalidArgumentError(
                f"{name} does not fit {cls.__name__}: {describe_structure_error(error)}"
            ) from None
    raise InvalidArgumentError(f"{name} must be a {cls.__name__} or a dict, got {type(value).__name__}")


def _field_names(cls: type[Model]) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        fields = attrs.fields(cls)  # type: ignore[arg-type]
        # `model_extra` holds what the API sent beyond the schema; it is not a field a caller sets by name.
        names = _FIELD_NAMES[cls] = frozenset(field.name for field in fields) - {"model_extra"}
    return names


_FIELD_NAMES: dict[type[Model], frozenset[str]] = {}


def encode_model_list(
    value: Sequence[M | Mapping[str, Any]] | None, cls: type[M], name: str
) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    items = encode_list(value, name)
    assert items is not None
    return [encode_model(item, cls, f"{name}[{index}]") for index, item in enumerate(items)]  # type: ignore[misc]


def encode_list(value: Sequence[Any] | None, name: str) -> list[Any] | None:
    """A list; a lone string is refused (it is a sequence too, and almost always a mistake)."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidArgumentError(f"{name} must be a list, got {type(value).__name__}")
    return list(value)


def encode_mapping(value: Mapping[str, Any] | None, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"{name} must be a dict, got {type(value).__name__}")
    return dict(value)
