"""
A stand-in reviewer for the agent examples: answers approval reviews through the emulator's control API.

Against the real HITL.sh API people answer; here a thread approves `send_email`, edits `pay_invoice` down to
100, and rejects `delete_branch`, the way a reviewer would on the review page.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from hitl_emulator import EmulatorConfig, EmulatorServer, run_in_thread

__all__ = ["REVIEWER", "answer", "emulator_with_reviewer"]

REVIEWER = "lead@example.com"


def answer(action: str, arguments: dict[str, Any], shown: str) -> dict[str, Any]:
    """The reviewer's result for one approval review."""
    if action == "pay_invoice":
        edited = {**arguments, "amount": 100}
        return {"approved": True, "content": json.dumps(edited, indent=2), "feedback": "Capped at 100"}
    if action == "delete_branch":
        return {"approved": False, "content": shown, "feedback": "Release branches stay"}
    return {"approved": True, "content": shown, "feedback": "Looks right"}


@contextmanager
def emulator_with_reviewer() -> Iterator[EmulatorServer]:
    """An emulator on a free loopback port, and a reviewer thread answering its approval reviews."""
    with run_in_thread(EmulatorConfig()) as server:
        stop = threading.Event()
        thread = threading.Thread(target=_review, args=(server, stop), daemon=True)
        thread.start()
        try:
            yield server
        finally:
            stop.set()
            thread.join(timeout=5)


def _review(server: EmulatorServer, stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.url, headers=headers) as http:
        while not stop.wait(0.05):
            for review in http.get("/v1/reviews", params={"limit": 100}).json()["data"]:
                metadata = (review.get("content") or {}).get("metadata") or {}
                if review["status"] not in ("created", "assigned") or metadata.get("kind") != "hitl.approval":
                    continue
                shown = review["content"]["text"]
                result = answer(metadata["action"], json.loads(shown), shown)
                http.post(
                    f"/_emulator/reviews/{review['id']}/complete",
                    json={"result": result, "reviewer": REVIEWER},
                )
