"""Tests for the generated methods' arguments: what they send, and what they refuse before sending."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from hitl_async import NOT_GIVEN, InvalidArgumentError, ReviewContent, TemplateField
from tests.helpers import REVIEW, body, ok, sequence

from ._support import make_client

pytestmark = pytest.mark.anyio

TEMPLATE = {
    "id": "tpl_1",
    "name": "Check",
    "fields": [{"name": "ok", "type": "boolean", "label": "OK?"}],
    "created_at": "2024-01-15T09:00:00Z",
    "updated_at": "2024-01-15T09:00:00Z",
}


@pytest.mark.parametrize("review_id", ["", None, 123])
async def test_bad_path_ids_are_refused_before_sending(review_id: Any) -> None:
    """An empty or non-string id raises InvalidArgumentError naming the argument; nothing is sent."""
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler)
    for call in (hitl.reviews.get, hitl.reviews.cancel, hitl.reviews.with_raw_response.get):
        with pytest.raises(InvalidArgumentError, match="review_id must be a non-empty string"):
            await call(review_id)
    assert seen == []


@pytest.mark.parametrize("review_id", [".", ".."])
async def test_dot_ids_are_refused_before_sending(review_id: str) -> None:
    """`reviews.get(".")` would fetch the list and `templates.delete("..")` would send DELETE /v1."""
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler)
    with pytest.raises(InvalidArgumentError, match="review_id must be an id"):
        await hitl.reviews.get(review_id)
    with pytest.raises(InvalidArgumentError, match="template_id must be an id"):
        await hitl.templates.delete(review_id)
    assert seen == []


async def test_path_ids_are_percent_encoded() -> None:
    """An id cannot change the path it is put in."""
    handler, seen = sequence(ok(REVIEW))
    await make_client(handler).reviews.get("rev/../../v1/templates?x=1")
    assert seen[0].url.raw_path == b"/v1/reviews/rev%2F..%2F..%2Fv1%2Ftemplates%3Fx%3D1"


async def test_create_sends_the_documented_body() -> None:
    """Given arguments are sent; arguments left out are left out; an aware datetime keeps its offset."""
    handler, seen = sequence(ok(REVIEW, 201))
    await make_client(handler).reviews.create(
        template_id="template_123",
        content=ReviewContent(text="Check this", metadata={"source": "gpt-4"}),
        assignees=("a@company.com",),
        due_date=dt.datetime(2024, 1, 20, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    )
    assert seen[0].headers["content-type"] == "application/json"
    assert body(seen[0]) == {
        "template_id": "template_123",
        "content": {"text": "Check this", "metadata": {"source": "gpt-4"}},
        "assignees": ["a@company.com"],
        "due_date": "2024-01-20T18:00:00+01:00",
    }


async def test_update_tells_not_given_from_none() -> None:
    """In a PATCH, NOT_GIVEN leaves a field out and None sends null (clearing it)."""
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler)
    await hitl.reviews.update("rev_123", priority="high", due_date=NOT_GIVEN)
    await hitl.reviews.update("rev_123", due_date=None)
    assert body(seen[0]) == {"priority": "high"}
    assert body(seen[1]) == {"due_date": None}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"metadata": {}}, r"content does not fit ReviewContent: required field missing @ \$\.text"),
        ({"text": 5}, r"content does not fit ReviewContent: .* @ \$\.text"),
        (
            {"text": "x", "metdata": {}},
            r"content has no field 'metdata' \(ReviewContent has: metadata, text\)",
        ),
        ("just text", r"content must be a ReviewContent or a dict, got str"),
    ],
    ids=["missing-field", "wrong-type", "unknown-field", "wrong-kind"],
)
async def test_a_dict_that_does_not_fit_the_model_is_refused(content: Any, expected: str) -> None:
    """A nested argument is checked against its model, and the error names the argument."""
    handler, seen = sequence(ok(REVIEW, 201))
    with pytest.raises(InvalidArgumentError, match=expected):
        await make_client(handler).reviews.create(template_id="t", content=content)
    assert seen == []


async def test_items_of_a_list_of_models_are_named_by_index() -> None:
    """In a list of models, the failing item is named by its index."""
    handler, seen = sequence(ok(TEMPLATE, 201))
    fields = [TemplateField(name="ok", type="boolean", label="OK?"), {"name": "why", "type": "text"}]
    with pytest.raises(InvalidArgumentError, match=r"fields\[1\] does not fit TemplateField: .*label"):
        await make_client(handler).templates.create(name="Check", fields=fields)
    assert seen == []


async def test_models_and_dicts_mix_in_a_list() -> None:
    """A list may hold models and dicts; both are sent as JSON."""
    handler, seen = sequence(ok(TEMPLATE, 201))
    fields = [
        TemplateField(name="ok", type="boolean", label="OK?"),
        {"name": "why", "type": "text", "label": "Why"},
    ]
    template = await make_client(handler).templates.create(name="Check", fields=fields)
    assert template.fields[0].name == "ok"
    assert body(seen[0])["fields"] == [
        {"name": "ok", "type": "boolean", "label": "OK?"},
        {"name": "why", "type": "text", "label": "Why"},
    ]


@pytest.mark.parametrize("assignees", ["a@company.com", b"a@company.com", {"a@company.com": 1}])
async def test_a_string_where_a_list_belongs_is_refused(assignees: Any) -> None:
    """`assignees="a@b.c"` would send one address per character; it raises instead."""
    handler, seen = sequence(ok(REVIEW, 201))
    with pytest.raises(InvalidArgumentError, match="assignees must be a list"):
        await make_client(handler).reviews.create(template_id="t", content={"text": "x"}, assignees=assignees)
    assert seen == []


async def test_a_string_where_a_datetime_belongs_is_refused() -> None:
    """due_date must be a datetime."""
    handler, seen = sequence(ok(REVIEW, 201))
    with pytest.raises(InvalidArgumentError, match=r"due_date must be a datetime\.datetime, got str"):
        await make_client(handler).reviews.create(
            template_id="t",
            content={"text": "x"},
            due_date="2024-01-20",  # type: ignore[arg-type]
        )
    assert seen == []


async def test_a_naive_datetime_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under TZ=Europe/Berlin a naive noon was sent as noon UTC, an hour off: it is refused instead."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        handler, seen = sequence(ok(REVIEW, 201), ok(REVIEW))
        hitl = make_client(handler)
        with pytest.raises(InvalidArgumentError, match="due_date must be a timezone-aware datetime"):
            await hitl.reviews.create(
                template_id="t", content={"text": "x"}, due_date=dt.datetime(2030, 1, 1, 12)
            )
        with pytest.raises(InvalidArgumentError, match="due_date must be a timezone-aware datetime"):
            await hitl.reviews.update("rev_1", due_date=dt.datetime(2030, 1, 1, 12))
        assert seen == []
    finally:
        monkeypatch.undo()
        time.tzset()


async def test_a_body_that_is_not_json_is_refused() -> None:
    """A value JSON cannot carry raises InvalidArgumentError, not a TypeError from deep inside httpx."""
    handler, seen = sequence(ok(REVIEW, 201))
    with pytest.raises(InvalidArgumentError, match="cannot send POST /v1/reviews"):
        await make_client(handler).reviews.create(
            template_id="t", content={"text": "x", "metadata": {"at": object()}}
        )
    assert seen == []


async def test_invalid_argument_error_is_a_value_error() -> None:
    """Code that catches ValueError for bad input keeps working."""
    handler, _ = sequence(ok(REVIEW))
    with pytest.raises(ValueError):
        await make_client(handler).reviews.get("")
