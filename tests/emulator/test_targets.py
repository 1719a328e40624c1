"""Tests for where webhooks may point, and for deliveries bounded in time and in what they read."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from hitl_emulator import Emulator, EmulatorConfig, EmulatorServer, serve_in_thread
from tests.emulator._support import AUTH, BASE_URL, CONTENT_REVIEW_FIELDS, data_of, error_of

REFUSED_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.169.254./latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://[fe80::1%25eth0]/hook",
    "http://0/hook",
    "http://0.0.0.0:8765/hook",
    "http://[::]/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://017700000001/hook",
    "http://127.1/hook",
    "http://0177.0.0.1/hook",
    "http://0x7f.0.0.1/hook",
    "http://2852039166/latest/meta-data/",  # 169.254.169.254 as one number
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://100.100.100.200/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/",
    "http://224.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://127.0.0.1:8765/_emulator/reset",
    "http://localhost:8765/_emulator/reviews/rev_1/complete",
    "http://localhost:8765/%5Femulator/reset",
    "http://localhost:8765/hooks/../_emulator/reset",
    "http://localhost:8765/ui/reviews/rev_1/complete",
    "http://evil.example/_emulator/reset",
]
ALLOWED_URLS = [
    "http://127.0.0.1:9000/hooks",
    "http://localhost:9000/hooks",
    "http://[::1]:22/",
    "http://10.0.0.5/hooks",
    "http://172.20.0.3:8080/hooks",
    "http://192.168.1.10/hook",
    "http://receiver:8080/hooks",
    "https://example.com/hooks/hitl",
    "http://127.0.0.1:9000/uihooks",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
@pytest.mark.asyncio
async def test_link_local_metadata_obfuscated_and_own_targets_are_refused(
    client: httpx.AsyncClient, url: str
) -> None:
    """Creating or moving a webhook to such a URL is a 400 naming `url` and saying why."""
    created = await client.post("/v1/webhooks", json={"url": url, "events": ["review.created"]})
    assert created.status_code == 400, created.text
    assert error_of(created)["details"]["field"] == "url"
    assert "cannot receive deliveries" in error_of(created)["details"]["issue"]
    hook = data_of(
        await client.post("/v1/webhooks", json={"url": ALLOWED_URLS[0], "events": ["review.created"]}), 201
    )
    moved = await client.patch(f"/v1/webhooks/{hook['id']}", json={"url": url})
    assert moved.status_code == 400


@pytest.mark.parametrize("url", ALLOWED_URLS)
@pytest.mark.asyncio
async def test_loopback_private_and_public_targets_stay_allowed(client: httpx.AsyncClient, url: str) -> None:
    """Local receivers and docker-compose services live on loopback and private addresses: allowed."""
    response = await client.post("/v1/webhooks", json={"url": url, "events": ["review.created"]})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("deny", "url"),
    [
        (("private",), "http://10.0.0.5/hooks"),
        (("private",), "http://[fd12::1]/hooks"),
        (("loopback",), "http://127.0.0.1:9000/hooks"),
        (("loopback",), "http://localhost:9000/hooks"),
        (("loopback",), "http://[::ffff:127.0.0.1]/hooks"),
        (("192.168.0.0/16",), "http://192.168.1.10/hook"),
    ],
)
@pytest.mark.asyncio
async def test_webhook_deny_restricts_further(
    hitl_emulator: Emulator, client: httpx.AsyncClient, deny: tuple[str, ...], url: str
) -> None:
    """`webhook_deny` (`--webhook-deny`) refuses more networks: private, loopback, or any CIDR block."""
    hitl_emulator.reset(EmulatorConfig(webhook_deny=deny))
    response = await client.post("/v1/webhooks", json={"url": url, "events": ["review.created"]})
    assert response.status_code == 400
    assert "webhook_deny" in error_of(response)["details"]["issue"]


def test_a_bad_deny_entry_is_a_config_error() -> None:
    """A deny entry that is neither a network nor a keyword fails fast, naming it."""
    with pytest.raises(ValueError, match="'intranet'"):
        EmulatorConfig(webhook_deny=("intranet",))


@pytest.mark.asyncio
async def test_targets_are_checked_again_before_delivery(hitl_emulator_server: EmulatorServer) -> None:
    """A webhook stored before its network was denied is refused at delivery time, once, without retries."""
    emulator = hitl_emulator_server.emulator
    emulator.reset(EmulatorConfig(webhook_retry_delays=(0.01, 0.01)))
    async with httpx.AsyncClient(base_url=hitl_emulator_server.url, headers=AUTH) as client:
        await client.post(
            "/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["review.created"]}
        )
        template = data_of(
            await client.post("/v1/templates", json={"name": "T", "fields": CONTENT_REVIEW_FIELDS}), 201
        )
        emulator.configure(webhook_deny=("loopback",))
        await client.post("/v1/reviews", json={"template_id": template["id"], "content": {"text": "x"}})
        await emulator.adrain_deliveries(timeout=5)
    (delivery,) = emulator.deliveries()
    assert delivery["status"] == "failed"
    assert [attempt["error"].split(":")[0] for attempt in delivery["attempts"]] == ["refused"]


async def _trickling(scope: Scope, receive: Receive, send: Send) -> None:
    """A receiver that answers 200 and then sends its body one byte every 0.2 s, for ever."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000000")]})
    while True:
        await send({"type": "http.response.body", "body": b".", "more_body": True})
        await asyncio.sleep(0.2)


