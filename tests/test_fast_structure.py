"""
The flat structure functions of `hitl._models` (the converter's fast path) against the detailed cattrs path.

A flat function may give up on anything (the hook then takes the detailed path), but what it accepts the
detailed path must accept too, with an equal model of the same value types. Inputs: valid data for every
model, then the same with a field replaced by a value of another type, removed, nulled or joined by an
unknown key, at any depth.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
from typing import Any, Union, get_args, get_origin

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hitl._models as models
from hitl import Review, Template
from hitl._converter import converter, describe_structure_error, detailed_structure_hook
from hitl._modelbase import Model
from tests.helpers import REVIEW

MODELS = [
    value
    for value in vars(models).values()
    if isinstance(value, type) and issubclass(value, Model) and value is not Model
]

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
WRONG = (
    JSON_SCALARS
    | st.lists(st.integers(), max_size=2)
    | st.lists(st.text(max_size=3), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
    | st.sampled_from(["2024-13-45", "2024-01-15T10:30:00", "2024-01-15T10:30:00+02:00", "created", "urgent"])
)


def _datetimes() -> st.SearchStrategy[str]:
    moments = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1))
    return moments.map(lambda moment: moment.isoformat() + "Z") | moments.map(dt.datetime.isoformat)


def _valid(type_: Any) -> st.SearchStrategy[Any]:
    """JSON data that fits `type_`, the way the API would send it (plus unknown enum values)."""
    if isinstance(type_, types.UnionType) or get_origin(type_) is Union:
        return st.one_of([_valid(argument) for argument in get_args(type_)])
    if type_ is type(None):
        return st.none()
    if get_origin(type_) is list:
        return st.lists(_valid(get_args(type_)[0]), max_size=3)
    if type_ == dict[str, Any]:
        return st.dictionaries(st.text(max_size=3), JSON_SCALARS, max_size=3)
    if type_ is dt.datetime:
        return _datetimes()
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return st.sampled_from([member.value for member in type_]) | st.text(max_size=5)
    if isinstance(type_, type) and issubclass(type_, Model):
        fields = attrs.fields(type_)
        required = {f.name: _valid(f.type) for f in fields if f.default is attrs.NOTHING}
        optional = {f.name: _valid(f.type) for f in fields if f.default is not attrs.NOTHING}
        return st.fixed_dictionaries(required, optional=optional)
    strategies: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=5),
        bool: st.booleans(),
        int: st.integers(),
        float: st.integers() | st.floats(allow_nan=False),
    }
    return strategies[type_]


@st.composite
def _mutated(draw: st.DrawFn, value: Any) -> Any:
    """`value` with one change somewhere inside: a key replaced, removed, nulled or added; or all of it."""
    if isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value)))
        action = draw(st.sampled_from(["replace", "remove", "null", "extra", "deeper"]))
        changed = dict(value)
        if action == "replace":
            changed[key] = draw(WRONG)
        elif action == "remove":
            del changed[key]
        elif action == "null":
            changed[key] = None
        elif action == "extra":
            changed[draw(st.text(max_size=5))] = draw(WRONG)
        else:
            changed[key] = draw(_mutated(value[key]))
        return changed
    if isinstance(value, list) and value:
        index = draw(st.integers(0, len(value) - 1))
        return [*value[:index], draw(_mutated(value[index])), *value[index + 1 :]]
    return draw(WRONG)


def _inputs() -> st.SearchStrategy[tuple[type[Model], Any]]:
    def for_model(cls: type[Model]) -> st.SearchStrategy[tuple[type[Model], Any]]:
        valid = _valid(cls)
        return st.tuples(st.just(cls), valid | valid.flatmap(_mutated))

    return st.one_of([for_model(cls) for cls in MODELS])


def _same(fast: Any, slow: Any) -> None:
    """Equal, and of the same types all the way down (`1 == 1.0` and a str equals its enum member)."""
    assert type(fast) is type(slow)
    if isinstance(fast, Model):
        for field in attrs.fields(type(fast)):
            _same(getattr(fast, field.name), getattr(slow, field.name))
    elif isinstance(fast, list | dict):
        assert fast == slow
        items = (
            zip(fast, slow, strict=True)
            if isinstance(fast, list)
            else zip(fast.values(), slow.values(), strict=True)
        )
        for a, b in items:
            _same(a, b)
    else:
        assert fast == slow
        if isinstance(fast, dt.datetime):
            assert fast.tzinfo == slow.tzinfo


def test_every_model_has_a_flat_function_and_a_plain_init() -> None:
    """Flat functions assign the attributes directly: right only while attrs' `__init__` does nothing more."""
    assert {cls.__name__ for cls in MODELS} == set(models.__all__) - {
        name for name in models.__all__ if issubclass(getattr(models, name), enum.Enum)
    }
    for cls in MODELS:
        assert cls._structure_flat is getattr(models, f"_structure_{cls.__name__}")
        assert not hasattr(cls, "__attrs_post_init__")
        assert not hasattr(cls, "__attrs_pre_init__")
        assert all(f.validator is None and f.converter is None and f.init for f in attrs.fields(cls))


@settings(max_examples=1500, deadline=None)
@given(_inputs())
def test_the_fast_path_accepts_only_what_the_detailed_path_accepts(case: tuple[type[Model], Any]) -> None:
    """Where the flat function gives a model, the detailed path gives an equal one; the hook agrees."""
    cls, data = case
    detailed = detailed_structure_hook(cls)
    try:
        slow: Any = detailed(data, cls)
    except Exception as error:
        slow_error: Exception | None = error
    else:
        slow_error = None
    assert cls._structure_flat is not None
    try:
        fast = cls._structure_flat(data)
    except Exception:
        fast = None
    if fast is not None:
        assert slow_error is None, f"the fast path accepted what the detailed path rejects: {data!r}"
        _same(fast, slow)
    hook = converter.get_structure_hook(cls)
    if slow_error is None:
        _same(hook(data, cls), slow)
    else:
        with pytest.raises(type(slow_error)) as raised:
            hook(data, cls)
        assert describe_structure_error(raised.value) == describe_structure_error(slow_error)


def test_the_fast_path_takes_a_typical_review() -> None:
    """The benchmarked case: the flat function itself succeeds (no silent fallback on every call)."""
    review = Review._structure_flat(REVIEW)  # type: ignore[misc]
    assert review == detailed_structure_hook(Review)(REVIEW, Review)


def test_errors_still_come_from_the_detailed_path() -> None:
    """A wrong nested value fails with cattrs' notes, naming the path."""
    data = {"id": "tpl_1", "name": "x", "fields": [{"name": "ok", "type": "boolean", "label": 5}]}
    with pytest.raises(Exception) as raised:
        Template.from_dict(data)
    assert "$.fields[0].label" in describe_structure_error(raised.value)


def test_both_paths_keep_unknown_fields_alike() -> None:
    """Unknown keys land in `model_extra` on either path, nested models included, in the same order."""
    data = {**REVIEW, "zeta": [1], "content": {**REVIEW["content"], "html": "<b>"}, "alpha": None}
    fast = Review._structure_flat(data)  # type: ignore[misc]
    slow = detailed_structure_hook(Review)(data, Review)
    _same(fast, slow)
    assert (
        list(fast.model_extra.items()) == list(slow.model_extra.items()) == [("zeta", [1]), ("alpha", None)]
    )
    assert fast.content.model_extra == {"html": "<b>"}
