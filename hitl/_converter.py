"""
The one cattrs converter that turns JSON data into hitl's attrs models and back.

Configured here and nowhere else. It is lenient where the API may grow (fields a model does not know are kept
in its `model_extra` dict, and written back by `to_dict()`; enums accept values they do not know, see
`hitl._models`) and strict where data would be wrong (a missing required field or a value of the wrong type
fails: cattrs on its own would turn `5` into `"5"` and `"false"` into `True`).

Models take a fast path first: `hitl._models` has a flat function per model, generated from openapi.yaml,
that builds it straight from a JSON dict and raises `FlatMiss` (or any error) at the first thing it does not
expect. The hook made by `_model_hook` then reruns the data through the detailed cattrs path, which alone
decides what is accepted and words every error. A flat function only accepts what that path accepts and
builds the same model (`tests/test_fast_structure.py` compares them).
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import list_structure_factory
from cattrs.errors import ClassValidationError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

__all__ = [
    "FlatMiss",
    "converter",
    "describe_structure_error",
    "detailed_structure_hook",
    "flat_datetime",
    "flat_enum",
    "structure",
]

T = TypeVar("T")

converter = cattrs.Converter(omit_if_default=True, prefer_attrib_converters=False)


def _structure_datetime(value: Any, _: type) -> dt.datetime:
    if value.__class__ is str:  # the common case first: a response's RFC 3339 string
        parsed = _fromisoformat(value)
    elif isinstance(value, str):
        parsed = _fromisoformat(str(value))
    elif isinstance(value, dt.datetime):
        parsed = value
    else:
        raise TypeError(f"expected an RFC 3339 date-time string, got {type(value).__name__}")
    # The API sends UTC with "Z"; a value without an offset is read as UTC so no datetime is ever naive.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


_fromisoformat = dt.datetime.fromisoformat


def _unstructure_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected a boolean, got {type(value).__name__}")


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _structure_free_form(value: Any, _: type) -> dict[str, Any]:
    # `dict[str, Any]` (metadata, result, details): a shallow copy, where cattrs would rebuild it key by key.
    if isinstance(value, dict):
        return dict(value)
    raise TypeError(f"expected an object, got {type(value).__name__}")


def _is_list(type_: Any) -> bool:
    return get_origin(type_) is list


def _list_hook(type_: Any) -> Callable[[Any, Any], Any]:
    # cattrs turns any iterable into a list, so "a@b.c" would become ["a", "@", ...]: only arrays are lists.
    structure = list_structure_factory(type_, converter)

    def structure_list(value: Any, _: Any) -> Any:
        if not isinstance(value, list):
            raise TypeError(f"expected an array, got {type(value).__name__}")
        return structure(value, type_)

    return structure_list


def _is_optional(type_: Any) -> bool:
    if not (isinstance(type_, types.UnionType) or get_origin(type_) is Union):
        return False
    arguments = get_args(type_)
    return len(arguments) == 2 and type(None) in arguments


def _optional_hook(type_: Any) -> Callable[[Any, Any], Any]:
    # cattrs' own handling of `X | None` looks the inner hook up on every call; most model fields are
    # optional, so resolving it once here halves the time to structure a response.
    inner = next(argument for argument in get_args(type_) if argument is not type(None))
    hook = converter.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else hook(value, inner)

    return structure_optional


class FlatMiss(Exception):
    """A flat structure function met something it does not handle; the detailed path decides."""


def flat_datetime(value: Any) -> dt.datetime:
    """`_structure_datetime` for a JSON value, in flat structure functions: plain strings only."""
    if value.__class__ is not str:
        raise FlatMiss
    parsed = _fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def flat_enum(value: Any, type_: Any) -> Any:
    """The open-enum hook of `hitl._modelbase` for a JSON value, in flat structure functions: strings only."""
    if value.__class__ is not str:
        raise FlatMiss
    member = type_._value2member_map_.get(value)
    return member if member is not None else type_(value)


def _has_flat_structure(type_: Any) -> bool:
    return isinstance(type_, type) and getattr(type_, "_structure_flat", None) is not None


# The attribute of every model that holds the JSON fields it does not know (see `hitl._modelbase.Model`).
_EXTRA = "model_extra"


def detailed_structure_hook(cls: type[T]) -> Callable[[Any, Any], T]:
    """
    The detailed cattrs hook of a model: what the converter would build for it on its own (same settings),
    plus the unknown fields in `model_extra`.

    The fallback of the fast path, and the reference it is tested against.
    """
    # Every setting (detailed validation, extra keys ignored, ...) comes from `converter`, as for any class.
    structure = make_dict_structure_fn(cls, converter, model_extra=override(omit=True))
    known = frozenset(field.name for field in attrs.fields(cls)) - {_EXTRA}  # type: ignore[arg-type]

    def structure_model(value: Any, _: Any) -> T:
        model = structure(value, cls)
        setattr(model, _EXTRA, {key: item for key, item in value.items() if key not in known})
        return model

    return structure_model


def _model_unstructure_hook(cls: Any) -> Callable[[Any], Any]:
    # The fields as cattrs writes them, then the unknown ones as they came, so a model round-trips.
    unstructure = make_dict_unstructure_fn(
        cls, converter, _cattrs_omit_if_default=converter.omit_if_default, model_extra=override(omit=True)
    )

    def unstructure_model(model: Any) -> Any:
        data = unstructure(model)
        for key, item in getattr(model, _EXTRA).items():
            data.setdefault(key, item)
        return data

    return unstructure_model


def _model_hook(cls: Any) -> Callable[[Any, Any], Any]:
    # Models with a generated flat function (`Model._structure_flat`, set in `hitl._models`): that first, and
    # on any failure the detailed path, so errors and their notes are exactly cattrs'.
    flat = cls._structure_flat
    detailed = detailed_structure_hook(cls)

    def structure_model(value: Any, _: Any) -> Any:
        try:
            return flat(value)
        except Exception:
            return detailed(value, cls)

    return structure_model


converter.register_structure_hook(dt.datetime, _structure_datetime)
converter.register_unstructure_hook(dt.datetime, _unstructure_datetime)
# These also match subclasses: the string enums get their own hook, more specific, in `hitl._modelbase`.
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook_func(lambda type_: type_ == dict[str, Any], _structure_free_form)
converter.register_structure_hook_factory(_is_list, _list_hook)
converter.register_structure_hook_factory(_is_optional, _optional_hook)
converter.register_structure_hook_factory(_has_flat_structure, _model_hook)
converter.register_unstructure_hook_factory(_has_flat_structure, _model_unstructure_hook)


def structure(data: Any, cls: type[T]) -> T:
    """Structure `data` into `cls` with the shared converter."""
    return converter.structure(data, cls)


def describe_structure_error(error: BaseException) -> str:
    """A one-line account of why data did not fit a model, naming the failing fields."""
    if isinstance(error, ClassValidationError | IterableValidationError):
        notes = cattrs.transform_error(error)
        return "; ".join(notes)
    return f"{type(error).__name__}: {error}"
