"""Tests for webhook deliveries: signatures, payloads, order, retries, duplicates and the delivery log."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hitl_emulator import Emulator, EmulatorConfig, run_in_thread, serve_in_thread
from tests.emulator._support import AUTH, BASE_URL, CONTENT_REVIEW_FIELDS, data_of

ALL_EVENTS = [
    "review.created",
    "review.assigned",
    "review.started",
    "review.completed",
    "review.cancelled",
    "template.updated",
]
QUICK = EmulatorConfig(webhook_retry_delays=(0.01, 0.02, 0.03), webhook_timeout=2.0)


def expected_signature(secret: str, body: bytes) -> str:
    """What the reference's verification snippet computes: hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass
class Receiver:
    """Records deliveries; answers each with the next scripted status (200 once the script runs out)."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.received.append((headers, body))
            return self.statuses.pop(0) if self.statuses else 200

    def mock_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(
            lambda request: httpx.Response(self.answer(dict(request.headers), request.content))
        )


async def _setup(client: httpx.AsyncClient, url: str, events: list[str] = ALL_EVENTS) -> tuple[str, str]:
    hook = data_of(await client.post("/v1/webhooks", json={"url": url, "events": events}), 201)
    template = data_of(
        await client.post("/v1/templates", json={"name": "T", "fields": CONTENT_REVIEW_FIELDS}), 201
    )
    return hook["secret"], template["id"]


@pytest_asyncio.fixture
async def mocked() -> AsyncIterator[tuple[Emulator, Receiver, httpx.AsyncClient]]:
    """An emulator whose deliveries go to a scripted in-memory receiver, and a client for it."""
    receiver = Receiver()
    emulator = Emulator(QUICK, webhook_transport=receiver.mock_transport())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url=BASE_URL, headers=AUTH
    ) as client:
        yield emulator, receiver, client
    emulator.close()


@pytest.fixture
def live_receiver() -> Iterator[tuple[str, Receiver]]:
    """A real HTTP receiver (a tiny Starlette app) on a loopback port."""
    receiver = Receiver()

    async def hook(request: Request) -> Response:
        return Response(status_code=receiver.answer(dict(request.headers), await request.body()))

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", receiver


@pytest.mark.asyncio
async def test_signed_deliveries_reach_a_real_receiver_in_order(live_receiver: tuple[str, Receiver]) -> None:
    """Each lifecycle event arrives over HTTP, in order, signed over its bytes, in the reference form."""
    url, receiver = live_receiver
    emulator = Emulator(QUICK)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url=BASE_URL, headers=AUTH
    ) as client:
        secret, template_id = await _setup(client, url)
        review = data_of(
            await client.post(
                "/v1/reviews",
                json={"template_id": template_id, "content": {"text": "x"}, "assignees": ["ann@company.com"]},
            ),
            201,
        )
        await client.post(f"/_emulator/reviews/{review['id']}/start")
        await client.post(
            f"/_emulator/reviews/{review['id']}/complete", json={"result": {"approved": True, "content": "y"}}
        )
        await emulator.adrain_deliveries(timeout=5)
    emulator.close()
    assert [json.loads(body)["event"] for _, body in receiver.received] == [
        "review.created",
        "review.assigned",
        "review.started",
        "review.completed",
    ]
    log = {delivery["id"]: delivery for delivery in emulator.deliveries()}
    for headers, body in receiver.received:
        payload = json.loads(body)
        assert headers["x-hitl-signature"] == expected_signature(secret, body)
        assert headers["content-type"] == "application/json"
        assert headers["x-hitl-event"] == payload["event"]
        assert set(payload) == {"id", "event", "review", "timestamp"}
        assert payload["id"].startswith("evt_")
        delivery = log[headers["x-hitl-delivery"]]
        assert (delivery["status"], delivery["event_id"], delivery["payload"]) == (
            "succeeded",
            payload["id"],
            payload,
        )
        assert [attempt["status_code"] for attempt in delivery["attempts"]] == [200]
    completed = json.loads(receiver.received[-1][1])["review"]
    assert (completed["status"], completed["result"], completed["reviewer"]) == (
        "completed",
        {"approved": True, "content": "y"},
        "ann@company.com",
    )


@pytest.mark.asyncio
async def test_failed_attempts_are_retried_then_given_up(
    mocked: tuple[Emulator, Receiver, httpx.AsyncClient],
) -> None:
    """Non-2xx answers and connection errors are retried with backoff; exhausted deliveries are `failed`."""
    emulator, receiver, client = mocked
    _, template_id = await _setup(
        client, "https://receiver.test/hook", ["review.created", "review.cancelled"]
    )
    receiver.statuses = [500, 503, 200]  # the first delivery succeeds on its third attempt
    review = data_of(
        await client.post("/v1/reviews", json={"template_id": template_id, "content": {"text": "x"}}), 201
    )
    await emulator.adrain_deliveries(timeout=5)
    receiver.statuses = [500, 502, 404, 410]  # the second never does: 1 attempt + 3 retries
    await client.delete(f"/v1/reviews/{review['id']}")
    await emulator.adrain_deliveries(timeout=5)
    created, cancelled = emulator.deliveries()
    assert [attempt["status_code"] for attempt in created["attempts"]] == [500, 503, 200]
    assert created["attempts"][0]["error"] == "receiver answered 500"
    assert (created["status"], created["error"]) == ("succeeded", None)
    assert [attempt["status_code"] for attempt in cancelled["attempts"]] == [500, 502, 404, 410]
    assert cancelled["status"] == "failed"
    assert cancelled["error"]["code"] == "webhook_delivery_failed"
    assert len({body for _, body in receiver.received[3:]}) == 1  # every retry resends the same bytes


@pytest.mark.asyncio
async def test_connection_errors_are_recorded() -> None:
    """A receiver that cannot be reached gives attempts with an error and no status code."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    emulator = Emulator(QUICK, webhook_transport=httpx.MockTransport(refuse))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url=BASE_URL, headers=AUTH
    ) as client:
        await _setup(client, "https://receiver.test/hook")
        await client.patch(
            f"/v1/templates/{(await client.get('/v1/templates')).json()['data'][0]['id']}",
            json={"name": "v2"},
        )
        await emulator.adrain_deliveries(timeout=5)
    emulator.close()
    (delivery,) = emulator.deliveries()
    assert delivery["event"] == "template.updated"
    assert delivery["payload"]["template"]["name"] == "v2"
    assert [(attempt["status_code"], attempt["error"]) for attempt in delivery["attempts"]] == [
        (None, "ConnectError: connection refused")
    ] * 4


