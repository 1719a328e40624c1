"""
OpenAI Agents SDK: turn a run's tool-approval interruptions into HITL.sh reviews, and apply the decisions.

A tool made with `function_tool(needs_approval=True)` pauses the run: `result.interruptions` lists
`ToolApprovalItem`s. Each becomes a review keyed on your run id and the tool call's id, so asking again
finds the same review. Decisions go back with `state.approve(item)` or
`state.reject(item, rejection_message=decision.to_llm_message())`, then `Runner.run(agent, state)`.

    result = await Runner.run(agent, "Pay invoice 42")
    edits = {}
    while result.interruptions:
        state = await resolve(hitl, result.to_state(), run_id="run-42", edits=edits)   # waits here
        result = await Runner.run(agent, state)

After the asking process is gone: save `result.to_state().to_json()`, create the reviews with
`request_approvals`, and in your `review.completed` webhook handler restore the state with
`RunState.from_json(agent, saved)`, `apply_decision(state, item, decision_for(review, item))`, and run on.

The SDK cannot run a tool with changed arguments, so an edit is sent back as a rejection whose message
gives the model the reviewer's arguments; with `resolve(..., edits=...)` the model's call with exactly those
arguments then runs without asking again.

Needs the `openai-agents` extra (`pip install 'hitl[openai-agents]'`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from hitl._decision import Decision, canonical_json, digest
from hitl._exceptions import InvalidArgumentError
from hitl._models import PartialReview, Review
from hitl._types import NOT_GIVEN, NotGiven

try:
    from agents import RunState, ToolApprovalItem
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "hitl.integrations.openai_agents needs the OpenAI Agents SDK: pip install 'hitl[openai-agents]'"
    ) from error

if TYPE_CHECKING:
    from hitl_async import AsyncHITL

__all__ = ["apply_decision", "decision_for", "request_approvals", "resolve"]


async def request_approvals(
    client: AsyncHITL,
    interruptions: Iterable[ToolApprovalItem],
    *,
    run_id: str,
    assignees: Sequence[str] | NotGiven = NOT_GIVEN,
    priority: Any = NOT_GIVEN,
) -> dict[str, Review]:
    """
    Create (or find again) one approval review per interruption; by tool call id.

    The review's context records `run_id` and `call_id`, for a webhook handler to match it.
    """
    reviews: dict[str, Review] = {}
    for item in interruptions:
        call_id, action, arguments = _call(item)
        reviews[call_id] = await client.approvals.create(
            action,
            arguments,
            assignees=assignees,
            context=_context(run_id, call_id),
            priority=priority,
            idempotency_key=_key(run_id, call_id),
        )
    return reviews


async def resolve(
    client: AsyncHITL,
    state: RunState[Any, Any],
    *,
    run_id: str,
    assignees: Sequence[str] | NotGiven = NOT_GIVEN,
    priority: Any = NOT_GIVEN,
    timeout: float | None = 600.0,
    on_timeout: Any = "reject",
    poll_interval: float = 1.0,
    edits: dict[str, Decision] | None = None,
) -> RunState[Any, Any]:
    """
    Ask for every pending approval of `state`, wait in this process, apply the decisions; the state.

    `edits`: a dict you keep across the rounds of one run. An edit is sent back as a rejection naming the
    reviewer's arguments; recorded here, the model's next call with exactly those arguments is approved
    without asking again (matched by digest, so nothing else slips through).
    """
    for item in state.get_interruptions():
        call_id, action, arguments = _call(item)
        if edits is not None and edits.pop(digest(action, arguments), None) is not None:
            state.approve(item)  # exactly what a reviewer wrote in an earlier round
            continue
        decision = await client.approvals.request(
            action,
            arguments,
            assignees=assignees,
            context=_context(run_id, call_id),
            priority=priority,
            idempotency_key=_key(run_id, call_id),
            timeout=timeout,
            on_timeout=on_timeout,
            poll_interval=poll_interval,
        )
        apply_decision(state, item, decision)
        if edits is not None and decision.outcome == "edited":
            edits[decision.digest] = decision
    return state


def decision_for(review: Review | PartialReview, item: ToolApprovalItem) -> Decision:
    """The decision a decided review holds about `item` (checked against the call's own arguments)."""
    _, action, arguments = _call(item)
    return Decision.from_review(review, action=action, arguments=arguments)


def apply_decision(state: RunState[Any, Any], item: ToolApprovalItem, decision: Decision) -> None:
    """Approve or reject `item` on `state` as `decision` says; an edit is a rejection naming the new call."""
    if decision.outcome == "edited":
        message = (
            f"{decision.to_llm_message()} The tool was not run: call {decision.action} again with exactly "
            f"these arguments: {canonical_json(decision.arguments)}"
        )
        state.reject(item, rejection_message=message)
    elif decision.approved:
        state.approve(item)
    else:
        state.reject(item, rejection_message=decision.to_llm_message())


def _call(item: ToolApprovalItem) -> tuple[str, str, dict[str, Any]]:
    """The call id, tool name and arguments of an approval item."""
    raw = item.raw_item
    call_id = raw.get("call_id") if isinstance(raw, dict) else getattr(raw, "call_id", None)
    text = item.arguments or "{}"
    try:
        arguments = json.loads(text)
    except ValueError:
        arguments = None
    if not isinstance(call_id, str) or not item.tool_name or not isinstance(arguments, dict):
        raise InvalidArgumentError(f"{item!r} is not a function tool call with JSON object arguments")
    return call_id, item.tool_name, arguments


def _context(run_id: str, call_id: str) -> dict[str, str]:
    return {"framework": "openai-agents", "run_id": run_id, "call_id": call_id}


def _key(run_id: str, call_id: str) -> str:
    return f"openai-agents:{run_id}:{call_id}"
