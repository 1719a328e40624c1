"""The benchmarks still run: `python -m benchmarks --smoke` at tiny sizes, with no assertion on timings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPARISONS = ("overhead", "imports", "decoding", "concurrency", "scale")


def test_every_comparison_runs_and_prints_its_table() -> None:
    """Each of the five comparisons prints its table and the summary names it; the run exits 0."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tables, _, summary = done.stdout.partition("\n== summary\n")
    assert summary, done.stdout
    assert "FAILED" not in summary, summary
    for name in COMPARISONS:
        assert f"\n== {name}: " in tables, f"{name} printed no table:\n{done.stdout}"
        assert f"   {name} " in summary, f"{name} missing from the summary:\n{summary}"
