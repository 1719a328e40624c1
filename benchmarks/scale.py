"""
Comparison 5, scale: iterating 10,000 reviews through auto-pagination (`limit=100`) from the emulator.

Two properties, each against its own yardstick rather than against another library:

- Memory: the `tracemalloc` peak while iterating N reviews (client and connection made beforehand) may exceed
  that of the same walk in raw httpx by at most one page (what fetching and holding one 100-review page
  peaks at), and may grow from 2,500 to 10,000 reviews by at most one page more than raw httpx's does. The
  reference is raw httpx because httpx itself leaves each response in a reference cycle that only the cycle
  collector frees, so any httpx client's peak creeps up with N (see README). The emulator runs in its own
  process, so its allocations are not counted.
- Time: CPU microseconds per review in the client process must stay flat from 2,500 to 10,000 reviews
  (+20 % at most), that is grow linearly in total. Client CPU time leaves out the emulator's share, whose
  list endpoint is its own business; wall time per review is shown as well, and a raw httpx cursor loop
  (`response.json()` per page, no models) for scale.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks._data import request_headers
from benchmarks._harness import Report, Row, main
from benchmarks._server import emulator
from hitl_sync import HITL

LIMIT = 100
GROWTH_BUDGET = 1.2


@dataclass(frozen=True)
class Sizes:
    counts: tuple[int, ...]  # reviews iterated, smallest first
    rounds: int  # timed walks per side and count, alternating


FULL = Sizes(counts=(2_500, 5_000, 10_000), rounds=6)
SMOKE = Sizes(counts=(100, 200, 300), rounds=1)


def hitl_walk(client: HITL, count: int) -> int:
    """Iterate `count` reviews through hitl's auto-pagination, keeping none."""
    seen = 0
    for _ in client.reviews.list(limit=LIMIT):
        seen += 1
        if seen == count:
            break
    return seen


def raw_walk(http: httpx.Client, url: str, headers: dict[str, str], count: int) -> int:
    """The same walk by hand: follow `next_cursor`, parse each page's JSON, keep nothing."""
    seen = 0
    params: dict[str, Any] = {"limit": LIMIT}
    while True:
        body = http.get(f"{url}/v1/reviews", params=params, headers=headers).json()
        for _ in body["data"]:
            seen += 1
            if seen == count:
                return seen
        cursor = body["meta"]["pagination"]["next_cursor"]
        if cursor is None:
            return seen
        params = {"limit": LIMIT, "cursor": cursor}


def timed(walk: Callable[[int], int], count: int) -> tuple[float, float]:
    """(client CPU, wall) microseconds per review for one walk of `count`."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    if walk(count) != count:
        raise SystemExit(f"the emulator holds fewer than {count} reviews")
    return (time.process_time() - cpu) / count * 1e6, (time.perf_counter() - wall) / count * 1e6


def peak_growth(action: Callable[[], object]) -> int:
    """Bytes by which the traced memory peaked above its level before `action` (whose result is held)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = action()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak - before


def run(smoke: bool) -> Report:
    sizes = SMOKE if smoke else FULL
    report = Report("scale", f"auto-pagination (limit {LIMIT}) from the emulator", "raw httpx")
    with (
        emulator(seed=sizes.counts[-1]) as served,
        httpx.Client(timeout=60) as ours,
        httpx.Client(timeout=60) as raw,
    ):
        client = HITL(api_key=served.api_key, base_url=served.url, http_client=ours)
        headers = request_headers(served.api_key)
        walks: dict[str, Callable[[int], int]] = {
            "hitl": lambda count: hitl_walk(client, count),
            "raw": lambda count: raw_walk(raw, served.url, headers, count),
        }
        for walk in walks.values():  # connections and code paths warm
            timed(walk, sizes.counts[0])
        samples: dict[tuple[str, int], list[tuple[float, float]]] = {}
        plan = [(name, count) for count in sizes.counts for name in walks]
        for round_ in range(sizes.rounds):
            shift = round_ % len(plan)
            for name, count in plan[shift:] + plan[:shift]:
                samples.setdefault((name, count), []).append(timed(walks[name], count))
        one_page = peak_growth(lambda: client.reviews.list(limit=LIMIT).first_page())
        peaks = {
            (name, count): peak_growth(lambda walk=walk, count=count: walk(count))  # type: ignore[misc]
            for count in sizes.counts
            for name, walk in walks.items()
        }

    cpu = {key: statistics.median(c for c, _ in values) for key, values in samples.items()}
    wall = {key: statistics.median(w for _, w in values) for key, values in samples.items()}
    for count in sizes.counts:
        report.rows.append(
            Row(
                f"CPU per review, {count:,}",
                f"{cpu['hitl', count]:.1f} us",
                f"{cpu['raw', count]:.1f} us",
                cpu["hitl", count] / cpu["raw", count],
                note=f"wall {wall['hitl', count]:.1f} vs {wall['raw', count]:.1f} us",
            )
        )
    first, last = sizes.counts[0], sizes.counts[-1]
    growth = cpu["hitl", last] / cpu["hitl", first]
    report.rows.append(
        Row(
            f"CPU per review, {last:,} / {first:,}",
            f"{growth:.2f}x",
            f"{cpu['raw', last] / cpu['raw', first]:.2f}x",
            growth,
            f"<= {GROWTH_BUDGET}x",
            growth <= GROWTH_BUDGET,
            "flat per review: linear in total",
        )
    )
    for count in sizes.counts:
        extra = peaks["hitl", count] - peaks["raw", count]
        report.rows.append(
            Row(
                f"memory peak, {count:,}",
                f"{peaks['hitl', count] / 1024:.0f} KiB",
                f"{peaks['raw', count] / 1024:.0f} KiB",
                peaks["hitl", count] / peaks["raw", count],
                "<= raw + 1 page",
                extra <= one_page,
                f"{extra / 1024:+.0f} KiB; {peaks['hitl', count] / one_page:.1f} pages",
            )
        )
    growth_ours = peaks["hitl", last] - peaks["hitl", first]
    growth_raw = peaks["raw", last] - peaks["raw", first]
    report.rows.append(
        Row(
            f"memory growth, {first:,} -> {last:,}",
            f"{growth_ours / 1024:+.0f} KiB",
            f"{growth_raw / 1024:+.0f} KiB",
            budget="<= raw + 1 page",
            ok=growth_ours - growth_raw <= one_page,
            note="httpx's own cyclic garbage, see README",
        )
    )
    report.rows.append(Row("memory peak, one page held", f"{one_page / 1024:.0f} KiB", ""))
    report.notes.append(
        f"time: median of {sizes.rounds} alternating walks per side and count; "
        "memory: tracemalloc, one walk each; emulator (uvicorn) in its own process"
    )
    return report


if __name__ == "__main__":
    main(run)
