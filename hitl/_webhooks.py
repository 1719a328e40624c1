"""
Webhook deliveries: check the signature and the timestamp, then read the typed event.

HITL.sh POSTs each event as JSON with `X-HITL-Signature: <hex HMAC-SHA256 of the raw body>`, keyed with the
webhook's secret. `construct_event()` does every check in the safe order (signature over the raw bytes first,
then JSON, then the signed timestamp) and returns a typed event: the class that `hitl._events` (generated from
openapi.yaml's `webhooks:` section) has for its type, or `UnknownWebhookEvent`. Whatever arrives,
the only errors it raises are `WebhookVerificationError` subclasses, so a receiver answers 400 and never 500.
`X-HITL-Event` and `X-HITL-Delivery` are not signed: they are for logs and routing, never for trust.

`sign_payload()`, `sign_delivery()` and `make_event_payload()` sign bodies the way the server does, so users
can test their receivers with real deliveries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from hitl import _events
from hitl._converter import converter, describe_structure_error
from hitl._eventbase import UnknownWebhookEvent, WebhookEvent
from hitl._events import *  # noqa: F403
from hitl._events import EVENT_CLASSES
from hitl._exceptions import (
    InvalidArgumentError,
    WebhookPayloadError,
    WebhookSignatureError,
    WebhookTimestampError,
)

__all__ = [
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
]
__all__ += _events.__all__

SIGNATURE_HEADER: Final = "X-HITL-Signature"
EVENT_HEADER: Final = "X-HITL-Event"
DELIVERY_HEADER: Final = "X-HITL-Delivery"

#: Seconds the signed `timestamp` may differ from the receiver's clock, either way.
DEFAULT_TOLERANCE: Final = 300.0

#: The raw request body, exactly as it arrived.
PayloadTypes = bytes | bytearray | memoryview | str
#: One webhook secret, or several while one is being rotated.
SecretTypes = str | bytes | Sequence[str | bytes]

_SIGNATURE_PREFIX: Final = "sha256="
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")
_SIGNATURE_HEX_LENGTH: Final = 2 * hashlib.sha256().digest_size


# Verification.


def verify_signature(payload: PayloadTypes, signature: str | None, secret: SecretTypes) -> None:
    """
    Check that `signature` is the HMAC-SHA256 of the raw `payload` under `secret` (or one of several).

    Args:
        payload: The raw request body, exactly as received: bytes, or a str holding the same text.
            Never JSON that was parsed and serialised again: that changes the bytes.
        signature: The `X-HITL-Signature` header (64 hex digits, either case, optionally after `sha256=`),
            or `None` when the request had none.
        secret: The webhook's secret, or a list of secrets while rotating (a match under any one passes;
            empty entries in a list are ignored).

    Raises:
        WebhookSignatureError: The header is missing or malformed, no secret was given, or nothing matched.
        WebhookPayloadError: `payload` is not bytes or str (e.g. parsed JSON).
    """
    body = _body_bytes(payload)
    keys = _secret_keys(secret)
    given = _parse_signature(signature)
    matched = False
    for key in keys:
        # No early exit: the time taken does not tell which secret matched.
        matched |= hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), given)
    if not matched:
        which = "the secret" if len(keys) == 1 else f"any of the {len(keys)} secrets"
        raise WebhookSignatureError(
            f"the {SIGNATURE_HEADER} signature does not match the body under {which}. Check that the secret "
            "is this webhook's, and that the body is the raw request body, byte for byte: JSON that was "
            "parsed and serialised again no longer matches"
        )


def construct_event(
    payload: PayloadTypes,
    signature: str | None,
    secret: SecretTypes,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | Callable[[], float] | None = None,
) -> WebhookEvent:
    """
    Verify a webhook delivery and return its typed event.

    Checks the signature over the raw body first, then reads the JSON, then checks that the signed
    `timestamp` lies within `tolerance` seconds of now, either way (an old delivery may be a replay).

    Args:
        payload: The raw request body, exactly as received (see `verify_signature`).
        signature: The `X-HITL-Signature` header, or `None` when the request had none.
        secret: The webhook's secret, or a list of secrets while rotating.
        tolerance: Seconds the timestamp may differ from now (default 300); `None` skips the check, e.g. to
            re-process stored deliveries.
        now: The current time in Unix seconds, or a function that returns it (such as `time.time`, the
            default), for tests and for re-checking stored deliveries against the time they arrived.

    Returns:
        The event's class for its type (`ReviewCompletedEvent`, `TemplateUpdatedEvent`, ...: one per event
        of openapi.yaml's `webhooks:` section), or an `UnknownWebhookEvent` for a type this SDK version does
        not know.

    Raises:
        WebhookSignatureError: The signature is missing, malformed or wrong, or no secret was given.
        WebhookPayloadError: The signature matched but the body is not a webhook event (or not bytes or str).
        WebhookTimestampError: The signed timestamp lies outside the tolerance.
        InvalidArgumentError: `tolerance` is negative or not a number, or `now` is not Unix seconds.

    >>> event = construct_event(body, headers.get("X-HITL-Signature"), secret)
    >>> if isinstance(event, ReviewCompletedEvent):
    ...     print(event.review.id, event.review.result)
    """
    if tolerance is not None:
        _check_tolerance(tolerance)
    if now is not None and not callable(now):
        _check_now(now)
    body = _body_bytes(payload)
    verify_signature(body, signature, secret)
    data = _parse_object(body)
    event_type = data.get("event")
    if not isinstance(event_type, str) or not event_type:
        raise WebhookPayloadError('the payload has no "event" string')
    event_id = data.get("id")
    if event_id is not None and (not isinstance(event_id, str) or not event_id):
        raise WebhookPayloadError('the payload\'s "id" is not a non-empty string')
    timestamp = _parse_timestamp(data.get("timestamp"))
    if tolerance is not None:
        _check_window(timestamp, tolerance, _current_time(now))
    return _build_event(event_type, event_id, timestamp, data, body)


def dedupe_key(event_or_payload: WebhookEvent | PayloadTypes) -> str:
    """
    The key that identifies one event across its deliveries: its id, else the SHA-256 hex digest of the body.

    A repeated delivery carries the same bytes, so both keys are stable. Pass the verified event, or the raw
    body (whose `"id"` is used when it is JSON with one).

    Raises:
        WebhookPayloadError: `event_or_payload` is neither an event nor a raw body.
    """
    if isinstance(event_or_payload, WebhookEvent):
        if event_or_payload.id:
            return event_or_payload.id
        body = event_or_payload.body
    else:
        body = _body_bytes(event_or_payload)
        event_id = _peek_field(body, "id")
        if event_id:
            return event_id
    return hashlib.sha256(body).hexdigest()


# Signing, for tests of receivers.


def sign_payload(payload: PayloadTypes | Mapping[str, Any], secret: str | bytes) -> tuple[bytes, str]:
    """
    Sign a body the way HITL.sh does; for testing receivers.

    Args:
        payload: The body: bytes or str are signed as they are; a mapping is serialised to compact JSON first
            (models and datetimes inside it are converted, see `make_event_payload`).
        secret: The webhook secret.

    Returns:
        The body bytes to send, and the value of the `X-HITL-Signature` header (lowercase hex).

    >>> body, signature = sign_payload(make_event_payload("review.completed", review=review), secret)
    """
    if not isinstance(secret, str | bytes):
        raise InvalidArgumentError(f"secret must be one str or bytes, not {type(secret).__name__}")
    key = _secret_keys(secret)[0]
    body = _serialise(payload)
    return body, hmac.new(key, body, hashlib.sha256).hexdigest()


def sign_delivery(
    payload: PayloadTypes | Mapping[str, Any],
    secret: str | bytes,
    *,
    delivery_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """
    Sign a body and build the headers a delivery carries; for testing receivers.

    Returns:
        The body bytes, and the headers `Content-Type`, `X-HITL-Signature`, `X-HITL-Delivery` (`delivery_id`,
        or a fresh random id) and `X-HITL-Event` (when the body names its event).

    >>> body, headers = sign_delivery(make_event_payload("review.completed", review=review), secret)
    >>> response = test_client.post("/webhooks/hitl", content=body, headers=headers)
    """
    body, signature = sign_payload(payload, secret)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature,
        DELIVERY_HEADER: delivery_id or f"dlv_{secrets.token_hex(12)}",
    }
    event_type = _peek_field(body, "event")
    if event_type:
        headers[EVENT_HEADER] = event_type
    return body, headers


def make_event_payload(
    event_type: str,
    *,
    review: Any = None,
    template: Any = None,
    event_id: str | None = None,
    timestamp: dt.datetime | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """
    Build an event payload shaped like the server's; for testing receivers.

    Args:
        event_type: E.g. `"review.completed"`.
        review: The review, as a `Review`, a `PartialReview` or a JSON-ready dict (for `review.*` events).
        template: The template, as a `Template`, a `PartialTemplate` or a dict (for `template.updated`).
        event_id: The event id; a fresh random `evt_…` id by default.
        timestamp: When the event happened; now by default, so the tolerance check passes.
        **fields: Any other field of the event's body, by name (models and datetimes are converted), for
            events that carry more than a review or a template.

    Returns:
        A JSON-ready dict, to pass to `sign_payload` or `sign_delivery`.

    Raises:
        InvalidArgumentError: `fields` names `id` or `event` (pass `event_id`, and the type first).
    """
    taken = sorted({"id", "event"} & set(fields))
    if taken:
        raise InvalidArgumentError(
            f"make_event_payload() sets {taken} itself: pass the event type first and the id as event_id="
        )
    data: dict[str, Any] = {"id": event_id or f"evt_{secrets.token_hex(12)}", "event": event_type}
    if review is not None:
        data["review"] = converter.unstructure(review)
    if template is not None:
        data["template"] = converter.unstructure(template)
    for name, value in fields.items():
        data[name] = converter.unstructure(value)
    data["timestamp"] = converter.unstructure(timestamp or dt.datetime.now(dt.UTC).replace(microsecond=0))
    return data


# Helpers.


def _body_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, bytearray | memoryview):
        return bytes(payload)
    if isinstance(payload, str):
        try:
            return payload.encode("utf-8")
        except UnicodeEncodeError:
            raise WebhookPayloadError(
                "the body is a str that UTF-8 cannot encode (it holds lone surrogates); pass the raw request "
                "body as bytes"
            ) from None
    parsed = " (that looks like parsed JSON)" if isinstance(payload, Mapping | list) else ""
    raise WebhookPayloadError(
        f"the body must be the raw request body as bytes or str, not {type(payload).__name__}{parsed}: the "
        "signature covers the exact bytes that arrived, e.g. Flask `request.get_data()`, Django "
        "`request.body`, Starlette and FastAPI `await request.body()`"
    )


def _secret_keys(secret: object) -> list[bytes]:
    if secret is None:
        raise WebhookSignatureError("no webhook secret was given (got None); check the configuration")
    items: Sequence[object]
    if isinstance(secret, str | bytes | bytearray):
        items = [secret]
    elif isinstance(secret, Sequence):
        items = secret
    else:
        raise WebhookSignatureError(
            f"the webhook secret must be a str or a list of str, not {type(secret).__name__}"
        )
    keys: list[bytes] = []
    for position, item in enumerate(items, 1):
        if isinstance(item, str):
            try:
                key = item.encode("utf-8")
            except UnicodeEncodeError:
                raise WebhookSignatureError(
                    f"webhook secret #{position} cannot be encoded as UTF-8; check the configuration"
                ) from None
        elif isinstance(item, bytes | bytearray):
            key = bytes(item)
        else:
            raise WebhookSignatureError(
                f"webhook secret #{position} must be a str, not {type(item).__name__}"
            )
        # Anyone can compute an HMAC under the empty key, so an empty secret must never verify anything.
        if key:
            keys.append(key)
    if not keys:
        raise WebhookSignatureError(
            "the webhook secret is empty; check the configuration (e.g. an unset environment variable)"
        )
    return keys


def _parse_signature(signature: object) -> bytes:
    if signature is None:
        raise WebhookSignatureError(f"the request has no {SIGNATURE_HEADER} header")
    if isinstance(signature, bytes | bytearray):
        try:
            signature = bytes(signature).decode("ascii")
        except UnicodeDecodeError:
            raise WebhookSignatureError(f"the {SIGNATURE_HEADER} header is not ASCII") from None
    if not isinstance(signature, str):
        raise WebhookSignatureError(
            f"the signature must be the {SIGNATURE_HEADER} header's value as a str, "
            f"not {type(signature).__name__}"
        )
    text = signature.strip(" \t\r\n")
    if not text:
        raise WebhookSignatureError(f"the {SIGNATURE_HEADER} header is empty")
    if not text.isascii():
        raise WebhookSignatureError(f"the {SIGNATURE_HEADER} header is not ASCII")
    if text[: len(_SIGNATURE_PREFIX)].lower() == _SIGNATURE_PREFIX:
        text = text[len(_SIGNATURE_PREFIX) :]
    if len(text) != _SIGNATURE_HEX_LENGTH:
        raise WebhookSignatureError(
            f"the {SIGNATURE_HEADER} header must hold {_SIGNATURE_HEX_LENGTH} hex digits (optionally after "
            f"'{_SIGNATURE_PREFIX}'), not {len(text)} characters"
        )
    # Checked here because bytes.fromhex() would also accept spaces between digit pairs.
    if not _HEX_DIGITS.issuperset(text):
        raise WebhookSignatureError(f"the {SIGNATURE_HEADER} header is not hexadecimal")
    return bytes.fromhex(text)


def _current_time(now: float | Callable[[], float] | None) -> float:
    if now is None:
        return time.time()
    return _check_now(now() if callable(now) else now)


def _check_now(now: object) -> float:
    # A datetime, or a time in milliseconds, would otherwise fail deep inside, or reject every delivery.
    if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now):
        raise InvalidArgumentError(
            f"now must be the current time in Unix seconds (a number, or a function returning one, such as "
            f"time.time); got {now!r}"
        )
    return float(now)


def _check_tolerance(tolerance: object) -> None:
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or math.isnan(tolerance)
        or tolerance < 0
    ):
        raise InvalidArgumentError(
            f"tolerance must be a number of seconds >= 0, or None to skip the check; got {tolerance!r}"
        )


def _parse_object(body: bytes) -> dict[str, Any]:
    # Decoded as UTF-8 explicitly: json.loads(bytes) would also guess UTF-16 and UTF-32.
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookPayloadError("the body is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise WebhookPayloadError("the body is not valid JSON: it is nested too deeply") from None
    except ValueError as exc:
        raise WebhookPayloadError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise WebhookPayloadError(f"the body is JSON but not an object (got {_json_kind(data)})")
    return data


def _parse_timestamp(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise WebhookPayloadError('the payload has no "timestamp" string (an RFC 3339 date-time)')
    try:
        parsed = dt.datetime.fromisoformat(value)
        # The API sends UTC with "Z"; a value without an offset is read as UTC, as the model converter does.
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise WebhookPayloadError(
            f'the payload\'s "timestamp" is not an RFC 3339 date-time: {_preview(value)}'
        ) from None


def _check_window(timestamp: dt.datetime, tolerance: float, now: float) -> None:
    age = now - timestamp.timestamp()
    if abs(age) <= tolerance:
        return
    seconds = f"{abs(age):.3f}".rstrip("0").rstrip(".")
    when = f"{seconds}s old" if age > 0 else f"{seconds}s in the future"
    raise WebhookTimestampError(
        f"the delivery's signed timestamp {_rfc3339(timestamp)} is {when}, outside the tolerance of "
        f"{tolerance:g}s: a replayed or long-delayed delivery, or a wrong clock on this machine. "
        "Pass tolerance=None to skip the check (e.g. to re-process stored deliveries)"
    )


def _build_event(
    event_type: str, event_id: str | None, timestamp: dt.datetime, data: dict[str, Any], body: bytes
) -> WebhookEvent:
    cls = EVENT_CLASSES.get(event_type, UnknownWebhookEvent)
    carried = {
        field.name: _structure_field(data, field, event_type)
        for field in _carried_fields(cls)
        if field.name in data or field.default is attrs.NOTHING
    }
    return cls(id=event_id, type=event_type, timestamp=timestamp, raw=data, body=body, **carried)


def _carried_fields(cls: type[WebhookEvent]) -> list[attrs.Attribute[Any]]:
    """The fields an event class has besides those of every event: what its body's schema adds."""
    fields = _CARRIED.get(cls)
    if fields is None:
        fields = _CARRIED[cls] = [f for f in attrs.fields(cls) if f.name not in _EVERY_EVENT]
    return fields


