"""Tests for fault injection: each kind, both sides of a write, seeding, and a faults run with retries."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from hitl_emulator import (
    Emulator,
    EmulatorConfig,
    FaultPhase,
    FaultSettings,
    InjectedConnectionDrop,
    run_in_thread,
)
from tests.emulator._support import AUTH, BASE_URL, CONTENT_REVIEW_FIELDS, data_of, error_of


def _always(kind: str, phase: str = "before", **settings: object) -> dict[str, object]:
    return {"faults": {"rate": 1.0, "kinds": [kind], "phase": phase, **settings}}


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("500", 500, "internal_error"),
        ("503", 503, "service_unavailable"),
        ("429", 429, "rate_limit_exceeded"),
    ],
)
@pytest.mark.asyncio
async def test_error_faults_before_the_write_store_nothing(
    client: httpx.AsyncClient, hitl_emulator: Emulator, kind: str, status: int, code: str
) -> None:
    """A fault before the write answers an error envelope (with the rate-limit headers) and stores nothing."""
    await client.patch("/_emulator/config", json=_always(kind, "before", retry_after_seconds=2))
    response = await client.post("/v1/teams", json={"name": "T"})
    assert (response.status_code, error_of(response)["code"]) == (status, code)
    assert "X-RateLimit-Remaining" in response.headers
    assert response.headers.get("Retry-After") == ("2" if kind == "429" else None)
    assert hitl_emulator.store.teams == {}
    assert hitl_emulator.stats()["faults"] == {f"{kind}/before": 1}


@pytest.mark.asyncio
async def test_fault_after_the_write_keeps_it_and_the_retry_replays(
    client: httpx.AsyncClient, hitl_emulator: Emulator
) -> None:
    """After-faults store the write and its idempotency record: the retry replays the success."""
    await client.patch("/_emulator/config", json=_always("503", "after"))
    headers = {"Idempotency-Key": "after-1"}
    failed = await client.post("/v1/teams", json={"name": "T"}, headers=headers)
    assert failed.status_code == 503
    assert len(hitl_emulator.store.teams) == 1
    await client.patch("/_emulator/config", json={"faults": {"rate": 0}})
    retried = await client.post("/v1/teams", json={"name": "T"}, headers=headers)
    assert retried.status_code == 201
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert data_of(retried, 201)["id"] == next(iter(hitl_emulator.store.teams))
    assert len(hitl_emulator.store.teams) == 1


@pytest.mark.parametrize("phase", ["before", "after"])
@pytest.mark.asyncio
async def test_dropped_connection_in_process(
    client: httpx.AsyncClient, hitl_emulator: Emulator, phase: FaultPhase
) -> None:
    """Behind ASGITransport a drop raises `httpx.RemoteProtocolError`, as a real dropped socket does."""
    hitl_emulator.configure(faults=FaultSettings(rate=1.0, kinds=("drop",), phase=phase))
    with pytest.raises(httpx.RemoteProtocolError) as raised:
        await client.post("/v1/teams", json={"name": "T"})
    assert isinstance(raised.value, InjectedConnectionDrop)
    assert len(hitl_emulator.store.teams) == (1 if phase == "after" else 0)


def test_dropped_connection_over_http() -> None:
    """Over real HTTP the client sees a connection broken mid-answer; the server keeps serving."""
    config = EmulatorConfig(faults=FaultSettings(rate=1.0, kinds=("drop",), phase="after"))
    with run_in_thread(config) as server, httpx.Client(base_url=server.url, headers=AUTH) as client:
        with pytest.raises(
            httpx.RemoteProtocolError, match="peer closed connection without sending complete message body"
        ):
            client.post("/v1/teams", json={"name": "T"})
        server.emulator.configure(faults=FaultSettings())
        assert client.get("/v1/reviews").status_code == 200
        assert len(server.emulator.store.teams) == 1


@pytest.mark.asyncio
async def test_delay_faults_answer_late_but_correctly(client: httpx.AsyncClient) -> None:
    """A delay fault holds the answer back by `delay_seconds`, then answers normally."""
    await client.patch("/_emulator/config", json=_always("delay", "after", delay_seconds=0.2))
    started = time.monotonic()
    response = await client.post("/v1/teams", json={"name": "T"})
    assert response.status_code == 201
    assert time.monotonic() - started >= 0.2
    await client.patch("/_emulator/config", json=_always("delay", "before", delay_seconds=0.1))
    assert (await client.get("/v1/reviews")).status_code == 200


@pytest.mark.asyncio
async def test_reads_fail_before_and_the_control_api_never_fails(
    client: httpx.AsyncClient, hitl_emulator: Emulator
) -> None:
    """Reads have no write to keep, so they count as `before`; control routes are exempt."""
    await client.patch("/_emulator/config", json=_always("500", "after"))
    assert (await client.get("/v1/reviews")).status_code == 500
    assert data_of(await client.get("/_emulator/stats"))["faults"] == {"500/before": 1}


def _statuses(seed: int) -> list[int]:
    emulator = Emulator(
        EmulatorConfig(faults=FaultSettings(rate=0.5, kinds=("500", "503", "429"), seed=seed))
    )
    transport = httpx.ASGITransport(app=emulator.app)

    async def run() -> list[int]:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=AUTH) as client:
            return [(await client.get("/v1/reviews")).status_code for _ in range(30)]

    return asyncio.run(run())


def test_faults_are_reproducible_from_the_seed() -> None:
    """The same seed gives the same faults for the same requests; another seed differs."""
    assert _statuses(7) == _statuses(7)
    assert _statuses(7) != _statuses(8)
    assert set(_statuses(7)) == {200, 500, 503, 429}


@pytest.fixture
def faulty_server() -> Iterator[str]:
    """A loopback emulator failing 30 % of requests in every way, on both sides of writes."""
    faults = FaultSettings(rate=0.3, delay_seconds=0.01, retry_after_seconds=0, seed=1)
    with run_in_thread(EmulatorConfig(faults=faults, rate_limit_per_minute=100_000)) as server:
        yield server.url
        server.emulator.configure(faults=FaultSettings())


def _create_with_retries(client: httpx.Client, body: dict[str, object], outcomes: Counter[str]) -> str:
    key = str(uuid.uuid4())
    for _ in range(50):
        try:
            response = client.post("/v1/reviews", json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError:
            outcomes["dropped"] += 1
            continue
        if response.status_code in (429, 500, 503):
            outcomes[str(response.status_code)] += 1
            continue
        outcomes["replayed" if "Idempotent-Replayed" in response.headers else "created"] += 1
        review_id: str = data_of(response, 201)["id"]
        return review_id
    raise AssertionError("gave up after 50 attempts")


def test_faults_run_creates_each_review_exactly_once(
    faulty_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """1000 creates retried with idempotency keys through 30 % faults: 1000 reviews, none twice, none lost."""
    outcomes: Counter[str] = Counter()
    with httpx.Client(base_url=faulty_server, headers=AUTH) as client:
        while True:  # the template itself must get through the faults too
            try:
                created = client.post(
                    "/v1/templates",
                    json={"name": "T", "fields": CONTENT_REVIEW_FIELDS},
                    headers={"Idempotency-Key": "tpl"},
                )
            except httpx.TransportError:
                continue
            if created.status_code == 201:
                break
        template_id = created.json()["data"]["id"]
        ids = [
            _create_with_retries(
                client, {"template_id": template_id, "content": {"text": f"item {index}"}}, outcomes
            )
            for index in range(1000)
        ]
        stats = client.get("/_emulator/stats").json()["data"]
    assert len(set(ids)) == 1000
    assert stats["reviews"] == 1000
    assert (
        outcomes["dropped"]
        and outcomes["500"]
        and outcomes["503"]
        and outcomes["429"]
        and outcomes["replayed"]
    )
    with capsys.disabled():
        print(
            f"\nfaults run: 1000 creates, {sum(outcomes.values())} calls, "
            f"outcomes {dict(outcomes)}, faults {stats['faults']}"
        )
