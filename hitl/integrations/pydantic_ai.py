"""
Pydantic AI: answer a run's `DeferredToolRequests` approvals with HITL.sh reviews.

A tool with `requires_approval=True` ends the run with `DeferredToolRequests` (add it to the agent's
`output_type`). Each approval becomes a review, keyed on your run id and the tool-call id, so asking again
finds the same review. The decisions come back as `DeferredToolResults` for the next run:
`ToolApproved()` (or `ToolApproved(override_args=...)` for the reviewer's edit) and `ToolDenied(message)`
with `decision.to_llm_message()`.

    result = await agent.run("Pay invoice 42")
    if isinstance(result.output, DeferredToolRequests):
        answers = await wait_for_results(hitl, result.output, run_id="run-42")      # in this process, or
        result = await agent.run(message_history=result.all_messages(), deferred_tool_results=answers)

Or answer inside the run: `Agent(..., capabilities=[approval_capability(hitl)])`. After the asking process is
gone, keep `result.all_messages()` and the requests, create the reviews with
`request_approvals`, and build the results from the decided reviews (`results_from` + `decision_for`) in
your `review.completed` webhook handler.

Needs the `pydantic-ai` extra (`pip install 'hitl[pydantic-ai]'`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hitl._decision import Decision
from hitl._models import PartialReview, Review
from hitl._types import NOT_GIVEN, NotGiven

try:
    from pydantic_ai import DeferredToolRequests, DeferredToolResults, RunContext, ToolApproved, ToolDenied
    from pydantic_ai.capabilities import HandleDeferredToolCalls
    from pydantic_ai.messages import ToolCallPart
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "hitl.integrations.pydantic_ai needs Pydantic AI: pip install 'hitl[pydantic-ai]'"
    ) from error

if TYPE_CHECKING:
    from hitl_async import AsyncHITL

__all__ = ["approval_capability", "decision_for", "request_approvals", "results_from", "wait_for_results"]


async def request_approvals(
    client: AsyncHITL,
    requests: DeferredToolRequests,
    *,
    run_id: str,
    assignees: Sequence[str] | NotGiven = NOT_GIVEN,
    priority: Any = NOT_GIVEN,
) -> dict[str, Review]:
    """
    Create (or find again) one approval review per tool call awaiting approval; by tool-call id.

    The review's context records `run_id` and `tool_call_id`, for a webhook handler to match it.
    """
    reviews: dict[str, Review] = {}
    for call in requests.approvals:
        reviews[call.tool_call_id] = await client.approvals.create(
            call.tool_name,
            call.args_as_dict(),
            assignees=assignees,
            context=_context(run_id, call),
            priority=priority,
            idempotency_key=_key(run_id, call),
        )
    return reviews


async def wait_for_results(
    client: AsyncHITL,
    requests: DeferredToolRequests,
    *,
    run_id: str,
    assignees: Sequence[str] | NotGiven = NOT_GIVEN,
    priority: Any = NOT_GIVEN,
    timeout: float | None = 600.0,
    on_timeout: Any = "reject",
    poll_interval: float = 1.0,
) -> DeferredToolResults:
    """Ask for every approval and wait in this process; the `DeferredToolResults` for the next run."""
    decisions: dict[str, Decision] = {}
    for call in requests.approvals:
        decisions[call.tool_call_id] = await client.approvals.request(
            call.tool_name,
            call.args_as_dict(),
            assignees=assignees,
            context=_context(run_id, call),
            priority=priority,
            idempotency_key=_key(run_id, call),
            timeout=timeout,
            on_timeout=on_timeout,
            poll_interval=poll_interval,
        )
    return results_from(decisions)


def approval_capability(
    client: AsyncHITL,
    *,
    assignees: Sequence[str] | NotGiven = NOT_GIVEN,
    priority: Any = NOT_GIVEN,
    timeout: float | None = 600.0,
    on_timeout: Any = "reject",
    poll_interval: float = 1.0,
) -> HandleDeferredToolCalls[Any]:
    """
    A capability that answers approvals inside the run: it asks, waits, and the run goes on.

        agent = Agent(model, capabilities=[approval_capability(hitl, assignees=["ops@example.com"])])

    Reviews are keyed on the run's `run_id` (pass `run_id=` to `Agent.run` to resume the same reviews after
    a restart) and the tool-call id. Deferred calls that are not approvals are left to other handlers.
    """

    async def handle(ctx: RunContext[Any], requests: DeferredToolRequests) -> DeferredToolResults | None:
        if not requests.approvals:
            return None
        return await wait_for_results(
            client,
            requests,
            run_id=ctx.run_id or ctx.conversation_id or "run",
            assignees=assignees,
            priority=priority,
            timeout=timeout,
            on_timeout=on_timeout,
            poll_interval=poll_interval,
        )

    return HandleDeferredToolCalls(handler=handle)


def decision_for(review: Review | PartialReview, call: ToolCallPart) -> Decision:
    """The decision a decided review holds about `call` (checked against the call's own arguments)."""
    return Decision.from_review(review, action=call.tool_name, arguments=call.args_as_dict())


def results_from(decisions: Mapping[str, Decision]) -> DeferredToolResults:
    """`DeferredToolResults` from decisions by tool-call id: approved, approved with edits, or denied."""
    approvals: dict[str, bool | ToolApproved | ToolDenied] = {}
    for call_id, decision in decisions.items():
        if not decision.approved:
            approvals[call_id] = ToolDenied(decision.to_llm_message())
        elif decision.outcome == "edited":
            approvals[call_id] = ToolApproved(override_args=dict(decision.arguments))
        else:
            approvals[call_id] = ToolApproved()
    return DeferredToolResults(approvals=approvals)


def _context(run_id: str, call: ToolCallPart) -> dict[str, str]:
    return {"framework": "pydantic-ai", "run_id": run_id, "tool_call_id": call.tool_call_id}


def _key(run_id: str, call: ToolCallPart) -> str:
    return f"pydantic-ai:{run_id}:{call.tool_call_id}"
