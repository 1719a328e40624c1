"""
The emulator over loopback, in a process of its own, for the comparisons that need a real server.

`python -m benchmarks._server --seed N` serves a `hitl_emulator.Emulator` over loopback with uvicorn on a
background thread (`hitl_emulator.serve_in_thread`), with the rate limit lifted; it stores N reviews through
the emulator's Python controls (every fifth one completed, so results appear), prints
`{"url", "api_key", "review_id"}` as one JSON line, and serves until its standard input closes. A separate
process keeps the server's CPU time off the client's core and out of its GIL, and its allocations out of the
client's `tracemalloc`; `emulator()` runs it for the length of a `with` block.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hitl_emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
FIELD = {
    "name": "approved",
    "type": "boolean",
    "label": "Approve?",
    "editable": False,
    "required": True,
    "options": None,
}


@dataclass(frozen=True)
class Served:
    """A running emulator: where it listens, a key it accepts, and the id of its first review."""

    url: str
    api_key: str
    review_id: str


@contextmanager
def emulator(seed: int) -> Iterator[Served]:
    """Run the emulator in a child process holding `seed` reviews (at least one) until the block ends."""
    command = [sys.executable, "-m", "benchmarks._server", "--seed", str(max(seed, 1))]
    child = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    try:
        line = child.stdout.readline()
        if not line:
            raise SystemExit(f"the emulator process exited with {child.wait()} before it was ready")
        yield Served(**json.loads(line))
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def _serve(seed: int) -> None:
    from hitl_emulator import Emulator, EmulatorConfig, serve_in_thread

    emulator = Emulator(EmulatorConfig(rate_limit_per_minute=1_000_000_000))
    ids = _seed(emulator, seed)
    with serve_in_thread(emulator.app) as url:
        print(json.dumps({"url": url, "api_key": emulator.api_key, "review_id": ids[0]}), flush=True)
        sys.stdin.read()
    emulator.close()


def _seed(emulator: Emulator, count: int) -> list[str]:
    """Store `count` reviews of one template, oldest first, and complete every fifth; their ids."""
    with emulator.locked() as store:
        template = store.create_template({"name": "Bench", "description": None, "fields": [FIELD]})  # type: ignore[list-item]
        ids = []
        for index in range(count):
            record = store.create_review(
                {
                    "template_id": template.id,
                    "content": {
                        "text": f"Answer {index} to check.",
                        "metadata": {"source": "gpt-4", "ticket": index},
                    },
                    "assignees": ["reviewer@company.com"],
                    "priority": "medium",
                    "due_date": "2030-01-20T18:00:00Z",
                }
            )
            ids.append(record.id)
    for review_id in ids[::5]:
        emulator.complete_review(review_id)
    return ids


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1, help="reviews to store before serving")
    _serve(parser.parse_args().seed)
