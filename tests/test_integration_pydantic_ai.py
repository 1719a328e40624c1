"""hitl.integrations.pydantic_ai with the real Pydantic AI and its function model, against the emulator."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic_ai import Agent, DeferredToolRequests
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from hitl.integrations.pydantic_ai import (
    approval_capability,
    decision_for,
    request_approvals,
    results_from,
    wait_for_results,
)
from hitl_async import AsyncHITL
from hitl_emulator import EmulatorServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Pydantic AI runs on asyncio


@pytest.fixture
async def hitl(hitl_emulator_server: EmulatorServer) -> AsyncIterator[AsyncHITL]:
    async with AsyncHITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url) as client:
        yield client


def scripted(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """The model: first asks for two tool calls, then reports what the tools said."""
    returned = [part for part in messages[-1].parts if isinstance(part, ToolReturnPart)]
    if returned:
        return ModelResponse(parts=[TextPart(" | ".join(str(part.content) for part in returned))])
    return ModelResponse(
        parts=[
            ToolCallPart("pay", {"invoice": "inv_1", "amount": 120}, tool_call_id="call_pay"),
            ToolCallPart("refund", {"invoice": "inv_0", "amount": 5}, tool_call_id="call_refund"),
        ]
    )


def make_agent(ran: list[tuple[str, int]]) -> Agent[None, str | DeferredToolRequests]:
    agent: Agent[None, str | DeferredToolRequests] = Agent(
        FunctionModel(scripted), output_type=[str, DeferredToolRequests]
    )

    @agent.tool_plain(requires_approval=True)
    def pay(invoice: str, amount: int) -> str:
        ran.append((invoice, amount))
        return f"paid {amount}"

    @agent.tool_plain(requires_approval=True)
    def refund(invoice: str, amount: int) -> str:
        ran.append((invoice, -amount))
        return f"refunded {amount}"

    return agent


def answer(
    server: EmulatorServer, review_id: str, approved: bool, edit: dict[str, Any] | None, note: str
) -> None:
    shown = next(r for r in server.emulator.reviews() if r["id"] == review_id)["content"]["text"]
    content = json.dumps(edit) if edit is not None else shown
    server.emulator.complete_review(review_id, {"approved": approved, "content": content, "feedback": note})


async def test_edit_and_rejection_reach_the_next_run(
    hitl: AsyncHITL, hitl_emulator_server: EmulatorServer
) -> None:
    """One review per deferred call; the edit runs as the reviewer wrote it, the rejection is the answer."""
    ran: list[tuple[str, int]] = []
    agent = make_agent(ran)
    first = await agent.run("Pay and refund")
    assert isinstance(first.output, DeferredToolRequests)

    reviews = await request_approvals(hitl, first.output, run_id="run-1")
    answer(hitl_emulator_server, reviews["call_pay"].id, True, {"invoice": "inv_1", "amount": 100}, "Capped")
    answer(hitl_emulator_server, reviews["call_refund"].id, False, None, "Already refunded")
    results = await wait_for_results(hitl, first.output, run_id="run-1", timeout=5)  # finds the same reviews
    second = await agent.run(message_history=first.all_messages(), deferred_tool_results=results)

    assert ran == [("inv_1", 100)]
    assert "paid 100" in str(second.output)
    assert "Already refunded" in str(second.output)
    assert len(hitl_emulator_server.emulator.reviews()) == 2


async def test_decisions_from_reviews_fetched_later(
    hitl: AsyncHITL, hitl_emulator_server: EmulatorServer
) -> None:
    """The webhook path: decided reviews (fetched by id here) map to DeferredToolResults for the saved run."""
    ran: list[tuple[str, int]] = []
    agent = make_agent(ran)
    first = await agent.run("Pay and refund")
    assert isinstance(first.output, DeferredToolRequests)
    reviews = await request_approvals(hitl, first.output, run_id="run-2")
    for review in reviews.values():
        answer(hitl_emulator_server, review.id, True, None, "OK")

    decided = {
        call.tool_call_id: await hitl.reviews.get(reviews[call.tool_call_id].id)
        for call in first.output.approvals
    }
    decisions = {
        call.tool_call_id: decision_for(decided[call.tool_call_id], call) for call in first.output.approvals
    }
    second = await agent.run(
        message_history=first.all_messages(), deferred_tool_results=results_from(decisions)
    )

    assert sorted(ran) == [("inv_0", -5), ("inv_1", 120)]
    assert decided["call_pay"].content is not None and decided["call_pay"].content.metadata is not None
    assert decided["call_pay"].content.metadata["context"]["run_id"] == "run-2"
    assert "paid 120" in str(second.output)


async def test_the_capability_answers_inside_the_run(
    hitl: AsyncHITL, hitl_emulator_server: EmulatorServer
) -> None:
    """With approval_capability the run asks, waits for the reviewer, and finishes in one call."""
    ran: list[tuple[str, int]] = []
    agent = make_agent(ran)
    stop = threading.Event()

    def reviewer() -> None:  # a person answering on the review page while the run waits
        while not stop.wait(0.02):
            for review in hitl_emulator_server.emulator.reviews():
                if review["status"] == "created":
                    approved = review["content"]["metadata"]["action"] == "pay"
                    answer(hitl_emulator_server, review["id"], approved, None, "Checked")

    thread = threading.Thread(target=reviewer, daemon=True)
    thread.start()
    try:
        result = await agent.run(
            "Pay and refund",
            run_id="run-3",
            capabilities=[approval_capability(hitl, timeout=10, poll_interval=0.05)],
        )
    finally:
        stop.set()
        thread.join(timeout=5)

    assert ran == [("inv_1", 120)]
    assert "paid 120" in str(result.output)
    assert "rejected the call to refund" in str(result.output)
    contexts = [
        review["content"]["metadata"]["context"] for review in hitl_emulator_server.emulator.reviews()
    ]
    assert {context["run_id"] for context in contexts} == {"run-3"}
