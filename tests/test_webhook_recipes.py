"""Tests for the recipes in `examples/webhooks/`: each receiver verifies, acknowledges, and processes once."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import anyio
import attrs
import httpx
import pytest

from hitl._webhooks import (
    ReviewCompletedEvent,
    TemplateUpdatedEvent,
    UnknownWebhookEvent,
    WebhookEvent,
    make_event_payload,
    sign_delivery,
)

SECRET = "whsec_recipe_test"
URL = "/webhooks/hitl"
REVIEW = {"id": "rev_123", "template_id": "tpl_1", "status": "completed", "result": {"approved": True}}
TEMPLATE = {"id": "tpl_1", "name": "Content Review", "fields": []}


@attrs.define
class Receiver:
    """One recipe under test: how to post a delivery to it, and what it has processed."""

    post: Callable[[bytes, dict[str, str]], tuple[int, str]]
    drain: Callable[[], None]
    processed: list[WebhookEvent]


def load(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("HITL_WEBHOOK_SECRET", SECRET)
    return importlib.import_module(f"examples.webhooks.{name}")


def asgi_receiver(name: str, monkeypatch: pytest.MonkeyPatch) -> Receiver:
    import hitl_async

    module = load(name, monkeypatch)
    processed: list[WebhookEvent] = []

    async def record(event: WebhookEvent) -> None:
        processed.append(event)

    monkeypatch.setattr(module, "process", record)
    monkeypatch.setattr(module, "guard", hitl_async.AsyncDuplicateGuard())

    async def send(body: bytes, headers: dict[str, str]) -> httpx.Response:
        # ASGITransport returns once the app has finished, background tasks included.
        transport = httpx.ASGITransport(app=module.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(URL, content=body, headers=headers)

    def post(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = anyio.run(send, body, headers)
        return response.status_code, response.text

    return Receiver(post, lambda: None, processed)


def threaded_receiver(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> tuple[Receiver, ModuleType]:
    import hitl_sync

    processed: list[WebhookEvent] = []
    executor = ThreadPoolExecutor(max_workers=2)
    monkeypatch.setattr(module, "process", processed.append)
    monkeypatch.setattr(module, "guard", hitl_sync.DuplicateGuard())
    monkeypatch.setattr(module, "executor", executor)
    return Receiver(lambda body, headers: (0, ""), lambda: executor.shutdown(wait=True), processed), module


def flask_receiver(monkeypatch: pytest.MonkeyPatch) -> Receiver:
    receiver, module = threaded_receiver(load("flask_app", monkeypatch), monkeypatch)
    client = module.app.test_client()

    def post(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = client.post(URL, data=body, headers=headers)
        return response.status_code, response.get_data(as_text=True)

    receiver.post = post
    return receiver


def django_receiver(monkeypatch: pytest.MonkeyPatch) -> Receiver:
    receiver, _ = threaded_receiver(load("django_app", monkeypatch), monkeypatch)
    from django.test import Client

    client = Client()

    def post(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        extra = {name: value for name, value in headers.items() if name.lower() != "content-type"}
        response = client.post(URL, data=body, content_type=headers.get("Content-Type", ""), headers=extra)
        return response.status_code, response.content.decode()

    receiver.post = post
    return receiver


RECIPES: dict[str, Callable[[pytest.MonkeyPatch], Receiver]] = {
    "fastapi": lambda monkeypatch: asgi_receiver("fastapi_app", monkeypatch),
    "starlette": lambda monkeypatch: asgi_receiver("starlette_app", monkeypatch),
    "flask": flask_receiver,
    "django": django_receiver,
}


@pytest.fixture(params=sorted(RECIPES))
def receiver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    made = RECIPES[request.param](monkeypatch)
    yield made
    made.drain()


def delivery(event_type: str = "review.completed", **fields: Any) -> tuple[bytes, dict[str, str]]:
    data = make_event_payload(event_type, **fields)
    return sign_delivery(data, SECRET)


def test_a_signed_delivery_is_acknowledged_and_processed(receiver: Receiver) -> None:
    """A genuine delivery gets a 2xx, and its typed event is processed."""
    body, headers = delivery(review=REVIEW)
    status, _ = receiver.post(body, headers)
    receiver.drain()
    assert 200 <= status < 300
    assert [event.id for event in receiver.processed] == [json.loads(body)["id"]]
    event = receiver.processed[0]
    assert isinstance(event, ReviewCompletedEvent)
    assert event.review.result == {"approved": True}


def test_a_forged_delivery_is_rejected(receiver: Receiver) -> None:
    """A delivery signed with another secret gets a 400 naming the problem, and nothing is processed."""
    data = make_event_payload("review.completed", review=REVIEW)
    body, headers = sign_delivery(data, "whsec_attacker")
    status, text = receiver.post(body, headers)
    receiver.drain()
    assert status == 400
    assert "does not match" in text
    assert SECRET not in text
    assert receiver.processed == []


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda body, headers: (body, {**headers, "X-HITL-Signature": ""}), id="unsigned"),
        pytest.param(
            lambda body, headers: (body, {**headers, "X-HITL-Signature": "sha256=zz"}), id="malformed"
        ),
        pytest.param(
            lambda body, headers: (json.dumps(json.loads(body)).encode(), headers), id="reserialised"
        ),
        pytest.param(lambda body, headers: (body + b" ", headers), id="tampered"),
        pytest.param(lambda body, headers: (b"\xff\xfe", headers), id="garbage"),
    ],
)
def test_spoiled_deliveries_get_400_never_500(
    receiver: Receiver, spoil: Callable[[bytes, dict[str, str]], tuple[bytes, dict[str, str]]]
) -> None:
    """Missing or malformed signatures and changed bodies are answered 400, not with a server error."""
    body, headers = spoil(*delivery(review=REVIEW))
    status, _ = receiver.post(body, headers)
    receiver.drain()
    assert status == 400
    assert receiver.processed == []


def test_a_stale_delivery_is_rejected(receiver: Receiver) -> None:
    """A genuine delivery whose signed timestamp is long past (a replay) gets a 400."""
    body, headers = delivery(review=REVIEW, timestamp=dt.datetime(2024, 1, 15, 12, 30, tzinfo=dt.UTC))
    status, text = receiver.post(body, headers)
    receiver.drain()
    assert status == 400
    assert "tolerance" in text
    assert receiver.processed == []


def test_a_duplicate_is_acknowledged_but_processed_once(receiver: Receiver) -> None:
    """The same event delivered twice gets a 2xx both times and is processed once."""
    body, headers = delivery(review=REVIEW)
    first, _ = receiver.post(body, headers)
    second, _ = receiver.post(body, {**headers, "X-HITL-Delivery": "dlv_retry"})
    receiver.drain()
    assert 200 <= first < 300
    assert 200 <= second < 300
    assert len(receiver.processed) == 1


def test_other_event_types_reach_the_processor(receiver: Receiver) -> None:
    """Template events and event types the SDK does not know are acknowledged and handed on."""
    template_body, template_headers = delivery("template.updated", template=TEMPLATE)
    unknown_body, unknown_headers = delivery("review.escalated", review=REVIEW)
    assert 200 <= receiver.post(template_body, template_headers)[0] < 300
    assert 200 <= receiver.post(unknown_body, unknown_headers)[0] < 300
    receiver.drain()
    assert {type(event) for event in receiver.processed} == {TemplateUpdatedEvent, UnknownWebhookEvent}
