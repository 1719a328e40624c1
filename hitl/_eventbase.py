"""
Base classes of the typed webhook events: `WebhookEvent`, and `UnknownWebhookEvent` for the types this SDK
version does not know. The classes of the known types are generated from openapi.yaml into `hitl._events`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

__all__ = ["UnknownWebhookEvent", "WebhookEvent"]


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """
    A verified webhook delivery.

    Attributes:
        id: The event id (`evt_…`), the same in every delivery of one event; `None` if the payload had none.
        type: The event type, e.g. `"review.completed"`.
        timestamp: When the event happened (UTC), as signed by the server.
        raw: The whole JSON payload, including fields this SDK version does not know.
        body: The raw body the signature was checked against.
    """

    id: str | None
    type: str
    timestamp: dt.datetime
    raw: dict[str, Any] = attrs.field(repr=False, eq=False)
    body: bytes = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class UnknownWebhookEvent(WebhookEvent):
    """
    An event type this SDK version does not know yet; read it from `raw`.

    Receivers should answer it with 2xx and ignore it (or log it), so a new event type never breaks them.
    """
