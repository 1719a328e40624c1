"""
OpenAI Agents SDK + hitl: tools that need approval, answered by a human on HITL.sh.

    python examples/agents/openai_agents_approvals.py

Runs offline: a scripted model (no API key, no network) asks for three tool calls at once, an emulator
started here holds the reviews, and a stand-in reviewer approves the email, edits the payment and rejects the
branch deletion. The Agents SDK cannot run a tool with other arguments, so the edit reaches the model as a
rejection naming the reviewer's arguments; the model calls again with exactly those, which runs without
asking the reviewer twice.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))  # run as a file from a checkout

from agents import Agent, Runner, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call

from examples.agents._reviewer import emulator_with_reviewer
from hitl.integrations.openai_agents import resolve
from hitl_async import AsyncHITL

ran: list[str] = []


@function_tool(needs_approval=True)
def send_email(to: str, subject: str) -> str:
    """Send an email."""
    ran.append(f"send_email to {to}")
    return "sent"


@function_tool(needs_approval=True)
def pay_invoice(invoice: str, amount: int) -> str:
    """Pay an invoice."""
    ran.append(f"pay_invoice {invoice} {amount}")
    return f"paid {amount}"


@function_tool(needs_approval=True)
def delete_branch(branch: str) -> str:
    """Delete a git branch."""
    ran.append(f"delete_branch {branch}")
    return "deleted"


MODEL = ScriptedModel(
    [
        [
            function_call(
                "send_email", {"to": "customer@example.com", "subject": "Refund"}, call_id="call_1"
            ),
            function_call("pay_invoice", {"invoice": "inv_42", "amount": 120}, call_id="call_2"),
            function_call("delete_branch", {"branch": "release-2024"}, call_id="call_3"),
        ],
        # The model read the reviewer's edit and calls again with the edited arguments.
        [function_call("pay_invoice", {"invoice": "inv_42", "amount": 100}, call_id="call_4")],
        [assistant_message("Email sent, invoice paid (100), branch kept.")],
    ]
)


async def main() -> None:
    set_tracing_disabled(True)
    agent = Agent(name="assistant", model=MODEL, tools=[send_email, pay_invoice, delete_branch])
    with emulator_with_reviewer() as server:
        async with AsyncHITL(api_key=server.api_key, base_url=server.url) as hitl:
            result = await Runner.run(agent, "Refund the customer, pay invoice 42, clean up old branches")
            rounds, edits = 0, {}  # edits: the reviewer's arguments, approved when the model calls with them
            while result.interruptions:
                rounds += 1
                state = await resolve(
                    hitl, result.to_state(), run_id="example-run", timeout=30, poll_interval=0.1, edits=edits
                )
                result = await Runner.run(agent, state)
            asked = len(server.emulator.reviews())
    print(f"{rounds} rounds of approval, {asked} reviews")
    for line in ran:
        print("ran:", line)
    print("model:", result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
