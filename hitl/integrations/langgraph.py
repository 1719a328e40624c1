"""
LangGraph: pause a graph on a HITL.sh approval with `interrupt()`, resume it with `Command(resume=...)`.

Inside a node, `request_approval` (or `arequest_approval` in an async node) creates the approval review,
idempotently, keyed on the thread and the node's task, then interrupts the run. The answer comes back as
the decided review, from a wait in the same process (`wait_command`) or from a verified `review.completed`
webhook after the asking process is gone (`resume_command(event.review)`); LangGraph then re-runs the node,
whose `request_approval` finds the same review and returns the `Decision`.

    def pay(state: State) -> dict[str, Any]:
        decision = request_approval(hitl, "pay_invoice", {"invoice": state["invoice"], "amount": 120})
        if not decision.approved:
            return {"outcome": decision.to_llm_message()}
        return {"outcome": pay_invoice(**decision.arguments)}

Needs the `langgraph` extra (`pip install 'hitl[langgraph]'`) and a checkpointer on the graph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hitl._decision import Decision, check_request, digest
from hitl._exceptions import InvalidArgumentError
from hitl._models import PartialReview, Review
from hitl._types import NOT_GIVEN, NotGiven

try:
    from langgraph.config import get_config
    from langgraph.types import Command, Interrupt, interrupt
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError("hitl.integrations.langgraph needs LangGraph: pip install 'hitl[langgraph]'") from error

if TYPE_CHECKING:
    from hitl_async import AsyncHITL
    from hitl_sync import HITL

__all__ = ["REVIEW_ID", "arequest_approval", "request_approval", "resume_command", "wait_command"]

#: The key of the interrupt's value that holds the review id.
REVIEW_ID = "hitl_review_id"


def request_approval(
    client: HITL,
    action: str,
    arguments: Mapping[str, Any],
    *,
    assignees: Sequence[str] | NotGiven = NOT_GIVEN,
    context: Mapping[str, Any] | None = None,
    priority: Any = NOT_GIVEN,
    idempotency_key: str | None = None,
) -> Decision:
    """
    In a node: ask for approval of `action` with `arguments`, pausing the graph until the answer is there.

    The first run of the node creates the review and interrupts with `{"hitl_review_id", "action",
    "arguments"}`; the run resumed with `resume_command(review)` returns the `Decision` (checked against
    these arguments, so compute them the same way on both runs). The review's context records the thread
    (`thread_id`), so a webhook handler knows which thread to resume.

    Args:
        client: A `hitl_sync.HITL` client.
        action, arguments, assignees, priority: As for `client.approvals.request`.
        context: More for the reviewer's metadata, next to the thread id.
        idempotency_key: Default: the thread, the node's task and the action's digest, so re-running the
            node finds the same review.
    """
    original, key, review_context = _prepare(action, arguments, context, idempotency_key)
    review = client.approvals.create(
        action, original, assignees=assignees, context=review_context, priority=priority, idempotency_key=key
    )
    return _pause(review.id, action, original)


async def arequest_approval(
    client: AsyncHITL,
    action: str,
    arguments: Mapping[str, Any],
    *,
    assignees: Sequence[str] | NotGiven = NOT_GIVEN,
    context: Mapping[str, Any] | None = None,
    priority: Any = NOT_GIVEN,
    idempotency_key: str | None = None,
) -> Decision:
    """`request_approval` for async nodes, with a `hitl_async.AsyncHITL` client."""
    original, key, review_context = _prepare(action, arguments, context, idempotency_key)
    review = await client.approvals.create(
        action, original, assignees=assignees, context=review_context, priority=priority, idempotency_key=key
    )
    return _pause(review.id, action, original)


def resume_command(review: Review | PartialReview, interrupts: Iterable[Interrupt] = ()) -> Command[Any]:
    """
    The `Command` that resumes the thread paused on `review`, once it is completed or cancelled.

    With several interrupts pending on the thread, pass them (`graph.get_state(config).interrupts`): the
    answer is then addressed to the one that asked for this review.
    """
    answer = _plain(review)
    for pending in interrupts:
        if isinstance(pending.value, Mapping) and pending.value.get(REVIEW_ID) == review.id:
            return Command(resume={pending.id: answer})
    return Command(resume=answer)


def wait_command(
    client: HITL,
    interrupts: Iterable[Interrupt],
    *,
    timeout: float | None = 600.0,
    poll_interval: float = 1.0,
) -> Command[Any]:
    """
    Wait in this process for every approval the interrupts ask for; the `Command` that resumes them all.

    Raises:
        WaitTimeoutError: A review was not decided within `timeout` seconds (each review's own wait).
    """
    answers: dict[str, Any] = {}
    for pending in interrupts:
        if isinstance(pending.value, Mapping) and REVIEW_ID in pending.value:
            review = client.reviews.wait(
                pending.value[REVIEW_ID], timeout=timeout, poll_interval=poll_interval
            )
            answers[pending.id] = _plain(review)
    if not answers:
        raise InvalidArgumentError("none of the interrupts waits for a HITL review")
    return Command(resume=answers)


def _plain(review: Review | PartialReview) -> dict[str, Any]:
    """The review as plain JSON values (no enum members): what a checkpointer stores without complaint."""
    plain: dict[str, Any] = json.loads(json.dumps(review.to_dict()))
    return plain


def _prepare(
    action: str, arguments: Mapping[str, Any], context: Mapping[str, Any] | None, key: str | None
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    original = check_request(action, arguments)
    configurable = get_config().get("configurable", {})
    thread = configurable.get("thread_id")
    if key is None:
        key = f"langgraph:{thread}:{configurable.get('checkpoint_ns', '')}:{digest(action, original)}"
    return original, key, {**(context or {}), "thread_id": None if thread is None else str(thread)}


def _pause(review_id: str, action: str, arguments: dict[str, Any]) -> Decision:
    answer = interrupt({REVIEW_ID: review_id, "action": action, "arguments": arguments})
    if not isinstance(answer, Mapping):
        raise InvalidArgumentError(
            f"the graph was resumed with {type(answer).__name__}, not a review: "
            "resume it with resume_command() or wait_command()"
        )
    # A webhook's review may be partial: read it as one (a fetched review fits too).
    return Decision.from_review(PartialReview.from_dict(answer), action=action, arguments=arguments)
