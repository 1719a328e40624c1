"""
Approval decisions: what a human decided about one action of an AI agent, read from a completed review.

No I/O. `client.approvals` (both clients) creates the review and waits; this module builds the review's
content, and maps the review back to a `Decision` bound to the exact action that was asked about.

An approval review shows the action's arguments as indented JSON (`content.text`, which the reviewer may
edit) and keeps `action`, `context` and a digest of action + canonical arguments in `content.metadata`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeAlias

import attrs

from hitl._exceptions import HITLError, InvalidArgumentError
from hitl._models import PartialReview, Priority, Review, ReviewStatus

__all__ = ["ApprovalRejectedError", "Decision", "DecisionOutcome", "Escalation"]

#: What became of an approval request.
DecisionOutcome: TypeAlias = Literal["approved", "edited", "rejected", "timed_out"]

#: The built-in approval template: found by this name, or created once per client.
TEMPLATE_NAME = "Agent action approval (hitl SDK)"
TEMPLATE_DESCRIPTION = (
    "An AI agent asks to run one action: approve it, edit its JSON arguments, or reject it."
)
#: The reference's example fields, in order: what the approval mapping reads back.
TEMPLATE_FIELDS: tuple[dict[str, Any], ...] = (
    {
        "name": "content",
        "type": "content_display",
        "label": "Action arguments (JSON; edit to change what runs)",
        "editable": True,
        "required": True,
    },
    {"name": "approved", "type": "boolean", "label": "Approve this action", "required": True},
    {"name": "feedback", "type": "text", "label": "Feedback for the agent", "required": False},
)
#: Marks an approval review's metadata, so webhook handlers can tell approvals from other reviews.
KIND = "hitl.approval"


def canonical_json(arguments: Mapping[str, Any]) -> str:
    """The arguments as canonical JSON (sorted keys, no spaces): equal arguments, equal text."""
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest(action: str, arguments: Mapping[str, Any]) -> str:
    """`sha256:<hex>` of the action and its canonical arguments: what an approval is bound to."""
    text = canonical_json({"action": action, "arguments": arguments})
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_request(action: object, arguments: object) -> dict[str, Any]:
    """A JSON copy of `arguments` after checking both; raises `InvalidArgumentError` naming what is wrong."""
    if not isinstance(action, str) or not action.strip():
        raise InvalidArgumentError(f"action must be a non-empty string (a tool name), got {action!r}")
    if not isinstance(arguments, Mapping) or not all(isinstance(key, str) for key in arguments):
        raise InvalidArgumentError("arguments must be a mapping of argument names (strings) to JSON values")
    try:
        # A copy in the caller's order (what the reviewer reads), which later changes to theirs cannot touch.
        copied: dict[str, Any] = json.loads(json.dumps(arguments, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(
            f"the arguments of {action!r} must be JSON values (the reviewer sees and edits them as JSON): "
            f"{error}"
        ) from None
    return copied


def review_content(action: str, arguments: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """The `content` of an approval review: the arguments as indented JSON, and what binds them."""
    metadata: dict[str, Any] = {"kind": KIND, "action": action, "digest": digest(action, arguments)}
    if context is not None:
        metadata["context"] = context
    return {"text": json.dumps(arguments, indent=2, ensure_ascii=False), "metadata": metadata}


@attrs.frozen(kw_only=True)
class Escalation:
    """
    A step of escalation: if nobody has decided `after` seconds into the wait, add reviewers and/or raise
    the review's priority (through `reviews.update`).

    Args:
        after: Seconds after the approval was requested.
        assignees: Reviewers to add to those already assigned.
        priority: The review's new priority.
    """

    after: float
    assignees: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    priority: Priority | Literal["low", "medium", "high", "urgent"] | None = None

    def __attrs_post_init__(self) -> None:
        if isinstance(self.after, bool) or not isinstance(self.after, int | float) or not self.after >= 0:
            raise InvalidArgumentError(f"Escalation.after must be seconds >= 0, got {self.after!r}")
        if not self.assignees and self.priority is None:
            raise InvalidArgumentError("an Escalation needs assignees to add, a priority, or both")
        if not all(isinstance(email, str) and email for email in self.assignees):
            raise InvalidArgumentError("Escalation.assignees must be email addresses (strings)")


@attrs.frozen(kw_only=True)
class Decision:
    """
    What a human decided about one action, bound to it.

    Attributes:
        outcome: `approved`, `edited` (approved with the reviewer's arguments), `rejected`, or `timed_out`
            (nobody decided in time; `approved` then follows the request's `on_timeout`).
        approved: Whether the action may run, with `arguments`.
        action: The action (tool name) asked about.
        arguments: What will run: the reviewer's edit if `edited`, else the original arguments.
        original_arguments: The arguments the agent asked to run.
        feedback: The reviewer's feedback, or why the decision was made for them (an invalid edit, a timeout).
        reviewer: Who decided, when someone did.
        review_id: The review that asked.
    """

    outcome: DecisionOutcome
    approved: bool
    action: str
    arguments: dict[str, Any]
    original_arguments: dict[str, Any]
    feedback: str | None = None
    reviewer: str | None = None
    review_id: str | None = None

    @property
    def digest(self) -> str:
        """The digest of `action` + `arguments`: check it right before running, to run exactly this."""
        return digest(self.action, self.arguments)

    def to_llm_message(self) -> str:
        """A short text telling the model what the human decided and why, to return as the tool's result."""
        said = f" The reviewer said: {self.feedback}" if self.feedback else ""
        if self.outcome == "approved":
            return f"A human approved the call to {self.action}.{said}"
        if self.outcome == "edited":
            edited, asked = canonical_json(self.arguments), canonical_json(self.original_arguments)
            return (
                f"A human approved the call to {self.action} with edited arguments {edited} "
                f"(instead of {asked}).{said}"
            )
        if self.outcome == "timed_out":
            went = "went ahead by default" if self.approved else "was not run"
            return f"No human answered in time, so the call to {self.action} {went}."
        reason = said or " No reason was given."
        return f"A human rejected the call to {self.action}; it was not run.{reason}"

    @classmethod
    def from_review(
        cls,
        review: Review | PartialReview,
        *,
        action: str,
        arguments: Mapping[str, Any],
        validate: Callable[[dict[str, Any]], object] | None = None,
    ) -> Decision:
        """
        The decision a completed (or cancelled) approval review holds about `action` with `arguments`.

        Use it when the answer arrives later, e.g. in a `review.completed` webhook handler, with the action
        and arguments your own state kept (not those read from the review: the review is checked against
        them). The mapping: `approved` false → rejected; true with the content unchanged (or absent) →
        approved; true with changed content that parses as a JSON object → edited; changed content that
        does not parse, or that `validate` refuses (by raising `ValueError` or `TypeError`) → rejected,
        with the reason in `feedback`. A cancelled review is rejected, and a review whose content no longer
        shows this action with these arguments is rejected: nothing runs that nobody saw.

        Raises:
            InvalidArgumentError: The review is still open, or carries no content to check (fetch it with
                `reviews.get`).
        """
        original = check_request(action, arguments)

        def decided(outcome: DecisionOutcome, feedback: str | None, to_run: dict[str, Any]) -> Decision:
            return cls(
                outcome=outcome,
                approved=outcome != "rejected",
                action=action,
                arguments=to_run,
                original_arguments=original,
                feedback=feedback,
                reviewer=review.reviewer,
                review_id=review.id,
            )

        if review.status == ReviewStatus.CANCELLED:
            return decided("rejected", "The review was cancelled before anyone decided.", original)
        if review.status != ReviewStatus.COMPLETED:
            raise InvalidArgumentError(f"review {review.id} is {review.status}: nobody has decided yet")
        if review.content is None:
            raise InvalidArgumentError(
                f"review {review.id} carries no content to check the decision against; "
                "fetch it with reviews.get()"
            )
        if _shown_digest(review.content.text, review.content.metadata, action) != digest(action, original):
            feedback = (
                "The review does not show this action with these arguments (its content was changed, or it "
                "is another review), so the decision does not apply; nothing was run."
            )
            return decided("rejected", feedback, original)
        result = review.result or {}
        said = result.get("feedback")
        reviewer_feedback = said if isinstance(said, str) and said else None
        if result.get("approved") is not True:
            return decided("rejected", reviewer_feedback, original)
        edit = _read_edit(result.get("content"), review.content.text, original)
        if isinstance(edit, str):
            return decided("rejected", _refused(edit, reviewer_feedback), original)
        if edit is None:
            return decided("approved", reviewer_feedback, original)
        if validate is not None:
            try:
                validate(edit)
            except (TypeError, ValueError) as error:
                return decided("rejected", _refused(str(error), reviewer_feedback), original)
        return decided("edited", reviewer_feedback, edit)


def _shown_digest(text: str, metadata: Mapping[str, Any] | None, action: str) -> str | None:
    """The digest the review's content binds, if its text and metadata agree on one; else None."""
    recorded = (metadata or {}).get("digest")
    try:
        shown = json.loads(text)
    except ValueError:
        return None
    if not isinstance(shown, dict) or (metadata or {}).get("action") != action:
        return None
    return recorded if recorded == digest(action, shown) else None


def _read_edit(value: object, shown: str, original: dict[str, Any]) -> dict[str, Any] | str | None:
    """The reviewer's edited arguments; None when unchanged; a string saying why an edit is unreadable."""
    if value is None or value == shown:
        return None
    if not isinstance(value, str):
        return f"the edited content must be text, got {type(value).__name__}"
    try:
        edited = json.loads(value)
    except ValueError as error:
        return f"the edited arguments are not valid JSON ({error})"
    if not isinstance(edited, dict):
        return "the edited arguments must be a JSON object of argument names to values"
    return None if edited == original else edited


def _refused(reason: str, reviewer_feedback: str | None) -> str:
    text = f"The reviewer's edit could not be used, so the action was not run: {reason}."
    return f"{text} The reviewer said: {reviewer_feedback}" if reviewer_feedback else text


class ApprovalRejectedError(HITLError):
    """
    A guarded action was not approved (`approvals.require`): rejected, or timed out with `on_timeout`
    set to reject. `decision` says by whom and why; `decision.to_llm_message()` tells the model.
    """

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        who = f" by {decision.reviewer}" if decision.reviewer else ""
        why = f": {decision.feedback}" if decision.feedback else ""
        outcome = "timed out" if decision.outcome == "timed_out" else "was rejected"
        review = f" (review {decision.review_id})" if decision.review_id else ""
        super().__init__(f"approval of {decision.action}{review} {outcome}{who}{why}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.decision,))
