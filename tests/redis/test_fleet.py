"""
A fleet of processes sharing Redis: several webhook receivers, several waiting workers, one emulator.

Each receiver is a process of its own (tests/redis/_worker.py) with its own webhook subscription, and the
emulator delivers every event twice to each: the duplicate guard's store in Redis lets exactly one of them
handle it. Waiting workers in other processes learn the decisions the receivers publish through Redis.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from hitl_emulator import EmulatorConfig, EmulatorServer
from hitl_sync import HITL
from tests.redis_support import fresh_redis, redis_url

__all__ = ["fresh_redis", "redis_url"]  # the fixtures, imported for pytest

RECEIVERS = 3
WAITERS = 3
REVIEWS = 12
FIELDS = [{"name": "approved", "type": "boolean", "label": "OK?", "required": True}]


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    return EmulatorConfig(duplicate_deliveries=True, webhook_retry_delays=(0.1, 0.2, 0.5, 1.0, 2.0))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _worker(*arguments: str, output: bool = False) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.redis._worker", *arguments]
    return subprocess.Popen(command, stdout=subprocess.PIPE if output else subprocess.DEVNULL, text=True)


@pytest.fixture
def fleet(hitl_emulator_server: EmulatorServer, fresh_redis: str) -> Iterator[HITL]:
    """A client of the emulator, whose decisions reach `RECEIVERS` receiver processes, twice each."""
    processes: list[subprocess.Popen[str]] = []
    with HITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url) as client:
        try:
            for _ in range(RECEIVERS):
                port = _free_port()
                hook = client.webhooks.create(
                    url=f"http://127.0.0.1:{port}/hooks", events=["review.completed", "review.cancelled"]
                )
                processes.append(_worker("receive", str(port), hook.secret, fresh_redis))
                _wait_for_port(port)
            yield client
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=10)


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _reviews(client: HITL, count: int) -> list[str]:
    template = client.templates.create(name="Fleet", fields=FIELDS)
    created = [client.reviews.create(template_id=template.id, content={"text": str(n)}) for n in range(count)]
    return [review.id for review in created]


def test_each_event_is_handled_once_by_a_fleet_of_receivers(
    fleet: HITL, hitl_emulator_server: EmulatorServer, fresh_redis: str
) -> None:
    """Every decision reaches every receiver twice; exactly one delivery of each is handled."""
    emulator = hitl_emulator_server.emulator
    review_ids = _reviews(fleet, REVIEWS)
    for review_id in review_ids:
        emulator.complete_review(review_id)
    emulator.drain_deliveries(timeout=30)

    deliveries = emulator.deliveries()
    store = redis.Redis.from_url(fresh_redis, decode_responses=True)
    handled = {key: int(store.get(key) or 0) for key in store.scan_iter("handled:*")}
    store.close()
    print(
        f"\nfleet receive: {REVIEWS} decisions, {len(deliveries)} deliveries to {RECEIVERS} receiver "
        f"processes, {sum(handled.values())} handled"
    )
    assert len(deliveries) == REVIEWS * RECEIVERS * 2
    assert all(delivery["status"] == "succeeded" for delivery in deliveries)
    assert len(handled) == REVIEWS
    assert set(handled.values()) == {1}


def test_waiters_in_other_processes_get_each_decision_soon_after_its_webhook(
    fleet: HITL, hitl_emulator_server: EmulatorServer, fresh_redis: str
) -> None:
    """Workers in other processes return from `wait(via=...)` as the webhook lands, polling once each."""
    emulator = hitl_emulator_server.emulator
    review_ids = _reviews(fleet, REVIEWS)
    shares = [review_ids[n::WAITERS] for n in range(WAITERS)]
    base = [hitl_emulator_server.url, hitl_emulator_server.api_key, fresh_redis]
    waiters = [_worker("wait", *base, *share, output=True) for share in shares]
    try:
        # Every wait has made its first poll (the review still pending) before any decision.
        for waiter, share in zip(waiters, shares, strict=True):
            polled = 0
            while polled < len(share):
                polled += "polled" in _line(waiter)
        decided_at: dict[str, float] = {}
        for review_id in review_ids:
            decided_at[review_id] = time.time()
            emulator.complete_review(review_id)
        returned: dict[str, dict[str, Any]] = {}
        polls = 0
        for waiter in waiters:
            while True:
                line = json.loads(_line(waiter))
                if "polls" in line:
                    polls += line["polls"]
                    break
                if "review_id" in line:
                    returned[line["review_id"]] = line
            assert waiter.wait(timeout=30) == 0
    finally:
        for waiter in waiters:
            waiter.kill()
            waiter.wait()
            if waiter.stdout is not None:
                waiter.stdout.close()

    assert sorted(returned) == sorted(review_ids), "some waits did not return (see the workers' stderr)"
    latencies = sorted(returned[review_id]["at"] - decided_at[review_id] for review_id in review_ids)
    print(
        f"\nfleet wait: {REVIEWS} waits in {WAITERS} processes; decision to return: median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
        f"{polls} polling requests in all"
    )
    assert {line["status"] for line in returned.values()} == {"completed"}
    assert polls == REVIEWS  # the first poll of each wait, and no other
    assert latencies[-1] < 10  # well before the 60 s fallback poll: the webhook, not polling, ended the wait


def _line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, f"worker ended early with {process.wait()}"
    return line
