"""
Creates through injected faults: nothing lost, nothing duplicated, every failure a typed error.

The emulator fails a share of requests with 500/503/429, dropped connections and delays, before or after the
review is stored. The client's retries resend the same Idempotency-Key, so a create whose response was lost
is answered from the stored result instead of creating twice. `make faults` runs 1000 calls and prints the
figures; the default suite runs a small number.
"""

import os
from collections import Counter

import httpx
import pytest

from hitl_async import AsyncHITL, HITLError, RetryPolicy
from hitl_emulator import EmulatorConfig, EmulatorServer, FaultSettings

pytestmark = pytest.mark.anyio

CALLS = int(os.environ.get("HITL_FAULTS_CALLS", "40"))
FAULT_RATE = 0.35


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    faults = FaultSettings(
        rate=FAULT_RATE, phase="both", delay_seconds=0.02, retry_after_seconds=0, seed=20241124
    )
    return EmulatorConfig(rate_limit_per_minute=1_000_000, faults=faults)


async def test_creates_survive_faults_on_both_sides_of_the_write(
    hitl_emulator_server: EmulatorServer,
) -> None:
    """Each call creates exactly one review, whether the fault struck before or after the write."""
    emulator = hitl_emulator_server.emulator
    policy = RetryPolicy(max_retries=12, initial_delay=0.002, max_delay=0.02)
    outcomes: Counter[str] = Counter()
    attempts: list[str] = []

    async def count_attempt(request: httpx.Request) -> None:
        attempts.append(request.url.path)

    http = httpx.AsyncClient(event_hooks={"request": [count_attempt]})
    async with (
        http,
        AsyncHITL(
            api_key=hitl_emulator_server.api_key,
            base_url=hitl_emulator_server.url,
            retry_policy=policy,
            timeout=5.0,
            http_client=http,
        ) as hitl,
    ):
        template = await hitl.templates.create(
            name="Faults", fields=[{"name": "approved", "type": "boolean", "label": "OK?", "required": True}]
        )
        for call in range(CALLS):
            try:
                await hitl.reviews.create(template_id=template.id, content={"text": f"call {call}"})
            except HITLError as error:  # anything else escapes and fails the test
                outcomes[type(error).__name__] += 1
            else:
                outcomes["succeeded"] += 1

    stored = Counter(review["content"]["text"] for review in emulator.reviews())
    duplicates = sum(count - 1 for count in stored.values())
    lost = sum(1 for call in range(CALLS) if f"call {call}" not in stored)
    faults = emulator.stats()["faults"]
    faulted = sum(faults.values())
    print(
        f"\nfaults run: {CALLS} reviews.create calls, {len(attempts)} HTTP attempts, {faulted} faulted "
        f"({faulted / len(attempts):.0%}; by kind/phase: {faults})"
        f"\n  outcomes: {dict(outcomes)}"
        f"\n  stored: {sum(stored.values())} reviews, {duplicates} duplicates, {lost} lost"
    )
    assert duplicates == 0
    assert lost == 0
    assert outcomes["succeeded"] == CALLS
