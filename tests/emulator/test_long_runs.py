"""Tests that a long-running emulator stays flat: idempotency answers expire, the logs are capped."""

from __future__ import annotations

import httpx
import pytest

from hitl_emulator import Emulator, EmulatorConfig
from hitl_emulator._cli import _config, _parser
from tests.emulator._support import AUTH, BASE_URL, data_of


class Clock:
    """A settable wall clock."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _client(emulator: Emulator) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=emulator.app)
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=AUTH)


@pytest.mark.asyncio
async def test_idempotency_answers_expire_after_24_hours() -> None:
    """Within 24 h a key replays; after, the same key acts again (and the old answer is gone)."""
    clock = Clock()
    emulator = Emulator(EmulatorConfig(clock=clock))
    async with _client(emulator) as client:
        first = await client.post("/v1/teams", json={"name": "A"}, headers={"Idempotency-Key": "k"})
        clock.now += 24 * 60 * 60 - 1
        replay = await client.post("/v1/teams", json={"name": "A"}, headers={"Idempotency-Key": "k"})
        assert replay.headers.get("idempotent-replayed") == "true" and replay.content == first.content
        clock.now += 1
        fresh = await client.post("/v1/teams", json={"name": "A"}, headers={"Idempotency-Key": "k"})
        assert "idempotent-replayed" not in fresh.headers
        assert data_of(fresh, 201)["id"] != data_of(first, 201)["id"]
    emulator.close()


@pytest.mark.asyncio
async def test_expired_answers_are_dropped_as_new_ones_arrive() -> None:
    """Old answers leave the store without being asked for again, so the store stays flat over days."""
    clock = Clock()
    emulator = Emulator(EmulatorConfig(clock=clock, idempotency_ttl=60))
    async with _client(emulator) as client:
        for index in range(50):
            await client.post("/v1/teams", json={"name": "T"}, headers={"Idempotency-Key": f"k{index}"})
            clock.now += 10
        assert len(emulator.idempotency) <= 7  # only the last minute's answers
    emulator.close()


@pytest.mark.asyncio
async def test_idempotency_answers_are_capped() -> None:
    """At most `max_idempotency_keys` answers are kept; the oldest go first."""
    emulator = Emulator(EmulatorConfig(max_idempotency_keys=5))
    async with _client(emulator) as client:
        for index in range(20):
            await client.post("/v1/teams", json={"name": "T"}, headers={"Idempotency-Key": f"k{index}"})
        assert len(emulator.idempotency) == 5
        latest = await client.post("/v1/teams", json={"name": "T"}, headers={"Idempotency-Key": "k19"})
        assert latest.headers.get("idempotent-replayed") == "true"
    emulator.close()


@pytest.mark.asyncio
async def test_the_event_and_delivery_logs_are_capped() -> None:
    """Only the last `max_events` events and `max_deliveries` deliveries are kept; stats count them all."""
    emulator = Emulator(
        EmulatorConfig(max_events=5, max_deliveries=3),
        webhook_transport=httpx.MockTransport(lambda request: httpx.Response(204)),
    )
    async with _client(emulator) as client:
        await client.post(
            "/v1/webhooks", json={"url": "http://receiver.test/h", "events": ["template.updated"]}
        )
        template = data_of(
            await client.post(
                "/v1/templates", json={"name": "T", "fields": [{"name": "a", "type": "text", "label": "A"}]}
            ),
            201,
        )
        for index in range(12):
            await client.patch(f"/v1/templates/{template['id']}", json={"name": f"v{index}"})
        await emulator.adrain_deliveries(timeout=10)
        events = data_of(await client.get("/_emulator/events"))
        deliveries = data_of(await client.get("/_emulator/deliveries"))
        stats = data_of(await client.get("/_emulator/stats"))
    emulator.close()
    assert len(events) == 5 and len(deliveries) == 3
    assert [delivery["payload"]["template"]["name"] for delivery in deliveries] == ["v9", "v10", "v11"]
    assert stats["events"] == 12


def test_the_caps_are_flags_too() -> None:
    """`--idempotency-ttl`, `--max-events`, `--max-deliveries`, `--max-idempotency-keys`, `--webhook-deny`."""
    config = _config(
        _parser().parse_args(
            [
                "--idempotency-ttl",
                "3600",
                "--max-events",
                "7",
                "--max-deliveries",
                "8",
                "--max-idempotency-keys",
                "9",
                "--webhook-deny",
                "private",
                "--allow-host",
                "hitl-emulator",
            ]
        )
    )
    assert (
        config.idempotency_ttl,
        config.max_events,
        config.max_deliveries,
        config.max_idempotency_keys,
    ) == (
        3600,
        7,
        8,
        9,
    )
    assert (config.webhook_deny, config.allowed_hosts) == (("private",), ("hitl-emulator",))


@pytest.mark.parametrize(
    "options",
    [{"max_events": 0}, {"max_deliveries": -1}, {"max_idempotency_keys": 0}, {"idempotency_ttl": 0}],
)
def test_nonsense_caps_are_config_errors(options: dict[str, float]) -> None:
    """Caps must leave room for at least one entry."""
    with pytest.raises(ValueError):
        EmulatorConfig(**options)  # type: ignore[arg-type]
