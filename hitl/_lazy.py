"""
Names that load on first use.

Receiving webhooks is not calling the API: verification, typed events and the duplicate guard stay unloaded
until a program touches one of them, so a client that only calls the API does not pay their import time.
Approvals load the same way.
`tests/test_exports.py` checks these lists against the modules' own `__all__`.

The clients are reachable from `hitl` too (`from hitl import HITL, AsyncHITL`, as other SDKs allow), but
`import hitl` must not import the I/O packages, which import `hitl` themselves: they load on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Final

from hitl._eventnames import EVENT_NAMES

CLIENT_HOMES: Final = {"AsyncHITL": "hitl_async", "HITL": "hitl_sync"}

__all__ = ["APPROVAL_NAMES", "CLIENT_HOMES", "FORM_NAMES", "WEBHOOK_NAMES", "load"]

# The typed events are generated from openapi.yaml (`hitl._events`); their names come from a generated list.
WEBHOOK_NAMES: Final = (
    *EVENT_NAMES,
    "DEFAULT_TOLERANCE",
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "PayloadTypes",
    "SecretTypes",
    "UnknownWebhookEvent",
    "WebhookEvent",
    "construct_event",
    "dedupe_key",
    "make_event_payload",
    "sign_delivery",
    "sign_payload",
    "verify_signature",
)

#: Approval decisions (`hitl._decision`), loaded with `client.approvals` or on first use.
APPROVAL_NAMES: Final = ("ApprovalRejectedError", "Decision", "DecisionOutcome", "Escalation")
#: Forms defined in code (`hitl._forms`).
FORM_NAMES: Final = ("ResultFieldError", "fields_from", "result_as")


def load(package: str, name: str, homes: Mapping[str, str], namespace: dict[str, object]) -> object:
    """
    Import `name` from its home module, cache it in the package's `namespace`, and return it.

    Classes from private modules report `package` as their module, as eagerly exported ones do.
    """
    home = homes.get(name)
    if home is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module(home), name)
    if isinstance(value, type) and "._" in value.__module__:
        value.__module__ = package
    namespace[name] = value
    return value
