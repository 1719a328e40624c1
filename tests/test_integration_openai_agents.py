"""hitl.integrations.openai_agents with the real OpenAI Agents SDK and its scripted model, on the emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from agents import Agent, Runner, RunState, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call

from hitl.integrations.openai_agents import apply_decision, decision_for, request_approvals, resolve
from hitl_async import AsyncHITL
from hitl_emulator import EmulatorServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the Agents SDK runs on asyncio


@pytest.fixture(autouse=True)
def no_tracing() -> Iterator[None]:
    set_tracing_disabled(True)  # no exporter, no network
    yield
    set_tracing_disabled(False)


@pytest.fixture
async def hitl(hitl_emulator_server: EmulatorServer) -> AsyncIterator[AsyncHITL]:
    async with AsyncHITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url) as client:
        yield client


def make_agent(paid: list[tuple[str, int]], final: str) -> Agent[None]:
    @function_tool(needs_approval=True)
    def pay(invoice: str, amount: int) -> str:
        """Pay an invoice."""
        paid.append((invoice, amount))
        return f"paid {amount}"

    model = ScriptedModel(
        [
            [function_call("pay", {"invoice": "inv_1", "amount": 120}, call_id="call_1")],
            [assistant_message(final)],
        ]
    )
    return Agent(name="payer", model=model, tools=[pay])


async def test_a_saved_run_resumes_with_the_decided_review(
    hitl: AsyncHITL, hitl_emulator_server: EmulatorServer
) -> None:
    """The paused run survives as JSON; the decided review approves its tool call and the run finishes."""
    paid: list[tuple[str, int]] = []
    agent = make_agent(paid, "Done.")
    first = await Runner.run(agent, "Pay invoice 1")
    saved = json.dumps(first.to_state().to_json())  # what outlives the asking process
    reviews = await request_approvals(hitl, first.interruptions, run_id="run-1")
    review_id = reviews["call_1"].id
    shown = hitl_emulator_server.emulator.reviews()[0]["content"]["text"]
    hitl_emulator_server.emulator.complete_review(review_id, {"approved": True, "content": shown})

    # Later, elsewhere (a webhook handler): restore the run and apply the decision.
    state = await RunState.from_json(agent, json.loads(saved))
    decided = await hitl.reviews.get(review_id)
    (item,) = state.get_interruptions()
    apply_decision(state, item, decision_for(decided, item))
    done = await Runner.run(agent, state)

    assert paid == [("inv_1", 120)]
    assert done.final_output == "Done."
    assert decided.content is not None and decided.content.metadata is not None
    assert decided.content.metadata["context"] == {
        "framework": "openai-agents",
        "run_id": "run-1",
        "call_id": "call_1",
    }


async def test_resolve_waits_and_a_rejection_reaches_the_model(
    hitl: AsyncHITL, hitl_emulator_server: EmulatorServer
) -> None:
    """resolve() waits in process; a rejection sends the reviewer's reason to the model, nothing is paid."""
    paid: list[tuple[str, int]] = []
    agent = make_agent(paid, "Understood.")
    first = await Runner.run(agent, "Pay invoice 1")
    reviews = await request_approvals(hitl, first.interruptions, run_id="run-2")
    shown = hitl_emulator_server.emulator.reviews()[0]["content"]["text"]
    answer = {"approved": False, "content": shown, "feedback": "Wrong vendor"}
    hitl_emulator_server.emulator.complete_review(reviews["call_1"].id, answer)

    state = await resolve(hitl, first.to_state(), run_id="run-2", timeout=5)  # finds the same review
    done = await Runner.run(agent, state)

    assert paid == []
    assert done.final_output == "Understood."
    sent = json.dumps([str(item) for item in done.to_input_list()])
    assert "Wrong vendor" in sent
    assert len(hitl_emulator_server.emulator.reviews()) == 1


async def test_an_edit_runs_when_the_model_calls_with_the_reviewers_arguments(
    hitl: AsyncHITL, hitl_emulator_server: EmulatorServer
) -> None:
    """The edit goes back as a rejection naming the new arguments; the model's call with them runs unasked."""
    paid: list[tuple[str, int]] = []

    @function_tool(needs_approval=True)
    def pay(invoice: str, amount: int) -> str:
        """Pay an invoice."""
        paid.append((invoice, amount))
        return f"paid {amount}"

    model = ScriptedModel(
        [
            [function_call("pay", {"invoice": "inv_1", "amount": 120}, call_id="call_1")],
            [function_call("pay", {"invoice": "inv_1", "amount": 100}, call_id="call_2")],
            [assistant_message("Paid 100.")],
        ]
    )
    agent = Agent(name="payer", model=model, tools=[pay])
    result = await Runner.run(agent, "Pay invoice 1")
    reviews = await request_approvals(hitl, result.interruptions, run_id="run-3")
    edited = json.dumps({"invoice": "inv_1", "amount": 100})
    hitl_emulator_server.emulator.complete_review(reviews["call_1"].id, {"approved": True, "content": edited})

    edits: dict[str, Any] = {}
    rounds = 0
    while result.interruptions:
        rounds += 1
        state = await resolve(hitl, result.to_state(), run_id="run-3", timeout=5, edits=edits)
        result = await Runner.run(agent, state)

    assert paid == [("inv_1", 100)]
    assert (rounds, edits, result.final_output) == (2, {}, "Paid 100.")
    assert "amount" in json.dumps([str(item) for item in result.to_input_list()])
    assert len(hitl_emulator_server.emulator.reviews()) == 1