@contextmanager
def _huge_answer(sent: list[int]) -> Iterator[str]:
    """A raw HTTP receiver on loopback answering with 300 MB, counting the bytes the emulator takes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 314572800\r\n\r\n")
            chunk = b"x" * 65536
            try:
                for _ in range(4800):
                    connection.sendall(chunk)
                    sent.append(len(chunk))
            except OSError:
                return  # the emulator hung up: what should happen

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        thread.join(10)
        listener.close()


async def _deliver_one(emulator: Emulator, url: str) -> dict[str, object]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url=BASE_URL, headers=AUTH
    ) as client:
        await client.post("/v1/webhooks", json={"url": url, "events": ["template.updated"]})
        template = data_of(
            await client.post("/v1/templates", json={"name": "T", "fields": CONTENT_REVIEW_FIELDS}), 201
        )
        await client.patch(f"/v1/templates/{template['id']}", json={"name": "v2"})
        await emulator.adrain_deliveries(timeout=20)
    (delivery,) = emulator.deliveries()
    return delivery


@pytest.mark.asyncio
async def test_a_trickling_receiver_cannot_hold_an_attempt_past_the_timeout() -> None:
    """Each attempt ends within `webhook_timeout` in all, even when every byte arrives in time."""
    emulator = Emulator(EmulatorConfig(webhook_retry_delays=(0.01,), webhook_timeout=1.0))
    try:
        with serve_in_thread(_trickling) as url:
            started = time.monotonic()
            delivery = await _deliver_one(emulator, url + "/hook")
            elapsed = time.monotonic() - started
    finally:
        emulator.close()
    assert elapsed < 2 * 1.0 + 2.0  # two attempts of at most 1 s each, plus a margin
    assert delivery["status"] == "failed"
    attempts = delivery["attempts"]
    assert isinstance(attempts, list) and len(attempts) == 2
    assert all("within webhook_timeout (1 s)" in attempt["error"] for attempt in attempts)


@pytest.mark.asyncio
async def test_only_a_prefix_of_a_huge_answer_is_read() -> None:
    """A 300 MB answer is not read: the attempt keeps its first KiB and the connection is dropped."""
    sent: list[int] = []
    emulator = Emulator(EmulatorConfig(webhook_retry_delays=(), webhook_timeout=10.0))
    try:
        with _huge_answer(sent) as url:
            delivery = await _deliver_one(emulator, url + "/hook")
    finally:
        emulator.close()
    assert delivery["status"] == "succeeded"
    (attempt,) = delivery["attempts"]  # type: ignore[misc]
    assert attempt["answer"] == "x" * 1024
    assert sum(sent) < 64 * 1024 * 1024  # socket buffers hold a few MB; the rest was never taken
