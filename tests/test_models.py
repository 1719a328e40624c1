"""Tests for the models and their converter: lenient where the API may grow, strict where data is wrong."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hitl import (
    PartialReview,
    PartialTemplate,
    Priority,
    Review,
    ReviewContent,
    ReviewStatus,
    Template,
    TemplateField,
    WebhookWithSecret,
)
from hitl._converter import converter, describe_structure_error
from hitl._models import REVIEW_STATUS_TERMINAL
from tests.helpers import REVIEW

WEBHOOK = {
    "id": "wh_1",
    "url": "https://example.com/hook",
    "events": ["review.completed"],
    "active": True,
    "secret": "whsec_do_not_show",
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:00Z",
}
TEMPLATE = {
    "id": "tpl_1",
    "name": "Check",
    "fields": [
        {"name": "ok", "type": "boolean", "label": "OK?", "required": True},
        {"name": "tone", "type": "single_select", "label": "Tone", "options": ["calm", "rude"]},
    ],
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:00Z",
}


def test_a_review_parses_with_types() -> None:
    """Enums become their members, datetimes are timezone-aware, nested objects become models."""
    review = Review.from_dict(REVIEW)
    assert review.status is ReviewStatus.CREATED
    assert review.priority is Priority.MEDIUM
    assert review.due_date == dt.datetime(2024, 1, 20, 18, 0, tzinfo=dt.UTC)
    assert isinstance(review.content, ReviewContent)
    assert review.content.metadata == {"source": "gpt-4", "confidence": 0.95}


def test_unknown_fields_are_kept_in_model_extra() -> None:
    """Fields this SDK version does not know do not fail a response: they stay reachable, and round-trip."""
    data = {**REVIEW, "escalation": {"level": 2}, "content": {"text": "x", "html": "<b>"}}
    review = Review.from_dict(data)
    assert review.id == "rev_123"
    assert review.model_extra == {"escalation": {"level": 2}}
    assert review.content.model_extra == {"html": "<b>"}
    assert review.to_dict() == data
    assert Review.from_dict(REVIEW).model_extra == {}


def test_unknown_fields_show_only_their_names_in_reprs() -> None:
    """An unknown field may hold a secret (the SDK cannot know): `repr()` names it without its value."""
    webhook = WebhookWithSecret.from_dict({**WEBHOOK, "signing_key": "whsec_new_and_secret"})
    assert webhook.model_extra == {"signing_key": "whsec_new_and_secret"}
    assert "model_extra={'signing_key': ...}" in repr(webhook)
    assert "whsec_new_and_secret" not in repr(webhook)


def test_fields_the_api_always_returns_are_typed_present() -> None:
    """A REST `Review` requires what the API always sends; a webhook's `PartialReview` does not."""
    required = {f.name for f in attrs.fields(Review) if f.default is attrs.NOTHING}
    assert required == {"id", "template_id", "content", "assignees", "priority", "status"} | {
        "created_at",
        "updated_at",
    }
    partial = {f.name for f in attrs.fields(PartialReview) if f.default is attrs.NOTHING}
    assert partial == {"id", "template_id", "status"}
    for field in ("content", "assignees", "priority", "created_at"):
        assert "None" not in str(attrs.fields_dict(Review)[field].type)


@pytest.mark.parametrize(("full", "partial"), [(Review, PartialReview), (Template, PartialTemplate)])
def test_partial_types_have_the_same_fields(full: type, partial: type) -> None:
    """openapi.yaml spells the REST and the webhook schema out twice: they must not drift apart."""
    assert [f.name for f in attrs.fields(full)] != []
    assert sorted(f.name for f in attrs.fields(full)) == sorted(f.name for f in attrs.fields(partial))
    for name, field in attrs.fields_dict(full).items():
        assert attrs.fields_dict(partial)[name].type in (field.type, field.type | None), name


def test_unknown_enum_values_are_kept() -> None:
    """A status the SDK does not know parses, equals its string, and is not a declared member."""
    review = Review.from_dict({**REVIEW, "status": "escalated", "priority": "critical"})
    assert review.status == "escalated"
    assert str(review.status) == "escalated"
    assert review.status not in list(ReviewStatus)
    assert isinstance(review.status, ReviewStatus)
    assert review.priority == "critical"
    assert review.to_dict()["status"] == "escalated"


def test_missing_optional_fields_are_fine() -> None:
    """A webhook's partial review needs only id, template_id and status; a REST review can lack its result."""
    review = PartialReview.from_dict({"id": "rev_1", "template_id": "tpl_1", "status": "created"})
    assert (review.content, review.result, review.due_date, review.assignees) == (None, None, None, None)
    rest = Review.from_dict({k: v for k, v in REVIEW.items() if k != "due_date"})
    assert (rest.due_date, rest.result, rest.reviewer, rest.completed_at) == (None, None, None, None)


@pytest.mark.parametrize("field", ["content", "assignees", "priority", "created_at"])
def test_a_rest_review_without_an_always_present_field_fails(field: str) -> None:
    """What the API always returns is required: its absence is malformed data, named in the error."""
    with pytest.raises(Exception) as caught:
        Review.from_dict({k: v for k, v in REVIEW.items() if k != field})
    assert describe_structure_error(caught.value).endswith(f"required field missing @ $.{field}")


