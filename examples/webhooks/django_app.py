"""
Receive HITL.sh webhooks with Django.

In a project, put the view in an app's `views.py` and the route in `urls.py`; the settings block only makes
this file run on its own:

    HITL_WEBHOOK_SECRET=whsec_... python -m examples.webhooks.django_app runserver
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hitl_sync import (
    DuplicateGuard,
    ReviewCompletedEvent,
    WebhookEvent,
    WebhookVerificationError,
    construct_event,
)

if not settings.configured:  # a project has its settings.py instead
    settings.configure(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"])
    django.setup()

SECRET = os.environ["HITL_WEBHOOK_SECRET"]

guard = DuplicateGuard()  # in this process's memory; give it a shared store when running several workers
executor = ThreadPoolExecutor(max_workers=4)  # or hand the event to your task queue (Celery, RQ, ...)


def process(event: WebhookEvent) -> None:
    """Runs after the response has been sent."""
    if isinstance(event, ReviewCompletedEvent):
        print(f"review {event.review.id} decided: {event.review.result}")


@csrf_exempt  # the signature authenticates the request; HITL.sh has no CSRF token
@require_POST
def hitl_webhook(request: HttpRequest) -> HttpResponse:
    try:
        # The raw bytes, never `json.loads(...)` first: re-serialised JSON no longer matches the signature.
        event = construct_event(request.body, request.headers.get("X-HITL-Signature"), SECRET)
    except WebhookVerificationError as error:
        return HttpResponseBadRequest(str(error))
    if guard.first_time(event):
        executor.submit(process, event)
    return HttpResponse(status=204)  # a repeat is acknowledged too, or it would be delivered again


urlpatterns = [path("webhooks/hitl", hitl_webhook)]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
