"""
LangGraph + hitl: a graph whose node asks a human before each of three actions.

    python examples/agents/langgraph_approvals.py

Runs against an emulator started here, with a stand-in reviewer who approves the email, edits the payment
and rejects the branch deletion. The graph pauses on `interrupt()` for each approval and is resumed with the
decided review (`wait_command`); a webhook handler would use `resume_command(event.review)` instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))  # run as a file from a checkout

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph

from examples.agents._reviewer import emulator_with_reviewer
from hitl.integrations.langgraph import request_approval, wait_command
from hitl_sync import HITL

ACTIONS = [
    ("send_email", {"to": "customer@example.com", "subject": "Your refund is on its way"}),
    ("pay_invoice", {"invoice": "inv_42", "amount": 120}),
    ("delete_branch", {"branch": "release-2024"}),
]


class State(TypedDict, total=False):
    log: list[str]


def main() -> None:
    with emulator_with_reviewer() as server, HITL(api_key=server.api_key, base_url=server.url) as hitl:

        def act(state: State) -> State:
            log = []
            for action, arguments in ACTIONS:
                decision = request_approval(hitl, action, arguments, assignees=["lead@example.com"])
                verdict = f"ran with {decision.arguments}" if decision.approved else "not run"
                log.append(f"{action}: {decision.outcome}, {verdict} ({decision.feedback})")
            return {"log": log}

        graph = StateGraph(State)
        graph.add_node("act", act)
        graph.add_edge(START, "act")
        app = graph.compile(checkpointer=InMemorySaver())
        config: Any = {"configurable": {"thread_id": "example-thread"}}

        result = app.invoke({}, config)
        pauses = 0
        while "__interrupt__" in result:
            pauses += 1
            result = app.invoke(
                wait_command(hitl, app.get_state(config).interrupts, timeout=30, poll_interval=0.1), config
            )
        print(f"paused {pauses} times for a human")
        for line in result["log"]:
            print(line)


if __name__ == "__main__":
    main()
