"""examples/cli.sh, the release gate, run by sh against the loopback emulator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hitl_emulator import EmulatorServer

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "cli.sh"

pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="examples/cli.sh reads JSON with jq")


def _start(env: dict[str, str], notes: str) -> subprocess.Popen[str]:
    # `hitl` is the console script installed next to this interpreter.
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.Popen(
        ["sh", str(SCRIPT), notes],
        env={**env, "PATH": path, "HITL_WAIT_SECONDS": "30"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _open_review(server: EmulatorServer) -> str:
    """The id of the review the script created, once it exists."""
    headers = {"Authorization": f"Bearer {server.api_key}"}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reviews = httpx.get(f"{server.url}/v1/reviews", headers=headers).json()["data"]
        if reviews:
            return str(reviews[-1]["id"])
        time.sleep(0.1)
    raise AssertionError("the script created no review")


def test_release_gate(env: dict[str, str], hitl_emulator_server: EmulatorServer) -> None:
    """A rejection fails the job with the reviewer's reason; an approval on the next run passes it."""
    script = _start(env, "Release 2.4: faster exports")
    review_id = _open_review(hitl_emulator_server)
    httpx.post(
        f"{hitl_emulator_server.url}/_emulator/reviews/{review_id}/complete",
        json={"result": {"approved": False, "feedback": "Mention the migration"}},
    ).raise_for_status()
    out, err = script.communicate(timeout=60)
    assert script.returncode == 1, err
    assert "not approved: Mention the migration" in err

    # The second run finds the template by name, and this time the (automatic) reviewer approves.
    httpx.patch(f"{hitl_emulator_server.url}/_emulator/config", json={"auto_complete": 0}).raise_for_status()
    script = _start(env, "Release 2.4: faster exports, and the migration")
    out, err = script.communicate(timeout=60)
    assert script.returncode == 0, err
    assert out.startswith("release gate: approved by ")
    templates = httpx.get(
        f"{hitl_emulator_server.url}/v1/templates",
        headers={"Authorization": f"Bearer {hitl_emulator_server.api_key}"},
    ).json()["data"]
    assert [t["name"] for t in templates] == ["Release gate"]
