"""
Receive HITL.sh webhooks with FastAPI.

    HITL_WEBHOOK_SECRET=whsec_... uvicorn examples.webhooks.fastapi_app:app
"""

import os

from fastapi import BackgroundTasks, FastAPI, Request, Response

from hitl_async import (
    AsyncDuplicateGuard,
    ReviewCompletedEvent,
    WebhookEvent,
    WebhookVerificationError,
    construct_event,
)

SECRET = os.environ["HITL_WEBHOOK_SECRET"]

app = FastAPI()
guard = AsyncDuplicateGuard()  # in this process's memory; give it a shared store when running several workers


async def process(event: WebhookEvent) -> None:
    """Runs after the response has been sent."""
    if isinstance(event, ReviewCompletedEvent):
        print(f"review {event.review.id} decided: {event.review.result}")


@app.post("/webhooks/hitl")
async def hitl_webhook(request: Request, background: BackgroundTasks) -> Response:
    try:
        # The raw bytes, never `await request.json()`: re-serialised JSON no longer matches the signature.
        event = construct_event(await request.body(), request.headers.get("X-HITL-Signature"), SECRET)
    except WebhookVerificationError as error:
        return Response(str(error), status_code=400)
    if await guard.first_time(event):
        background.add_task(process, event)
    return Response(status_code=204)  # a repeat is acknowledged too, or it would be delivered again
