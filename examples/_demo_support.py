"""
What the quickstarts need around the SDK: an API to talk to, a webhook receiver, and a stand-in reviewer.

None of this is needed against the real HITL.sh API: there you have an API, your own web server receives the
webhooks, and people review.
"""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import httpx

from hitl import SIGNATURE_HEADER, WebhookEvent, WebhookVerificationError, construct_event
from hitl_sync import DuplicateGuard

__all__ = ["Transcript", "WebhookReceiver", "api_endpoint", "reviewer_acts"]


class Transcript:
    """Numbered, timed lines: what the demo prints."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._step = 0

    def step(self, text: str) -> None:
        self._step += 1
        print(f"{time.monotonic() - self._started:6.2f}s  {self._step:>2}. {text}", flush=True)

    def done(self) -> None:
        print(f"{time.monotonic() - self._started:6.2f}s  done", flush=True)


@contextmanager
def api_endpoint() -> Iterator[tuple[str, str, bool]]:
    """
    (base URL, API key, embedded?): `HITL_BASE_URL` and `HITL_API_KEY` when set, else an emulator started here
    on a free loopback port, delivering every webhook twice so the duplicate guard has work to do.
    """
    base_url = os.environ.get("HITL_BASE_URL")
    if base_url:
        yield base_url, os.environ.get("HITL_API_KEY", "hitl_dev_key"), False
        return
    from hitl_emulator import EmulatorConfig, run_in_thread  # needs the emulator extra

    with run_in_thread(EmulatorConfig(duplicate_deliveries=True)) as server:
        yield server.url, server.api_key, True


class WebhookReceiver:
    """
    A tiny webhook endpoint on loopback: verifies each delivery, drops duplicates, queues the events.

    It follows the recipe for any framework: read the raw body, `construct_event()` (verify, then parse),
    answer 400 on failure and 2xx at once, and process afterwards.
    """

    def __init__(self) -> None:
        self.secret = ""  # set once the webhook is registered: the API returns its secret once
        self.events: queue.Queue[WebhookEvent] = queue.Queue()
        self.duplicates = 0
        self.rejected = 0
        self._guard = DuplicateGuard()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def __enter__(self) -> WebhookReceiver:
        Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_event(self, timeout: float = 10.0) -> WebhookEvent:
        return self.events.get(timeout=timeout)

    def _receive(self, body: bytes, signature: str | None) -> int:
        try:
            event = construct_event(body, signature, self.secret)
        except WebhookVerificationError:
            self.rejected += 1
            return 400
        if not self._guard.first_time(event):
            self.duplicates += 1
            return 200
        self.events.put(event)
        return 200

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver._receive(body, self.headers.get(SIGNATURE_HEADER))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the transcript readable

        return Handler


def reviewer_acts(base_url: str, review_id: str, reviewer: str, result: dict[str, object]) -> None:
    """Play the human through the emulator's control API: open the review, then submit the form."""
    with httpx.Client(base_url=base_url, timeout=10) as control:
        control.post(f"/_emulator/reviews/{review_id}/start", json={"reviewer": reviewer}).raise_for_status()
        control.post(f"/_emulator/reviews/{review_id}/complete", json={"result": result}).raise_for_status()
