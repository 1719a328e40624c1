"""
Receive HITL.sh webhooks with Starlette.

    HITL_WEBHOOK_SECRET=whsec_... uvicorn examples.webhooks.starlette_app:app
"""

import os

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hitl_async import (
    AsyncDuplicateGuard,
    ReviewCompletedEvent,
    WebhookEvent,
    WebhookVerificationError,
    construct_event,
)

SECRET = os.environ["HITL_WEBHOOK_SECRET"]

guard = AsyncDuplicateGuard()  # in this process's memory; give it a shared store when running several workers


async def process(event: WebhookEvent) -> None:
    """Runs after the response has been sent."""
    if isinstance(event, ReviewCompletedEvent):
        print(f"review {event.review.id} decided: {event.review.result}")


async def hitl_webhook(request: Request) -> Response:
    try:
        # The raw bytes, never `await request.json()`: re-serialised JSON no longer matches the signature.
        event = construct_event(await request.body(), request.headers.get("X-HITL-Signature"), SECRET)
    except WebhookVerificationError as error:
        return Response(str(error), status_code=400)
    if not await guard.first_time(event):
        return Response(status_code=204)  # a repeat is acknowledged too, or it would be delivered again
    return Response(status_code=204, background=BackgroundTask(process, event))


app = Starlette(routes=[Route("/webhooks/hitl", hitl_webhook, methods=["POST"])])
