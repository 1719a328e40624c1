"""
Property tests for `hitl._webhooks`: whatever arrives, the result is an event or a `WebhookVerificationError`.

The suite runs a few hundred examples per property; `benchmarks/fuzz_webhooks.py` runs the same properties
with `HITL_WEBHOOK_EXAMPLES` set to 100,000 or more and prints how the calls ended (counted in `OUTCOMES`).
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import hmac
import json
import math
import os
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hitl._exceptions import WebhookPayloadError, WebhookSignatureError, WebhookVerificationError
from hitl._webhooks import (
    UnknownWebhookEvent,
    WebhookEvent,
    construct_event,
    dedupe_key,
    sign_payload,
    verify_signature,
)

EXAMPLES = int(os.environ.get("HITL_WEBHOOK_EXAMPLES", "300"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: How each call ended, by property and outcome; the fuzz run prints it.
OUTCOMES: collections.Counter[str] = collections.Counter()

EVENT_TYPES = [
    "review.created",
    "review.assigned",
    "review.started",
    "review.completed",
    "review.cancelled",
    "template.updated",
]
STATUSES = ["created", "assigned", "in_progress", "completed", "cancelled"]

# Text that a real server could send as UTF-8: no lone surrogates.
clean_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
timestamps = (
    st.datetimes(timezones=st.none() | st.just(dt.UTC)).map(lambda value: value.isoformat())
    | st.datetimes().map(lambda value: value.isoformat() + "Z")
    | st.text(max_size=30)
    | json_values
)
# Events the server could send: a known type, a valid review or template, a valid timestamp.
well_formed_reviews = st.fixed_dictionaries(
    {"id": st.text(max_size=10), "template_id": st.text(max_size=10), "status": st.sampled_from(STATUSES)},
    optional={
        "result": st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=3),
        "completed_at": st.datetimes().map(lambda value: value.isoformat() + "Z"),
        "assignees": st.lists(st.text(max_size=10), max_size=2),
        "priority": st.sampled_from(["low", "medium", "high", "urgent"]),
        "reviewer": st.none() | st.text(max_size=10),
    },
)
well_formed_templates = st.fixed_dictionaries(
    {
        "id": st.text(max_size=10),
        "name": st.text(max_size=10),
        "fields": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.text(max_size=8),
                    "type": st.sampled_from(["boolean", "text"]),
                    "label": st.text(),
                }
            ),
            max_size=2,
        ),
    }
)
well_formed_events = st.fixed_dictionaries(
    {
        "id": st.text(max_size=12),
        "event": st.sampled_from(EVENT_TYPES),
        "review": well_formed_reviews,
        "template": well_formed_templates,
        "timestamp": st.datetimes().map(lambda value: value.isoformat() + "Z"),
    }
)
# Anything shaped roughly like an event, with every field possibly wrong.
loose_reviews = st.fixed_dictionaries(
    {
        "id": st.text(max_size=10) | json_values,
        "template_id": st.text(max_size=10) | json_values,
        "status": st.sampled_from(STATUSES) | json_values,
    },
    optional={
        "result": json_values,
        "completed_at": timestamps,
        "assignees": st.lists(st.text(max_size=10)) | json_values,
        "priority": st.sampled_from(["low", "medium", "high", "urgent"]) | json_values,
        "content": st.fixed_dictionaries({"text": st.text(max_size=10)}) | json_values,
    },
)
loose_events = st.fixed_dictionaries(
    {"event": st.sampled_from(EVENT_TYPES) | st.text(max_size=20) | json_values, "timestamp": timestamps},
    optional={
        "id": st.text(max_size=12) | json_values,
        "review": loose_reviews | json_values,
        "template": well_formed_templates | json_values,
        "extra": json_values,
    },
)
events = well_formed_events | loose_events


def dumps(value: Any, compact: bool) -> bytes:
    separators = (",", ":") if compact else None
    return json.dumps(value, separators=separators).encode()


def _mutate(draw: Callable[[st.SearchStrategy[Any]], Any], body: bytes) -> bytes:
    if not body:
        return bytes(draw(st.binary(min_size=1, max_size=4)))
    position: int = draw(st.integers(0, len(body) - 1))
    replacement = bytes(draw(st.binary(min_size=0, max_size=3)))
    return body[:position] + replacement + body[position + 1 :]


@st.composite
def payloads(draw: st.DrawFn) -> Any:
    """Raw bodies of every kind, plus objects that are not raw bodies at all."""
    kind = draw(st.sampled_from(["event", "event", "event", "json", "bytes", "text", "mutated", "object"]))
    if kind == "event":
        body = dumps(draw(events), compact=draw(st.booleans()))
        return body.decode() if draw(st.booleans()) else body
    if kind == "json":
        return dumps(draw(json_values), compact=True)
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "text":
        return draw(st.text(max_size=200))
    if kind == "mutated":
        return _mutate(draw, dumps(draw(events), compact=True))
    return draw(json_values | st.integers() | st.sets(st.integers(), max_size=3) | st.builds(bytearray))


usable_secrets = (
    st.text(min_size=1, max_size=40)
    | st.binary(min_size=1, max_size=40)
    | st.lists(st.text(max_size=20) | st.binary(max_size=20), min_size=1, max_size=4)
)
odd_secrets = (
    st.text(max_size=3)
    | st.tuples(st.text(max_size=20))
    | st.none()
    | st.integers()
    | st.lists(json_values, max_size=3)
    | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)
)
# Mostly secrets that work, so that many deliveries get past the signature and into parsing.
secrets = st.one_of(usable_secrets, usable_secrets, odd_secrets)


def _usable_key(secret: Any) -> bytes | None:
    candidates = (
        [secret] if isinstance(secret, str | bytes) else secret if isinstance(secret, list | tuple) else []
    )
    for candidate in candidates:
        try:
            key = candidate.encode() if isinstance(candidate, str) else candidate
        except UnicodeEncodeError:
            return None
        if isinstance(key, bytes) and key:
            return key
    return None


def _signature(draw: st.DrawFn, payload: Any, secret: Any) -> Any:
    """A header value: absent, garbage, well-formed but wrong, or right under the secret (in any spelling)."""
    kind = draw(st.sampled_from(["right", "right", "right", "random-hex", "garbage", "other"]))
    key = _usable_key(secret)
    if kind == "right" and key is not None and isinstance(payload, bytes | str):
        try:
            body = payload.encode() if isinstance(payload, str) else payload
        except UnicodeEncodeError:
            return None
        digest = hmac.new(key, body, hashlib.sha256).hexdigest()
        digest = digest.upper() if draw(st.booleans()) else digest
        return draw(st.sampled_from(["", "sha256=", "SHA256=", " "])) + digest
    if kind in ("right", "random-hex"):
        hex_text = draw(st.text(alphabet="0123456789abcdefABCDEF", min_size=60, max_size=68))
        return draw(st.sampled_from(["", "sha256="])) + hex_text
    if kind == "garbage":
        return draw(st.text(max_size=80) | st.binary(max_size=80))
    return draw(st.none() | st.integers() | st.lists(st.text(max_size=5), max_size=2))


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    """A body, a signature header and a secret; the signature is often right, so parsing is reached too."""
    payload = draw(payloads())
    secret = draw(secrets)
    return payload, _signature(draw, payload, secret), secret


tolerances = (
    st.none()
    | st.just(math.inf)
    | st.floats(min_value=0, allow_nan=False)
    | st.integers(min_value=0, max_value=10**6)
)
clocks = st.floats(min_value=-1e11, max_value=1e12, allow_nan=False)


def _record(name: str, outcome: BaseException | WebhookEvent) -> None:
    OUTCOMES[f"{name}: {type(outcome).__name__}"] += 1


@PROPERTY_SETTINGS
@given(delivery=deliveries(), tolerance=tolerances, now=clocks)
def test_construct_event_returns_an_event_or_raises_a_verification_error(
    delivery: tuple[Any, Any, Any], tolerance: float | None, now: float
) -> None:
    """Any body, header, secret and clock ends in an event or a `WebhookVerificationError`, nothing else."""
    payload, signature, secret = delivery
    try:
        event = construct_event(payload, signature, secret, tolerance=tolerance, now=lambda: now)
    except WebhookVerificationError as error:
        assert str(error)
        _record("construct_event", error)
    else:
        assert isinstance(event, WebhookEvent)
        assert isinstance(event.raw, dict)
        assert event.timestamp.tzinfo is not None
        _record("construct_event", event)


@PROPERTY_SETTINGS
@given(delivery=deliveries())
def test_verify_signature_passes_or_raises_a_verification_error(delivery: tuple[Any, Any, Any]) -> None:
    """`verify_signature` returns `None` or raises a `WebhookVerificationError`, for any input."""
    payload, signature, secret = delivery
    try:
        verify_signature(payload, signature, secret)
    except WebhookVerificationError as error:
        _record("verify_signature", error)
    else:
        OUTCOMES["verify_signature: verified"] += 1


@PROPERTY_SETTINGS
@given(payload=st.binary(max_size=300) | st.text(max_size=300) | payloads())
def test_dedupe_key_is_the_id_or_the_digest(payload: Any) -> None:
    """Any raw body has a key: its JSON `id` when it has one, else its SHA-256 hex digest."""
    try:
        key = dedupe_key(payload)
    except WebhookPayloadError as error:
        assert not isinstance(payload, bytes | bytearray)
        _record("dedupe_key", error)
        return
    assert key
    assert isinstance(key, str)
    OUTCOMES["dedupe_key: key"] += 1


@PROPERTY_SETTINGS
@given(event=events, secret=clean_text.filter(bool) | st.binary(min_size=1, max_size=40))
def test_a_signed_delivery_never_fails_its_signature(event: dict[str, Any], secret: str | bytes) -> None:
    """A body signed by `sign_payload` passes verification; anything left to fail is the payload itself."""
    body, signature = sign_payload(dumps(event, compact=True), secret)
    verify_signature(body, signature, secret)
    try:
        parsed = construct_event(body, signature, [b"other", secret], tolerance=None)
    except WebhookPayloadError as error:
        _record("signed delivery", error)
    else:
        assert parsed.raw == json.loads(body)
        _record("signed delivery", parsed)


@PROPERTY_SETTINGS
@given(
    data=st.data(),
    event=events,
    secret=clean_text.filter(bool),
    other=clean_text.filter(bool),
)
def test_changed_bodies_and_other_secrets_fail(
    data: st.DataObject, event: dict[str, Any], secret: str, other: str
) -> None:
    """Changing any byte of a signed body, or verifying under another secret, fails the signature."""
    body, signature = sign_payload(dumps(event, compact=True), secret)
    changed = _mutate(data.draw, body)
    if changed != body:
        try:
            construct_event(changed, signature, secret, tolerance=None)
        except WebhookSignatureError:
            OUTCOMES["tampered: WebhookSignatureError"] += 1
        else:
            raise AssertionError("a changed body verified")
    if other != secret:
        try:
            verify_signature(body, signature, other)
        except WebhookSignatureError:
            OUTCOMES["other secret: WebhookSignatureError"] += 1
        else:
            raise AssertionError("another secret verified")


@PROPERTY_SETTINGS
@given(event=events, secret=clean_text.filter(bool))
def test_reserialised_json_fails(event: dict[str, Any], secret: str) -> None:
    """Parsing a signed body and dumping it again changes the bytes, and the signature no longer matches."""
    body, signature = sign_payload(dumps(event, compact=True), secret)
    reserialised = dumps(json.loads(body), compact=False)
    assume(reserialised != body)
    try:
        verify_signature(reserialised, signature, secret)
    except WebhookSignatureError:
        OUTCOMES["reserialised: WebhookSignatureError"] += 1
    else:
        raise AssertionError("re-serialised JSON verified")


@PROPERTY_SETTINGS
@given(event_type=clean_text.filter(lambda text: text and text not in EVENT_TYPES), extra=json_values)
def test_any_unknown_event_type_is_kept(event_type: str, extra: Any) -> None:
    """Every event type this SDK does not know parses as `UnknownWebhookEvent`, whatever else it carries."""
    event = {"id": "evt_1", "event": event_type, "timestamp": "2024-01-15T12:30:00Z", "review": extra}
    body, signature = sign_payload(event, "whsec_test")
    parsed = construct_event(body, signature, "whsec_test", tolerance=None)
    assert isinstance(parsed, UnknownWebhookEvent)
    assert parsed.type == event_type
