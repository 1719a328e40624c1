"""
Receive HITL.sh webhooks with Flask.

    HITL_WEBHOOK_SECRET=whsec_... flask --app examples.webhooks.flask_app run
"""

import os
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, request

from hitl_sync import (
    DuplicateGuard,
    ReviewCompletedEvent,
    WebhookEvent,
    WebhookVerificationError,
    construct_event,
)

SECRET = os.environ["HITL_WEBHOOK_SECRET"]

app = Flask(__name__)
guard = DuplicateGuard()  # in this process's memory; give it a shared store when running several workers
executor = ThreadPoolExecutor(max_workers=4)  # or hand the event to your task queue (Celery, RQ, ...)


def process(event: WebhookEvent) -> None:
    """Runs after the response has been sent."""
    if isinstance(event, ReviewCompletedEvent):
        print(f"review {event.review.id} decided: {event.review.result}")


@app.post("/webhooks/hitl")
def hitl_webhook() -> tuple[str, int]:
    try:
        # The raw bytes, never `request.get_json()`: re-serialised JSON no longer matches the signature.
        event = construct_event(request.get_data(), request.headers.get("X-HITL-Signature"), SECRET)
    except WebhookVerificationError as error:
        return str(error), 400
    if guard.first_time(event):
        executor.submit(process, event)
    return "", 204  # a repeat is acknowledged too, or it would be delivered again
