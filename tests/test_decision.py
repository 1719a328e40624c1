"""Approval decisions without I/O: the mapping from a review, the binding digest, errors and call shapes."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from typing import Any

import pytest

from hitl import (
    ApprovalRejectedError,
    Decision,
    Escalation,
    HITLError,
    InvalidArgumentError,
    PartialReview,
    Priority,
    Review,
    ReviewContent,
    ReviewStatus,
)
from hitl._calls import GuardedSignature
from hitl._decision import digest, review_content

NOW = dt.datetime(2024, 1, 15, 10, 30, tzinfo=dt.UTC)
ARGS = {"to": "ops@example.com", "amount": 120}


def review(status: str = "completed", result: dict[str, Any] | None = None, **content: Any) -> Review:
    shown = ReviewContent(**{**review_content("pay", ARGS), **content})
    return Review(
        id="rev_1",
        template_id="tpl_1",
        status=ReviewStatus(status),
        content=shown,
        result=result,
        assignees=[],
        priority=Priority.MEDIUM,
        created_at=NOW,
        updated_at=NOW,
    )


def decide(reviewed: Review | PartialReview) -> Decision:
    return Decision.from_review(reviewed, action="pay", arguments=ARGS)


def test_approved_with_whitespace_changes_only_is_approved() -> None:
    """Re-indented but equal JSON is not an edit."""
    decision = decide(review(result={"approved": True, "content": json.dumps(ARGS)}))
    assert (decision.outcome, decision.arguments) == ("approved", ARGS)


def test_missing_or_non_boolean_approval_is_a_rejection() -> None:
    """Only `approved: true` approves."""
    assert decide(review(result={})).outcome == "rejected"
    assert decide(review(result={"approved": "yes"})).outcome == "rejected"


@pytest.mark.parametrize("edit", ["[1, 2]", "42", '"text"'])
def test_an_edit_that_is_not_an_object_is_a_rejection(edit: str) -> None:
    """Edited content must be a JSON object of arguments."""
    decision = decide(review(result={"approved": True, "content": edit, "feedback": "see"}))
    assert decision.outcome == "rejected"
    assert "must be a JSON object" in str(decision.feedback)
    assert "The reviewer said: see" in str(decision.feedback)


def test_a_cancelled_review_is_a_rejection() -> None:
    """Cancelled before anyone decided: nothing runs."""
    decision = decide(review(status="cancelled"))
    assert (decision.outcome, decision.approved) == ("rejected", False)


def test_an_open_review_or_one_without_content_cannot_be_read() -> None:
    """No decision yet, or nothing to check it against: a typed error that says what to do."""
    with pytest.raises(InvalidArgumentError, match="nobody has decided yet"):
        decide(review(status="assigned"))
    # As a webhook may carry it: the reference's `review.completed` payload has no content.
    bare = PartialReview(
        id="rev_1", template_id="tpl_1", status=ReviewStatus.COMPLETED, result={"approved": True}
    )
    with pytest.raises(InvalidArgumentError, match=r"reviews\.get\(\)"):
        decide(bare)


def test_other_arguments_than_those_asked_about_are_rejected() -> None:
    """The caller's arguments must hash to what the review shows: another call's review does not apply."""
    decision = Decision.from_review(
        review(result={"approved": True}), action="pay", arguments={**ARGS, "amount": 1_000}
    )
    assert decision.outcome == "rejected"
    assert "does not show this action" in str(decision.feedback)


def test_the_digest_binds_action_and_canonical_arguments() -> None:
    """Key order does not matter; the action and every value do."""
    assert digest("pay", {"a": 1, "b": 2}) == digest("pay", {"b": 2, "a": 1})
    assert digest("pay", {"a": 1}) != digest("refund", {"a": 1})
    assert digest("pay", {"a": 1}) != digest("pay", {"a": 2})


def test_rejection_error_pickles_with_its_decision() -> None:
    """ApprovalRejectedError is a HITLError that survives pickling with its decision."""
    decision = decide(review(result={"approved": False, "feedback": "No"}))
    error = ApprovalRejectedError(decision)
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, HITLError)
    assert again.decision == decision
    assert str(again) == str(error) == "approval of pay (review rev_1) was rejected: No"


@pytest.mark.parametrize(
    "options", [{"after": -1, "priority": "high"}, {"after": 5}, {"after": True, "priority": "high"}]
)
def test_bad_escalations_are_refused(options: dict[str, Any]) -> None:
    """An escalation needs a delay >= 0 and something to do."""
    with pytest.raises(InvalidArgumentError):
        Escalation(**options)


def test_calls_round_trip_through_json_arguments() -> None:
    """Positional-only, variadic and keyword-only parameters come back as the same call."""

    def tool(a: int, /, b: str, *rest: int, c: bool = False, **extra: str) -> None: ...

    shape = GuardedSignature(tool)
    arguments = shape.arguments((1, "x", 2, 3), {"c": True, "d": "y"})
    assert arguments == {"a": 1, "b": "x", "rest": [2, 3], "c": True, "extra": {"d": "y"}}
    shape.check(arguments)
    assert shape.call_with(arguments) == ([1, "x", 2, 3], {"c": True, "d": "y"})
    with pytest.raises(TypeError, match="missing required argument b"):
        shape.check({"a": 1})
    with pytest.raises(TypeError, match="c must be bool, got a number"):
        shape.check({"a": 1, "b": "x", "c": 1})