@pytest.mark.asyncio
async def test_duplicate_switch_sends_the_same_bytes_twice(
    mocked: tuple[Emulator, Receiver, httpx.AsyncClient],
) -> None:
    """With duplicates on, each event arrives twice: same bytes, same event id, same signature."""
    _, receiver, client = mocked
    await client.patch("/_emulator/config", json={"duplicate_deliveries": True})
    secret, template_id = await _setup(client, "https://receiver.test/hook", ["review.created"])
    await client.post("/v1/reviews", json={"template_id": template_id, "content": {"text": "x"}})
    drained = data_of(await client.post("/_emulator/deliveries/drain", params={"timeout": 5}))
    assert drained == {"drained": True, "pending": 0}
    (first_headers, first), (second_headers, second) = receiver.received
    assert first == second
    assert (
        first_headers["x-hitl-signature"]
        == second_headers["x-hitl-signature"]
        == expected_signature(secret, first)
    )
    assert first_headers["x-hitl-delivery"] != second_headers["x-hitl-delivery"]
    assert [delivery["copy"] for delivery in data_of(await client.get("/_emulator/deliveries"))] == [1, 2]


@pytest.mark.asyncio
async def test_only_active_subscribers_get_events(
    mocked: tuple[Emulator, Receiver, httpx.AsyncClient],
) -> None:
    """Paused and deleted webhooks get nothing; each webhook gets only the events it asked for."""
    emulator, receiver, client = mocked
    _, template_id = await _setup(client, "https://receiver.test/completed", ["review.completed"])
    paused = data_of(
        await client.post("/v1/webhooks", json={"url": "https://receiver.test/p", "events": ALL_EVENTS}), 201
    )
    await client.patch(f"/v1/webhooks/{paused['id']}", json={"active": False})
    gone = data_of(
        await client.post("/v1/webhooks", json={"url": "https://receiver.test/g", "events": ALL_EVENTS}), 201
    )
    await client.delete(f"/v1/webhooks/{gone['id']}")
    review = data_of(
        await client.post("/v1/reviews", json={"template_id": template_id, "content": {"text": "x"}}), 201
    )
    emulator.complete_review(review["id"], {"approved": True, "content": "x"})
    await emulator.adrain_deliveries(timeout=5)
    assert [json.loads(body)["event"] for _, body in receiver.received] == ["review.completed"]
    listed = data_of(
        await client.get("/_emulator/deliveries", params={"event": "review.completed", "status": "succeeded"})
    )
    assert len(listed) == 1
    assert data_of(await client.get("/_emulator/deliveries", params={"webhook_id": paused["id"]})) == []


