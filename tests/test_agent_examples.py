"""The agent examples (examples/agents/) run end to end, offline, against their embedded emulator."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "agents"

EXPECTED = {
    "langgraph_approvals.py": [
        "paused 3 times for a human",
        "send_email: approved, ran with",
        "pay_invoice: edited, ran with {'invoice': 'inv_42', 'amount': 100} (Capped at 100)",
        "delete_branch: rejected, not run (Release branches stay)",
    ],
    "openai_agents_approvals.py": [
        "2 rounds of approval, 3 reviews",
        "ran: send_email to customer@example.com",
        "ran: pay_invoice inv_42 100",
        "model: Email sent, invoice paid (100), branch kept.",
    ],
    "pydantic_ai_approvals.py": [
        "3 tool calls wait for approval",
        "send_email: sent to customer@example.com",
        "pay_invoice: paid 100 on inv_42",
        "delete_branch: A human rejected the call to delete_branch; it was not run. "
        "The reviewer said: Release branches stay",
    ],
}


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_one_approval_one_edit_one_rejection(script: str) -> None:
    """Each framework's example: the email is approved, the payment edited to 100, the deletion rejected."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    for line in EXPECTED[script]:
        assert line in result.stdout, result.stdout
    assert "delete_branch release-2024" not in result.stdout
    assert "Deserializing unregistered type" not in result.stderr
