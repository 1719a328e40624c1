"""
Pydantic AI + hitl: deferred tool approvals answered by a human on HITL.sh.

    python examples/agents/pydantic_ai_approvals.py

Runs offline: a function model (no API key, no network) asks for three tool calls, an emulator started here
holds the reviews, and a stand-in reviewer approves the email, edits the payment (run with the reviewer's
arguments through `ToolApproved(override_args=...)`) and rejects the branch deletion (`ToolDenied`).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))  # run as a file from a checkout

from pydantic_ai import Agent, DeferredToolRequests
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from examples.agents._reviewer import emulator_with_reviewer
from hitl.integrations.pydantic_ai import wait_for_results
from hitl_async import AsyncHITL


def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """Asks for three tool calls, then sums up what the tools answered."""
    answers = [part for part in messages[-1].parts if isinstance(part, ToolReturnPart)]
    if answers:
        return ModelResponse(
            parts=[TextPart(" | ".join(f"{part.tool_name}: {part.content}" for part in answers))]
        )
    return ModelResponse(
        parts=[
            ToolCallPart(
                "send_email", {"to": "customer@example.com", "subject": "Refund"}, tool_call_id="c1"
            ),
            ToolCallPart("pay_invoice", {"invoice": "inv_42", "amount": 120}, tool_call_id="c2"),
            ToolCallPart("delete_branch", {"branch": "release-2024"}, tool_call_id="c3"),
        ]
    )


agent: Agent[None, str | DeferredToolRequests] = Agent(
    FunctionModel(model), output_type=[str, DeferredToolRequests]
)


@agent.tool_plain(requires_approval=True)
def send_email(to: str, subject: str) -> str:
    return f"sent to {to}"


@agent.tool_plain(requires_approval=True)
def pay_invoice(invoice: str, amount: int) -> str:
    return f"paid {amount} on {invoice}"


@agent.tool_plain(requires_approval=True)
def delete_branch(branch: str) -> str:
    return f"deleted {branch}"


async def main() -> None:
    with emulator_with_reviewer() as server:
        async with AsyncHITL(api_key=server.api_key, base_url=server.url) as hitl:
            result = await agent.run("Refund the customer, pay invoice 42, clean up old branches")
            assert isinstance(result.output, DeferredToolRequests)
            print(f"{len(result.output.approvals)} tool calls wait for approval")
            answers = await wait_for_results(
                hitl, result.output, run_id="example-run", timeout=30, poll_interval=0.1
            )
            result = await agent.run(message_history=result.all_messages(), deferred_tool_results=answers)
    for line in str(result.output).split(" | "):
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
