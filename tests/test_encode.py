"""Tests for `hitl._encode`: arguments to JSON, refusing the wrong ones before anything is sent."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from hitl import InvalidArgumentError, ReviewContent, TemplateField
from hitl._encode import (
    encode_datetime,
    encode_list,
    encode_mapping,
    encode_model,
    encode_model_list,
    path_segment,
)


def test_path_segment_quotes_everything_that_could_change_the_path() -> None:
    """Slashes, dots, query and fragment characters are percent-encoded."""
    assert path_segment("rev_123", "review_id") == "rev_123"
    assert path_segment("a/../b?c#d e", "review_id") == "a%2F..%2Fb%3Fc%23d%20e"


@pytest.mark.parametrize("value", ["", None, 7, b"rev_1"])
def test_path_segment_refuses_empty_and_non_strings(value: Any) -> None:
    """The message names the argument and shows the value."""
    with pytest.raises(
        InvalidArgumentError, match=f"^review_id must be a non-empty string, got {re.escape(repr(value))}$"
    ):
        path_segment(value, "review_id")


@pytest.mark.parametrize("value", [".", ".."])
def test_path_segment_refuses_dot_segments(value: str) -> None:
    """`.` and `..` survive percent-encoding and would name another endpoint once the URL is normalised."""
    with pytest.raises(
        InvalidArgumentError, match=f"^review_id must be an id, got {re.escape(repr(value))}$"
    ):
        path_segment(value, "review_id")
    assert path_segment("...", "review_id") == "..."  # only the two dot segments mean something to a URL


def test_encode_datetime() -> None:
    """UTC as Z, other offsets kept; None stays None; anything else is refused."""
    assert encode_datetime(dt.datetime(2024, 1, 20, 18, tzinfo=dt.UTC), "d") == "2024-01-20T18:00:00Z"
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert encode_datetime(dt.datetime(2024, 1, 20, 18, tzinfo=plus_two), "d") == "2024-01-20T18:00:00+02:00"
    assert encode_datetime(None, "d") is None
    with pytest.raises(InvalidArgumentError, match=r"^due_date must be a datetime\.datetime, got date$"):
        encode_datetime(dt.date(2024, 1, 20), "due_date")  # type: ignore[arg-type]


def test_encode_datetime_refuses_a_naive_datetime() -> None:
    """A datetime without tzinfo is refused, with a hint, rather than guessed to be UTC (or local time)."""
    with pytest.raises(
        InvalidArgumentError,
        match=r"^due_date must be a timezone-aware datetime, got the naive 2030-01-01T12:00:00: pass tzinfo",
    ):
        encode_datetime(dt.datetime(2030, 1, 1, 12), "due_date")


def test_encode_model_takes_models_and_fitting_dicts() -> None:
    """A model or a dict with its fields gives the same JSON; unset optional fields are left out."""
    assert encode_model(ReviewContent(text="x"), ReviewContent, "content") == {"text": "x"}
    assert encode_model({"text": "x", "metadata": {"k": 1}}, ReviewContent, "content") == {
        "text": "x",
        "metadata": {"k": 1},
    }
    assert encode_model(None, ReviewContent, "content") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, r"^content does not fit ReviewContent: required field missing @ \$\.text$"),
        ({"text": ["x"]}, r"^content does not fit ReviewContent: .*@ \$\.text$"),
        ({"text": "x", "meta": {}}, r"^content has no field 'meta' \(ReviewContent has: metadata, text\)$"),
        ({"text": "x", "metadata": "x"}, r"^content does not fit ReviewContent: .*@ \$\.metadata$"),
        (["text"], r"^content must be a ReviewContent or a dict, got list$"),
        (TemplateField(name="a", type="text", label="A"), r"got TemplateField$"),
    ],
)
def test_encode_model_refuses_what_does_not_fit(value: Any, message: str) -> None:
    """Missing, mistyped and unknown fields, and values of another kind, raise naming the argument."""
    with pytest.raises(InvalidArgumentError, match=message):
        encode_model(value, ReviewContent, "content")


def test_encode_model_list_names_the_failing_item() -> None:
    """Each item is checked; the error says which."""
    good = {"name": "a", "type": "text", "label": "A"}
    assert encode_model_list([good], TemplateField, "fields") == [good]
    with pytest.raises(InvalidArgumentError, match=r"^fields\[1\] does not fit TemplateField"):
        encode_model_list([good, {"name": "b"}], TemplateField, "fields")
    with pytest.raises(InvalidArgumentError, match=r"^fields must be a list, got dict$"):
        encode_model_list(good, TemplateField, "fields")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["a@b.c", b"a@b.c", {"a": 1}, 3, iter(["a"])])
def test_encode_list_refuses_strings_and_non_sequences(value: Any) -> None:
    """A lone string is a sequence too, but would send one item per character."""
    with pytest.raises(InvalidArgumentError, match=r"^assignees must be a list, got "):
        encode_list(value, "assignees")


def test_encode_list_takes_any_sequence() -> None:
    """Lists and tuples become lists; None stays None."""
    assert encode_list(("a", "b"), "x") == ["a", "b"]
    assert encode_list(["a"], "x") == ["a"]
    assert encode_list(None, "x") is None


def test_encode_mapping() -> None:
    """Mappings become dicts; anything else is refused."""
    assert encode_mapping({"a": 1}, "m") == {"a": 1}
    assert encode_mapping(None, "m") is None
    with pytest.raises(InvalidArgumentError, match=r"^metadata must be a dict, got list$"):
        encode_mapping([("a", 1)], "metadata")  # type: ignore[arg-type]