@pytest.mark.asyncio
async def test_delivery_does_not_hold_up_the_answer() -> None:
    """A receiver that hangs delays only its delivery: the API answers, and draining waits for it."""
    released = threading.Event()

    async def hanging(request: httpx.Request) -> httpx.Response:
        while not released.is_set():
            await asyncio.sleep(0.005)
        return httpx.Response(204)

    emulator = Emulator(QUICK, webhook_transport=httpx.MockTransport(hanging))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url=BASE_URL, headers=AUTH
    ) as client:
        _, template_id = await _setup(client, "https://receiver.test/hook", ["review.created"])
        response = await client.post(
            "/v1/reviews", json={"template_id": template_id, "content": {"text": "x"}}
        )
        assert response.status_code == 201
        assert emulator.dispatcher.pending() == 1
        with pytest.raises(TimeoutError):
            emulator.drain_deliveries(timeout=0.01)
        released.set()
        await emulator.adrain_deliveries(timeout=5)
    emulator.close()
    assert emulator.deliveries()[0]["attempts"][0]["status_code"] == 204


@pytest.mark.asyncio
async def test_reset_cancels_deliveries_under_way(
    mocked: tuple[Emulator, Receiver, httpx.AsyncClient],
) -> None:
    """Reset stops retrying deliveries and empties the log."""
    emulator, receiver, client = mocked
    await client.patch("/_emulator/config", json={"webhook_retry_delays": [30]})
    receiver.statuses = [500]
    _, template_id = await _setup(client, "https://receiver.test/hook", ["review.created"])
    await client.post("/v1/reviews", json={"template_id": template_id, "content": {"text": "x"}})
    for _ in range(100):
        if receiver.received:
            break
        await asyncio.sleep(0.01)
    assert emulator.dispatcher.pending() == 1
    await client.post("/_emulator/reset")
    assert emulator.dispatcher.pending() == 0
    assert emulator.deliveries() == []
    emulator.drain_deliveries(timeout=0.1)


def test_sync_threaded_server_delivers_to_a_live_receiver(live_receiver: tuple[str, Receiver]) -> None:
    """All over real HTTP with a blocking client: emulator on one loopback port, receiver on another."""
    url, receiver = live_receiver
    with run_in_thread(QUICK) as server, httpx.Client(base_url=server.url, headers=AUTH) as client:
        hook = client.post("/v1/webhooks", json={"url": url, "events": ["template.updated"]}).json()["data"]
        template = client.post("/v1/templates", json={"name": "T", "fields": CONTENT_REVIEW_FIELDS}).json()[
            "data"
        ]
        client.patch(f"/v1/templates/{template['id']}", json={"description": "new"})
        drained = client.post("/_emulator/deliveries/drain").json()["data"]
        assert drained["drained"] is True
    ((headers, body),) = receiver.received
    assert headers["x-hitl-signature"] == expected_signature(hook["secret"], body)
    assert set(json.loads(body)) == {"id", "event", "template", "timestamp"}
