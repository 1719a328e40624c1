"""
Comparison 2, import time: what `import hitl_sync` / `import hitl_async` cost a fresh interpreter.

The reference is `import httpx, cattrs`, the two libraries hitl is built on: hitl cannot import faster than
them, and the budget (at most 1.2x) bounds what hitl adds on top. Each sample is the wall time of a new
interpreter running the import, minus the median of a bare interpreter (`pass`), alternating all statements
in rounds. `-X importtime` then names hitl's own slowest modules, and the modules hitl pulls in that httpx
and cattrs do not, to show where a fix would pay.

Every interpreter imports as a user's would after `pip install hitl`:

- from bytecode: all modules, hitl's and its dependencies', are compiled once into a temporary
  `PYTHONPYCACHEPREFIX` (even where `PYTHONDONTWRITEBYTECODE` is set, as in some development shells), so no
  side pays for compiling source;
- without httpx's command-line extras: httpx imports click, rich and pygments when they happen to be
  installed, as in a development environment, which hitl does not bring; they are hidden on every side.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from benchmarks._harness import Report, Row, alternate, main

BUDGET = 1.2
ROOT = Path(__file__).resolve().parent.parent
PRELUDE = "import sys; sys.modules.update(dict.fromkeys(['click', 'rich', 'pygments']))\n"
REFERENCE = "import httpx, cattrs"
STATEMENTS = {
    "bare": "pass",
    "reference": REFERENCE,
    "hitl_sync": "import hitl_sync",
    "hitl_async": "import hitl_async",
}
OURS = ("hitl", "hitl_sync", "hitl_async")


@dataclass(frozen=True)
class Sizes:
    rounds: int  # fresh interpreters per statement, alternating
    importtime_runs: int  # -X importtime runs per statement, median per module


FULL = Sizes(rounds=20, importtime_runs=7)
SMOKE = Sizes(rounds=1, importtime_runs=1)


@dataclass(frozen=True)
class Interpreter:
    """How to start the fresh interpreters: the environment with the bytecode cache to use."""

    env: dict[str, str]

    def run(self, statement: str, *options: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, *options, "-c", PRELUDE + statement]
        return subprocess.run(command, cwd=ROOT, env=self.env, check=True, capture_output=True, text=True)

    def milliseconds(self, statement: str) -> float:
        """Wall time for a fresh interpreter to run `statement` and exit."""
        start = time.perf_counter()
        self.run(statement)
        return (time.perf_counter() - start) * 1e3

    def importtime(self, statement: str, runs: int) -> dict[str, tuple[float, float]]:
        """Median (cumulative, self) microseconds per module under `-X importtime`."""
        samples: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for _ in range(runs):
            for line in self.run(statement, "-X", "importtime").stderr.splitlines():
                parts = line.removeprefix("import time:").split("|")
                if len(parts) == 3 and parts[1].strip().isdigit():
                    samples[parts[2].strip()].append((float(parts[1]), float(parts[0])))
        return {
            module: (statistics.median(c for c, _ in values), statistics.median(s for _, s in values))
            for module, values in samples.items()
        }


def _top(times: dict[str, tuple[float, float]], keep: int) -> list[str]:
    ranked = sorted(times.items(), key=lambda item: -item[1][0])[:keep]
    return [
        f"     {module:<28} {cumulative / 1e3:7.1f} {own / 1e3:7.1f}" for module, (cumulative, own) in ranked
    ]


def measure(interpreter: Interpreter, sizes: Sizes) -> Report:
    for statement in STATEMENTS.values():  # writes the bytecode cache, warms the page cache
        interpreter.run(statement)
    samplers = {
        name: (lambda s=statement: interpreter.milliseconds(s)) for name, statement in STATEMENTS.items()
    }
    medians = alternate(samplers, sizes.rounds)
    bare = medians["bare"]
    reference = medians["reference"] - bare
    report = Report("imports", "import time in fresh interpreters, net of a bare start", REFERENCE)
    for name in ("hitl_sync", "hitl_async"):
        net = medians[name] - bare
        ratio = net / reference
        budget = f"<= {BUDGET}x"
        report.rows.append(
            Row(f"import {name}", f"{net:.1f} ms", f"{reference:.1f} ms", ratio, budget, ratio <= BUDGET)
        )
    report.notes.append(
        f"median of {sizes.rounds} alternating interpreters per statement; bare start {bare:.1f} ms"
    )
    reference_modules = interpreter.importtime(REFERENCE, sizes.importtime_runs)
    for name in ("hitl_sync", "hitl_async"):
        times = interpreter.importtime(STATEMENTS[name], sizes.importtime_runs)
        ours = {module: us for module, us in times.items() if module.split(".")[0] in OURS}
        extra = {
            module: us
            for module, us in times.items()
            if module not in reference_modules and module not in ours
        }
        added = sum(own for _, own in ours.values()) + sum(own for _, own in extra.values())
        report.notes.append(
            f"-X importtime, import {name}: hitl's modules, then others httpx+cattrs do not import "
            f"(self times add up to {added / 1e3:.1f} ms)"
        )
        report.notes.append(f"     {'module':<28} {'cum ms':>7} {'self ms':>7}")
        report.notes += _top(ours, 10)
        report.notes += _top(extra, 5) or ["     (none)"]
    return report


def run(smoke: bool) -> Report:
    with tempfile.TemporaryDirectory(prefix="hitl-bench-pycache-") as cache:
        env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        return measure(Interpreter(env), SMOKE if smoke else FULL)


if __name__ == "__main__":
    main(run)
