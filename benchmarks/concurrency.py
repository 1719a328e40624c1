"""
Comparison 4, concurrency: 1000 `reviews.get` calls at once against the emulator over loopback.

Both sides use an `httpx.AsyncClient` with the same `httpx.Limits` and timeout against the same uvicorn
server (its own process, see `benchmarks._server`); the raw side checks the status and parses
`response.json()["data"]`. A burst gathers all calls on one event loop; throughput is calls over the burst's
wall time, latency is each call's own time, queueing for a connection included. Bursts alternate between the
sides, after an untimed burst that leaves both connection pools full and warm. Budget: hitl keeps at least
0.9x raw httpx's throughput; p50 and p99 latency are shown too.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks._data import request_headers
from benchmarks._harness import Report, Row, main, percentile
from benchmarks._server import emulator
from hitl_async import AsyncHITL

BUDGET = 0.9
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)
TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # hitl's default, given to both clients


@dataclass(frozen=True)
class Sizes:
    concurrent: int  # calls in flight at once, per burst
    rounds: int  # bursts per side, alternating who goes first (even, so each side leads as often)


FULL = Sizes(concurrent=1000, rounds=10)
SMOKE = Sizes(concurrent=20, rounds=2)


@dataclass
class Burst:
    throughput: float  # calls per second
    latencies: list[float]  # seconds per call
    cpu: float  # the client process's CPU seconds per call


async def burst(call: Callable[[], Awaitable[Any]], concurrent: int) -> Burst:
    """Start `concurrent` calls together and wait for them all."""
    latencies: list[float] = []

    async def one() -> None:
        start = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - start)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one() for _ in range(concurrent)))
    return Burst(
        concurrent / (time.perf_counter() - start), latencies, (time.process_time() - cpu) / concurrent
    )


async def measure(url: str, api_key: str, review_id: str, sizes: Sizes) -> dict[str, list[Burst]]:
    headers = request_headers(api_key)
    async with (
        httpx.AsyncClient(limits=LIMITS, timeout=TIMEOUT) as ours,
        httpx.AsyncClient(limits=LIMITS, timeout=TIMEOUT) as raw,
    ):
        client = AsyncHITL(api_key=api_key, base_url=url, http_client=ours)

        async def raw_get() -> Any:
            response = await raw.get(f"{url}/v1/reviews/{review_id}", headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"raw GET answered {response.status_code}: {response.text}")
            return response.json()["data"]

        sides = {"hitl": lambda: client.reviews.get(review_id), "raw": raw_get}
        bursts: dict[str, list[Burst]] = {name: [] for name in sides}
        names = list(sides)
        for round_ in range(sizes.rounds):
            # Idle connections expire after 5 s (httpx and uvicorn alike), and a pool that must open
            # connections with 1000 requests queued is ~10x slower in httpcore, whichever the client (see
            # README). An untimed burst on both sides at once warms both pools for the timed bursts.
            await asyncio.gather(*(burst(call, sizes.concurrent) for call in sides.values()))
            for name in names[round_ % 2 :] + names[: round_ % 2]:
                gc.collect()  # the previous burst's garbage, and a moment for the server to settle
                await asyncio.sleep(0.2)
                bursts[name].append(await burst(sides[name], sizes.concurrent))
        return bursts


def run(smoke: bool) -> Report:
    sizes = SMOKE if smoke else FULL
    with emulator(seed=1) as served:
        bursts = asyncio.run(measure(served.url, served.api_key, served.review_id, sizes))
    throughput = {name: statistics.median(b.throughput for b in runs) for name, runs in bursts.items()}
    p50 = {
        name: statistics.median(percentile(b.latencies, 0.50) for b in runs) * 1e3
        for name, runs in bursts.items()
    }
    p99 = {
        name: statistics.median(percentile(b.latencies, 0.99) for b in runs) * 1e3
        for name, runs in bursts.items()
    }
    cpu = {name: statistics.median(b.cpu for b in runs) * 1e6 for name, runs in bursts.items()}
    ratio = throughput["hitl"] / throughput["raw"]
    report = Report(
        "concurrency", f"{sizes.concurrent} concurrent async reviews.get over loopback", "raw httpx"
    )
    report.rows = [
        Row(
            "throughput",
            f"{throughput['hitl']:.0f} /s",
            f"{throughput['raw']:.0f} /s",
            ratio,
            f">= {BUDGET}x",
            ratio >= BUDGET,
        ),
        Row("latency p50", f"{p50['hitl']:.1f} ms", f"{p50['raw']:.1f} ms", p50["hitl"] / p50["raw"]),
        Row("latency p99", f"{p99['hitl']:.1f} ms", f"{p99['raw']:.1f} ms", p99["hitl"] / p99["raw"]),
        Row("client CPU per call", f"{cpu['hitl']:.0f} us", f"{cpu['raw']:.0f} us", cpu["hitl"] / cpu["raw"]),
    ]
    report.notes.append(
        f"median of {sizes.rounds} alternating bursts per side; {LIMITS!r}; "
        "emulator (uvicorn, h11) in its own process, rate limit lifted"
    )
    return report


if __name__ == "__main__":
    main(run)
