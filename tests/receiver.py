"""A webhook receiver on loopback for end-to-end tests: verifies, de-duplicates and records deliveries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hitl import SIGNATURE_HEADER, WebhookEvent, WebhookVerificationError, construct_event
from hitl_async import AsyncDuplicateGuard
from hitl_emulator import serve_in_thread


class Receiver:
    """What a production receiver does: raw body, verify then parse, 400 on failure, drop duplicates."""

    def __init__(self) -> None:
        self.url = ""
        self.secret = ""
        self.accepted: list[WebhookEvent] = []
        self.duplicates = 0
        self.rejected = 0
        self._guard = AsyncDuplicateGuard()

    def wait_for(self, deliveries: int, timeout: float = 5.0) -> None:
        """Block until this many deliveries arrived (accepted, duplicate or rejected), or the timeout."""
        deadline = time.monotonic() + timeout
        while len(self.accepted) + self.duplicates + self.rejected < deliveries:
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)

    async def receive(self, request: Request) -> Response:
        # `Connection: close`: the sender keeps no connection to a receiver that stops with the test.
        headers = {"Connection": "close"}
        try:
            event = construct_event(await request.body(), request.headers.get(SIGNATURE_HEADER), self.secret)
        except WebhookVerificationError:
            self.rejected += 1
            return Response(status_code=400, headers=headers)
        if await self._guard.first_time(event):
            self.accepted.append(event)
        else:
            self.duplicates += 1
        return Response(status_code=204, headers=headers)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hooks", receiver.receive, methods=["POST"])])
    with serve_in_thread(app) as base_url:
        receiver.url = f"{base_url}/hooks"
        yield receiver
