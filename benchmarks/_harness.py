"""
What every comparison shares: alternating rounds, medians, the result table, and the report to the runner.

Each comparison module defines `run(smoke: bool) -> Report` and ends with `main(run)`; `python -m benchmarks`
starts each one in a fresh interpreter with `--report PATH` and reads the JSON written there for its summary.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

__all__ = [
    "Report",
    "Row",
    "alternate",
    "alternate_async",
    "machine",
    "main",
    "percentile",
    "time_calls",
    "time_calls_async",
]

PACKAGES = (
    "httpx",
    "httpcore",
    "attrs",
    "cattrs",
    "anyio",
    "pydantic",
    "pydantic-core",
    "starlette",
    "uvicorn",
)


@dataclass
class Row:
    """
    One line of a comparison table.

    `ratio` is hitl over the reference; `ok` is None for figures shown for information, with no budget.
    """

    case: str
    hitl: str
    reference: str
    ratio: float | None = None
    budget: str = ""
    ok: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "ok", False: "MISSED", None: "info"}[self.ok]


@dataclass
class Report:
    """A comparison's results: the table, the name of its reference side, and free-form lines after it."""

    name: str
    title: str
    reference: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None

    def print(self) -> None:
        print(f"\n== {self.name}: {self.title}")
        if self.skipped:
            print(f"   skipped: {self.skipped}")
            return
        header = ("case", "hitl", self.reference, "ratio", "budget", "verdict", "")
        lines = [
            (
                r.case,
                r.hitl,
                r.reference,
                "" if r.ratio is None else f"{r.ratio:.2f}x",
                r.budget,
                r.verdict,
                r.note,
            )
            for r in self.rows
        ]
        widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
        for index, line in enumerate([header, *lines]):
            cells = [
                str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            ]
            print("   " + "  ".join(cells).rstrip())
            if index == 0:
                print("   " + "  ".join("-" * w for w in widths[:-1]))
        for note in self.notes:
            print(f"   {note}")
        sys.stdout.flush()


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0..1) by the nearest-rank method, as latency reports usually give it."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def alternate(sides: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """
    Median of each side's samples, taking one sample per side per round and rotating who goes first.

    Alternating inside one process means a slow patch of the machine (frequency scaling, a neighbour's job)
    hits every side about equally, so the ratio of medians stays steady even when absolute figures drift.
    A multiple of `len(sides)` rounds lets each side go first equally often.
    """
    names = list(sides)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(sides[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


async def alternate_async(
    sides: Mapping[str, Callable[[], Awaitable[float]]], rounds: int
) -> dict[str, float]:
    """`alternate` for coroutine functions, all run on the caller's event loop."""
    names = list(sides)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(await sides[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


def time_calls(call: Callable[[], object], calls: int) -> Callable[[], float]:
    """
    A sampler for `alternate`: CPU microseconds per call over a batch of `calls`, after a collection.

    The calling thread's CPU time, not wall time: the calls do no I/O (or only to a mock transport), so the
    two agree on a quiet machine, and on a busy one CPU time leaves out the slices other processes took.
    """

    def sample() -> float:
        gc.collect()
        start = time.thread_time()
        for _ in range(calls):
            call()
        return (time.thread_time() - start) / calls * 1e6

    return sample


def time_calls_async(call: Callable[[], Awaitable[object]], calls: int) -> Callable[[], Awaitable[float]]:
    """`time_calls` for a coroutine function, awaited `calls` times in a row on the running loop."""

    async def sample() -> float:
        gc.collect()
        start = time.thread_time()
        for _ in range(calls):
            await call()
        return (time.thread_time() - start) / calls * 1e6

    return sample


def machine() -> list[str]:
    """The lines that describe where figures come from: CPU, cores, Python, and the packages compared."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import hitl

    versions = [f"hitl {hitl.__version__}"]
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return [
        f"cpu: {cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}",
        f"python: {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        "packages: " + ", ".join(versions),
    ]


def main(run: Callable[[bool], Report]) -> None:
    """Entry point of a comparison module: `python -m benchmarks.<name> [--smoke] [--report PATH]`."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: checks the benchmark runs, not speed"
    )
    parser.add_argument("--report", type=Path, help="write the results as JSON here (used by the runner)")
    args = parser.parse_args()
    report = run(args.smoke)
    report.print()
    if args.report is not None:
        args.report.write_text(json.dumps(asdict(report)))
