"""
`python -m benchmarks.fleets [--smoke]`: the figures of issue 14 (fleets), against the emulator and Redis.

1. Waiting: 100 concurrent `reviews.wait` calls whose decisions land at random moments over 20 s, by polling
   (the default schedule) and fed by webhooks through Redis (`via=AsyncRedisDecisions`, which still polls
   every 60 s). Reported: API requests spent, and the time from each decision to the return of its wait.
2. Batch: `reviews.create_many` against a rate limit it cannot meet in one window, paced by the client's
   limiter. The emulator's clock and the limiter's run 10 times faster (a minute window lasts 6 s),
   so the figures are per emulated minute. Reported: requests and reviews per minute next to the limit, 429s.

Needs `redis-server` on the PATH and redis-py (the `test` extra has it). Not part of `make bench`, whose smoke
run the test suite makes: this one takes about a minute and a half.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import socket
import statistics
import subprocess
import time
from collections import Counter
from typing import Any

import httpx
import redis.asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hitl_async import AsyncHITL, AsyncRedisDecisions, RetryPolicy, construct_event
from hitl_async._ratelimit import AsyncRateLimiter
from hitl_emulator import EmulatorConfig, run_in_thread, serve_in_thread

FIELDS = [{"name": "approved", "type": "boolean", "label": "OK?", "required": True}]


def start_redis() -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("benchmarks.fleets needs redis-server on the PATH (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    time.sleep(0.3)
    return process, f"redis://127.0.0.1:{port}/0"


async def waiters(count: int, spread: float, redis_url: str, *, fed: bool) -> dict[str, Any]:
    """`count` waits, decisions spread over `spread` seconds; requests spent and decision-to-return times."""
    gets = 0

    async def count_get(request: httpx.Request) -> None:
        nonlocal gets
        gets += request.method == "GET"

    with run_in_thread(EmulatorConfig(rate_limit_per_minute=1_000_000)) as server:
        emulator = server.emulator

        async def hook(request: Request) -> Response:
            event = construct_event(await request.body(), request.headers.get("X-HITL-Signature"), secret)
            # A client per delivery: the receiver runs its own event loop, in its own thread.
            async with redis.asyncio.Redis.from_url(redis_url) as publisher:
                await AsyncRedisDecisions(publisher).publish(event)
            return Response(status_code=204)

        receiver = Starlette(routes=[Route("/hooks", hook, methods=["POST"])])
        with serve_in_thread(receiver) as receiver_url:
            limits = httpx.Limits(max_connections=200)
            http = httpx.AsyncClient(event_hooks={"request": [count_get]}, limits=limits)
            async with AsyncHITL(api_key=server.api_key, base_url=server.url, http_client=http) as client:
                secret = ""
                if fed:
                    created = await client.webhooks.create(
                        url=f"{receiver_url}/hooks", events=["review.completed"]
                    )
                    secret = created.secret
                template = await client.templates.create(name="Bench", fields=FIELDS)
                ids = [
                    (await client.reviews.create(template_id=template.id, content={"text": str(n)})).id
                    for n in range(count)
                ]
                gets = 0
                store = redis.asyncio.Redis.from_url(redis_url)
                await store.flushall()
                decisions = AsyncRedisDecisions(store) if fed else None
                decided_at: dict[str, float] = {}
                returned_at: dict[str, float] = {}
                rng = random.Random(14)

                async def wait(review_id: str) -> None:
                    await client.reviews.wait(review_id, via=decisions, timeout=spread + 120)
                    returned_at[review_id] = time.monotonic()

                async def decide(review_id: str, after: float) -> None:
                    await asyncio.sleep(after)
                    decided_at[review_id] = time.monotonic()
                    emulator.complete_review(review_id)

                await asyncio.gather(
                    *[wait(review_id) for review_id in ids],
                    *[decide(review_id, rng.uniform(0.5, spread)) for review_id in ids],
                )
                await store.aclose()
            await http.aclose()
    latencies = sorted(returned_at[review_id] - decided_at[review_id] for review_id in ids)
    return {
        "mode": "webhook-fed (Redis)" if fed else "polling",
        "requests": gets,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
    }


class FastClock:
    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._start = time.time()
        self._started = time.monotonic()

    def time(self) -> float:
        return self._start + (time.monotonic() - self._started) * self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)


async def batch(items: int, limit: int, *, speed: float = 10.0) -> dict[str, Any]:
    """A batch of `items` at a limit of `limit` requests per (emulated) minute."""
    clock = FastClock(speed)
    statuses: Counter[int] = Counter()

    async def count(response: httpx.Response) -> None:
        statuses[response.status_code] += 1

    config = EmulatorConfig(rate_limit_per_minute=limit, clock=clock.time)
    with run_in_thread(config) as server:
        http = httpx.AsyncClient(event_hooks={"response": [count]})
        # A 429 would be retried after its Retry-After in emulated seconds, but slept in real ones: none came.
        policy = RetryPolicy(max_server_wait=0)
        async with AsyncHITL(
            api_key=server.api_key, base_url=server.url, http_client=http, retry_policy=policy
        ) as client:
            client._limiter = AsyncRateLimiter(max_wait=120.0, clock=clock.time, sleep=clock.sleep)
            template = await client.templates.create(name="Bench", fields=FIELDS)
            statuses.clear()
            payload: list[Any] = [
                {"template_id": template.id, "content": {"text": str(n)}, "key": str(n)} for n in range(items)
            ]
            started = clock.time()
            results = await client.reviews.create_many(payload, concurrency=16)
            minutes = (clock.time() - started) / 60
        await http.aclose()
    created = sum(1 for result in results if not isinstance(result, Exception))
    requests = sum(statuses.values())
    return {
        "limit": limit,
        "created": created,
        "minutes": minutes,
        "requests": requests,
        "windows_needed": requests / limit,
        "requests_per_min": requests / minutes,
        "reviews_per_min": created / minutes,
        "429s": statuses[429],
    }


async def main(smoke: bool) -> None:
    process, redis_url = start_redis()
    try:
        count, spread = (10, 2.0) if smoke else (100, 20.0)
        print(f"1. {count} concurrent waiters, decisions spread over {spread:.0f} s")
        for fed in (False, True):
            row = await waiters(count, spread, redis_url, fed=fed)
            print("   " + json.dumps({k: round(v) if isinstance(v, float) else v for k, v in row.items()}))
        items, limit = (60, 30) if smoke else (1500, 300)
        print(
            f"2. create_many of {items} reviews at a limit of {limit} requests per minute (emulated minutes)"
        )
        for _ in range(1):
            row = await batch(items, limit)
            print("   " + json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}))
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleets")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs")
    asyncio.run(main(parser.parse_args().smoke))