def test_null_optional_fields_are_fine() -> None:
    """An explicit null reads as None."""
    review = Review.from_dict({**REVIEW, "result": None, "completed_at": None, "due_date": None})
    assert (review.result, review.completed_at, review.due_date) == (None, None, None)
    partial = PartialReview.from_dict({**REVIEW, "content": None, "assignees": None})
    assert (partial.content, partial.assignees) == (None, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-20T18:00:00Z", dt.datetime(2024, 1, 20, 18, tzinfo=dt.UTC)),
        ("2024-01-20T18:00:00.250+00:00", dt.datetime(2024, 1, 20, 18, 0, 0, 250000, tzinfo=dt.UTC)),
        ("2024-01-20T20:00:00+02:00", dt.datetime(2024, 1, 20, 18, tzinfo=dt.UTC)),
        ("2024-01-20T18:00:00", dt.datetime(2024, 1, 20, 18, tzinfo=dt.UTC)),
    ],
)
def test_datetimes_are_always_timezone_aware(value: str, expected: dt.datetime) -> None:
    """Offsets are kept; a datetime without one is read as UTC, never left naive."""
    parsed = Review.from_dict({**REVIEW, "due_date": value}).due_date
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({k: v for k, v in REVIEW.items() if k != "id"}, "required field missing @ $.id"),
        ({**REVIEW, "id": 123}, "@ $.id"),
        ({**REVIEW, "status": 3}, "@ $.status"),
        ({**REVIEW, "due_date": "soon"}, "@ $.due_date"),
        ({**REVIEW, "assignees": "a@b.c"}, "@ $.assignees"),
        ({**REVIEW, "assignees": ["a", 1]}, "@ $.assignees[1]"),
        ({**REVIEW, "result": ["yes"]}, "@ $.result"),
        ({**REVIEW, "content": {"text": None}}, "@ $.content.text"),
    ],
)
def test_wrong_data_fails_naming_the_field(data: dict[str, Any], where: str) -> None:
    """A missing required field or a value of the wrong type fails, and the error says where."""
    with pytest.raises(Exception) as caught:
        Review.from_dict(data)
    assert describe_structure_error(caught.value).endswith(where)


def test_booleans_are_not_guessed_from_strings() -> None:
    """ "false" is not a boolean; cattrs alone would read it as True."""
    with pytest.raises(Exception) as caught:
        TemplateField.from_dict({"name": "a", "type": "text", "label": "A", "required": "false"})
    assert describe_structure_error(caught.value).endswith("@ $.required")


def test_to_dict_and_from_dict_round_trip() -> None:
    """to_dict gives the API's JSON (unset fields left out, UTC as Z); from_dict reads it back."""
    review = Review.from_dict(REVIEW)
    assert review.to_dict() == REVIEW
    assert Review.from_dict(review.to_dict()) == review
    template = Template.from_dict(TEMPLATE)
    assert template.to_dict() == {
        **TEMPLATE,
        "fields": [
            {"name": "ok", "type": "boolean", "label": "OK?", "required": True},
            {"name": "tone", "type": "single_select", "label": "Tone", "options": ["calm", "rude"]},
        ],
    }


@pytest.mark.parametrize("model", [Review.from_dict(REVIEW), Template.from_dict(TEMPLATE)])
def test_models_pickle_and_copy(model: object) -> None:
    """Models survive pickling and copying, equal to the original."""
    assert pickle.loads(pickle.dumps(model)) == model
    assert copy.deepcopy(model) == model


def test_unknown_enum_values_pickle() -> None:
    """A model holding an enum value the SDK does not know still pickles."""
    review = Review.from_dict({**REVIEW, "status": "escalated"})
    assert pickle.loads(pickle.dumps(review)).status == "escalated"


def test_secrets_stay_out_of_reprs() -> None:
    """A webhook's signing secret is not shown by repr."""
    webhook = converter.structure(WEBHOOK, WebhookWithSecret)
    assert webhook.secret == "whsec_do_not_show"
    assert "whsec_do_not_show" not in repr(webhook)


_text = st.text(max_size=20)
_when = st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.replace(microsecond=0))
_reviews = st.fixed_dictionaries(
    {
        "id": _text,
        "template_id": _text,
        "status": st.sampled_from(["created", "assigned", "in_progress", "completed", "cancelled", "new"]),
    },
    optional={
        "content": st.fixed_dictionaries(
            {"text": _text}, optional={"metadata": st.dictionaries(_text, _text)}
        ),
        "assignees": st.lists(_text, max_size=3),
        "priority": st.sampled_from(["low", "medium", "high", "urgent"]),
        "due_date": _when.map(lambda d: d.isoformat().replace("+00:00", "Z")),
        "result": st.dictionaries(_text, st.booleans() | _text),
        "reviewer": _text,
    },
)


@given(_reviews)
def test_any_review_round_trips(data: dict[str, Any]) -> None:
    """from_dict then to_dict gives back the API's JSON, for any (partial) review the schema allows."""
    assert PartialReview.from_dict(data).to_dict() == data


def test_terminal_statuses_come_from_the_spec() -> None:
    """`reviews.wait` stops on the statuses openapi.yaml marks `x-hitl-terminal`, not on a hand-kept set."""
    spec = yaml.safe_load((Path(__file__).parent.parent / "openapi.yaml").read_text(encoding="utf-8"))
    marked = spec["components"]["schemas"]["ReviewStatus"]["x-hitl-terminal"]
    assert {ReviewStatus(value) for value in marked} == REVIEW_STATUS_TERMINAL
    assert {ReviewStatus.COMPLETED, ReviewStatus.CANCELLED} == REVIEW_STATUS_TERMINAL
