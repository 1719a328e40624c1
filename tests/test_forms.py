"""Forms defined in code: `fields_from(cls)` builds template fields, `result_as(review, cls)` reads them."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Annotated, Any, Literal

import attrs
import pydantic
import pytest

from hitl import (
    FieldType,
    InvalidArgumentError,
    PartialReview,
    ResultFieldError,
    Review,
    ReviewStatus,
    TemplateField,
    fields_from,
    result_as,
)
from hitl_emulator import EmulatorServer
from hitl_sync import HITL


@attrs.define
class Check:
    accurate: bool
    tone: Literal["formal", "casual"]
    word_count: int = attrs.field(metadata={"label": "Words"})
    tags: list[Literal["legal", "pricing"]] = attrs.Factory(list)
    score: Annotated[int, FieldType.RATING] = 3
    notes: str | None = None
    weight: float = 1.0


@dataclasses.dataclass
class DataCheck:
    accurate: bool
    notes: str | None = dataclasses.field(default=None, metadata={"label": "Notes for the author"})


class ModelCheck(pydantic.BaseModel):
    accurate: bool
    score: Annotated[int, FieldType.RATING] = pydantic.Field(default=3, title="Score", ge=1, le=5)


def completed(result: dict[str, Any]) -> Review:
    return PartialReview(id="rev_1", template_id="tpl_1", status=ReviewStatus.COMPLETED, result=result)


def test_fields_from_an_attrs_class() -> None:
    """Each type becomes its field; defaults and Optional make it optional; labels from metadata or names."""
    fields = {field.name: field for field in fields_from(Check)}

    assert list(fields) == ["accurate", "tone", "word_count", "tags", "score", "notes", "weight"]
    assert fields["accurate"] == TemplateField(
        name="accurate", type=FieldType.BOOLEAN, label="Accurate", required=True
    )
    assert fields["tone"].type == FieldType.SINGLE_SELECT
    assert fields["tone"].options == ["formal", "casual"]
    assert (fields["word_count"].type, fields["word_count"].label) == (FieldType.NUMBER, "Words")
    assert (fields["tags"].type, fields["tags"].options, fields["tags"].required) == (
        FieldType.MULTI_SELECT,
        ["legal", "pricing"],
        False,
    )
    assert (fields["score"].type, fields["score"].required) == (FieldType.RATING, False)
    assert (fields["notes"].type, fields["notes"].required) == (FieldType.TEXT, False)
    assert fields["weight"].type == FieldType.NUMBER


def test_fields_from_a_dataclass_and_a_pydantic_model() -> None:
    """Dataclasses and pydantic models work the same way."""
    assert [(f.name, f.type, f.label, f.required) for f in fields_from(DataCheck)] == [
        ("accurate", FieldType.BOOLEAN, "Accurate", True),
        ("notes", FieldType.TEXT, "Notes for the author", False),
    ]
    assert [(f.name, f.type, f.label, f.required) for f in fields_from(ModelCheck)] == [
        ("accurate", FieldType.BOOLEAN, "Accurate", True),
        ("score", FieldType.RATING, "Score", False),
    ]


@pytest.mark.parametrize(
    ("cls", "match"),
    [
        (int, "not an attrs class, a dataclass or a pydantic model"),
        (attrs.make_class("Bad", {"when": attrs.field(type=dict)}), r"Bad\.when: .* has no form field"),
    ],
)
def test_classes_without_a_form_are_refused(cls: type, match: str) -> None:
    """A class that is not a form, or an attribute without a field type, is named in the error."""
    with pytest.raises(InvalidArgumentError, match=match):
        fields_from(cls)


def test_result_as_builds_the_instance() -> None:
    """Answers become attributes; unanswered optional fields keep their defaults; integral floats are ints."""
    check = result_as(
        completed(
            {"accurate": True, "tone": "formal", "word_count": 120.0, "tags": ["legal"], "notes": None}
        ),
        Check,
    )
    assert check == Check(accurate=True, tone="formal", word_count=120, tags=["legal"])
    assert result_as(completed({"accurate": False}), DataCheck) == DataCheck(accurate=False)
    assert result_as(completed({"accurate": True, "score": 5}), ModelCheck) == ModelCheck(
        accurate=True, score=5
    )


@pytest.mark.parametrize(
    ("result", "field"),
    [
        ({"tone": "formal", "word_count": 1}, "accurate"),
        ({"accurate": "yes", "tone": "formal", "word_count": 1}, "accurate"),
        ({"accurate": True, "tone": "shouty", "word_count": 1}, "tone"),
        ({"accurate": True, "tone": "formal", "word_count": 1.5}, "word_count"),
        ({"accurate": True, "tone": "formal", "word_count": 1, "tags": ["other"]}, "tags"),
        ({"accurate": True, "tone": "formal", "word_count": 1, "score": 9}, "score"),
        ({"accurate": True, "tone": "formal", "word_count": True}, "word_count"),
    ],
)
def test_an_answer_that_does_not_fit_names_its_field(result: dict[str, Any], field: str) -> None:
    """ResultFieldError says which field does not fit, and pickles."""
    with pytest.raises(ResultFieldError) as raised:
        result_as(completed(result), Check)
    assert raised.value.field == field
    assert f"result.{field}" in str(raised.value)
    again = pickle.loads(pickle.dumps(raised.value))
    assert (again.field, str(again)) == (field, str(raised.value))


def test_an_open_review_has_no_result() -> None:
    """Reading an undecided review is an error, not an empty instance."""
    with pytest.raises(ResultFieldError, match="no result yet"):
        result_as(PartialReview(id="rev_1", template_id="tpl_1", status=ReviewStatus.ASSIGNED), Check)


def test_a_form_from_code_round_trips_through_the_emulator(hitl_emulator_server: EmulatorServer) -> None:
    """The emulator accepts the fields, checks a reviewer's answers against them, and they read back typed."""
    with HITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url) as hitl:
        template = hitl.templates.create(name="Check", fields=fields_from(Check))
        review = hitl.reviews.create(template_id=template.id, content={"text": "Draft"})
        answers = {"accurate": True, "tone": "casual", "word_count": 80, "tags": ["pricing"], "score": 4}
        hitl_emulator_server.emulator.complete_review(review.id, answers)
        done = hitl.reviews.wait(review.id, timeout=5)

    assert result_as(done, Check) == Check(
        accurate=True, tone="casual", word_count=80, tags=["pricing"], score=4
    )
