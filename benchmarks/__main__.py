"""
`python -m benchmarks [--smoke] [--only NAME]`: run the five comparisons, each in a fresh interpreter.

One process per comparison keeps them from warming or polluting each other (imported modules, allocator
state, tracemalloc, an emulator's threads). Each prints its own table; the summary at the end lists every
budget missed. The exit status is 1 if a comparison failed to run (or, with `--strict`, missed a budget):
timings never fail the smoke run that the test suite makes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._harness import machine

ROOT = Path(__file__).resolve().parent.parent
COMPARISONS = ("overhead", "imports", "decoding", "concurrency", "scale")


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0].strip()
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that every benchmark runs")
    parser.add_argument(
        "--only", choices=COMPARISONS, action="append", help="run this comparison (repeatable)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    args = parser.parse_args()
    names = args.only or list(COMPARISONS)
    print(f"hitl benchmarks{' (smoke: tiny sizes, figures mean nothing)' if args.smoke else ''}")
    for line in machine():
        print(f"   {line}")
    summary: list[str] = []
    failed = missed = False
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            report_path = Path(folder) / f"{name}.json"
            command = [sys.executable, "-m", f"benchmarks.{name}", "--report", str(report_path)]
            start = time.perf_counter()
            sys.stdout.flush()
            done = subprocess.run([*command, *(["--smoke"] if args.smoke else [])], cwd=ROOT)
            seconds = time.perf_counter() - start
            if done.returncode != 0 or not report_path.exists():
                failed = True
                summary.append(f"{name:<12} FAILED (exit {done.returncode}) after {seconds:.0f} s")
                continue
            report = json.loads(report_path.read_text())
            if report["skipped"]:
                summary.append(f"{name:<12} skipped: {report['skipped']}")
                continue
            checked = [row for row in report["rows"] if row["ok"] is not None]
            misses = [row for row in checked if not row["ok"]]
            missed = missed or bool(misses)
            verdict = (
                f"{len(misses)} of {len(checked)} budgets MISSED"
                if misses
                else f"all {len(checked)} budgets ok"
            )
            summary.append(f"{name:<12} {verdict} ({seconds:.0f} s)")
            for row in misses:
                ratio = "" if row["ratio"] is None else f" = {row['ratio']:.2f}x"
                figures = f"{row['hitl']} vs {row['reference']}{ratio}, budget {row['budget']}"
                summary.append(f"{'':<14}MISSED {row['case']}: {figures}")
    print("\n== summary")
    for line in summary:
        print(f"   {line}")
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