_EVERY_EVENT: Final = frozenset(field.name for field in attrs.fields(WebhookEvent))
_CARRIED: dict[type[WebhookEvent], list[attrs.Attribute[Any]]] = {}


def _structure_field(data: dict[str, Any], field: attrs.Attribute[Any], event_type: str) -> Any:
    value = data.get(field.name)
    type_: Any = field.type
    model = type_ if isinstance(type_, type) and attrs.has(type_) else None
    if model is not None and not isinstance(value, dict):
        raise WebhookPayloadError(f'a {event_type} event needs a "{field.name}" object')
    try:
        return converter.structure(value, type_)
    # Any failure to read a signed but malformed payload is the payload's fault, whatever cattrs raised.
    except Exception as exc:
        fit = f"the {model.__name__} model" if model is not None else "its type"
        raise WebhookPayloadError(
            f'the "{field.name}" of the {event_type} event does not fit {fit}: '
            f"{describe_structure_error(exc)}"
        ) from exc


def _serialise(payload: object) -> bytes:
    if isinstance(payload, Mapping):
        try:
            data = converter.unstructure(dict(payload))
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"the payload cannot be serialised as JSON: {exc}") from exc
    try:
        return _body_bytes(payload)
    except WebhookPayloadError as exc:
        raise InvalidArgumentError(
            f"payload must be bytes, str or a mapping, not {type(payload).__name__}"
        ) from exc


def _peek_field(body: bytes, field: str) -> str | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    value = data.get(field) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def _rfc3339(value: dt.datetime) -> str:
    text: str = converter.unstructure(value)
    return text


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _preview(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")
