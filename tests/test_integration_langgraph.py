"""hitl.integrations.langgraph with the real LangGraph and its in-memory checkpointer, on the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph

from hitl import ReviewCompletedEvent
from hitl.integrations.langgraph import REVIEW_ID, request_approval, resume_command, wait_command
from hitl_emulator import EmulatorServer
from hitl_sync import HITL
from tests.receiver import Receiver


class State(TypedDict, total=False):
    invoice: str
    outcome: str


@pytest.fixture
def hitl(hitl_emulator_server: EmulatorServer) -> Iterator[HITL]:
    with HITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url) as client:
        yield client


def build(hitl: HITL, paid: list[dict[str, Any]]) -> Any:
    """A one-node graph whose node pays an invoice once a human approves."""

    def pay(state: State) -> State:
        decision = request_approval(hitl, "pay_invoice", {"invoice": state["invoice"], "amount": 120})
        if not decision.approved:
            return {"outcome": decision.to_llm_message()}
        paid.append(decision.arguments)
        return {"outcome": f"paid {decision.arguments['amount']}"}

    graph = StateGraph(State)
    graph.add_node("pay", pay)
    graph.add_edge(START, "pay")
    return graph.compile(checkpointer=InMemorySaver())


def test_a_webhook_resumes_the_paused_thread_with_the_edit(
    hitl: HITL, hitl_emulator_server: EmulatorServer, webhook_receiver: Receiver
) -> None:
    """Pause on interrupt, reviewer edits on the emulator, the verified webhook resumes the thread."""
    webhook = hitl.webhooks.create(url=webhook_receiver.url, events=["review.completed"])
    webhook_receiver.secret = webhook.secret
    paid: list[dict[str, Any]] = []
    graph = build(hitl, paid)
    config = {"configurable": {"thread_id": "thread-1"}}

    paused = graph.invoke({"invoice": "inv_42"}, config)
    (pending,) = paused["__interrupt__"]
    review_id = pending.value[REVIEW_ID]
    review = hitl.reviews.get(review_id)
    assert review.content is not None and review.content.metadata is not None
    assert review.content.metadata["context"] == {"thread_id": "thread-1"}
    assert paid == []

    edited = json.dumps({"invoice": "inv_42", "amount": 100})
    hitl_emulator_server.emulator.complete_review(review_id, {"approved": True, "content": edited})
    hitl_emulator_server.emulator.drain_deliveries()
    (event,) = webhook_receiver.accepted
    assert isinstance(event, ReviewCompletedEvent)

    # The asking process may be gone: the handler needs only the event and the thread it names.
    assert event.review.content is not None and event.review.content.metadata is not None
    thread = event.review.content.metadata["context"]["thread_id"]
    command = resume_command(event.review)
    assert type(command.resume["status"]) is str  # plain JSON for the checkpointer, no enum members
    done = graph.invoke(command, {"configurable": {"thread_id": thread}})

    assert done["outcome"] == "paid 100"
    assert paid == [{"invoice": "inv_42", "amount": 100}]
    assert len(hitl_emulator_server.emulator.reviews()) == 1  # the re-run node found the same review


def test_waiting_in_process_and_a_rejection(hitl: HITL, hitl_emulator_server: EmulatorServer) -> None:
    """wait_command waits for the pending review; a rejection reaches the node as a decision, nothing runs."""
    paid: list[dict[str, Any]] = []
    graph = build(hitl, paid)
    config = {"configurable": {"thread_id": "thread-2"}}

    paused = graph.invoke({"invoice": "inv_7"}, config)
    review_id = paused["__interrupt__"][0].value[REVIEW_ID]
    shown = hitl_emulator_server.emulator.reviews()[0]["content"]["text"]
    answer = {"approved": False, "content": shown, "feedback": "Duplicate invoice"}
    hitl_emulator_server.emulator.complete_review(review_id, answer)
    done = graph.invoke(wait_command(hitl, graph.get_state(config).interrupts, timeout=5), config)

    assert paid == []
    assert "rejected the call to pay_invoice" in done["outcome"]
    assert "Duplicate invoice" in done["outcome"]


def test_importing_the_sdk_imports_no_framework() -> None:
    """hitl, hitl_sync and hitl_async import no agent framework; an adapter imports its own, on request."""
    import subprocess
    import sys

    code = (
        "import sys, hitl, hitl_sync, hitl_async\n"
        "frameworks = ('langgraph', 'langchain', 'agents', 'openai', 'pydantic_ai', 'pydantic')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in frameworks]\n"
        "import hitl.integrations.langgraph\n"
        "assert 'langgraph' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
