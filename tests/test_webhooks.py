"""Tests for `hitl._webhooks`: signature checks, the replay window, typed events and the test helpers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest

from hitl._exceptions import (
    HITLError,
    InvalidArgumentError,
    WebhookPayloadError,
    WebhookSignatureError,
    WebhookTimestampError,
    WebhookVerificationError,
)
from hitl._models import PartialReview, PartialTemplate, Review
from hitl._webhooks import (
    DEFAULT_TOLERANCE,
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    ReviewAssignedEvent,
    ReviewCancelledEvent,
    ReviewCompletedEvent,
    ReviewCreatedEvent,
    ReviewStartedEvent,
    ReviewWebhookEvent,
    TemplateUpdatedEvent,
    UnknownWebhookEvent,
    WebhookEvent,
    construct_event,
    dedupe_key,
    make_event_payload,
    sign_delivery,
    sign_payload,
    verify_signature,
)
from tests import helpers

SECRET = "whsec_5f1c9a0e7b2d4c8e9a1b3c5d7e9f0a2b"
OTHER_SECRET = "whsec_0000000000000000000000000000000a"
EVENT_TIME = dt.datetime(2024, 1, 15, 12, 30, tzinfo=dt.UTC)
NOW = EVENT_TIME.timestamp()

REVIEW: dict[str, Any] = {
    "id": "rev_123",
    "template_id": "template_123",
    "status": "completed",
    "result": {"approved": True, "content": "Revised content...", "feedback": "Great content"},
    "completed_at": "2024-01-15T12:30:00Z",
    "reviewer": "reviewer@company.com",
}
TEMPLATE: dict[str, Any] = {
    "id": "tpl_7Kq2mX",
    "name": "Content Review",
    "fields": [{"name": "approved", "type": "boolean", "label": "Approve content", "required": True}],
}


FITS_PARTIAL_REVIEW = "does not fit the PartialReview model"


def payload(event: str = "review.completed", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "evt_1a2b3c4d",
        "event": event,
        "review": REVIEW,
        "timestamp": "2024-01-15T12:30:00Z",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def signed(data: dict[str, Any] | bytes | str, secret: str = SECRET) -> tuple[bytes, str]:
    return sign_payload(data, secret)


def construct(body: bytes | str, signature: str | None, secret: Any = SECRET, **kwargs: Any) -> WebhookEvent:
    kwargs.setdefault("now", lambda: NOW)
    return construct_event(body, signature, secret, **kwargs)


def hex_hmac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# Signatures


def test_the_reference_scheme_verifies() -> None:
    """A lowercase hex HMAC-SHA256 of the raw body under the secret verifies, computed independently."""
    body = b'{"event":"review.completed"}'
    verify_signature(body, hex_hmac(SECRET, body), SECRET)


def test_sign_payload_matches_the_reference_scheme() -> None:
    """`sign_payload` produces the reference's signature over the exact bytes it returns."""
    body, signature = sign_payload(payload(), SECRET)
    assert signature == hex_hmac(SECRET, body)
    assert signature == signature.lower()


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda s: s.upper(), id="uppercase"),
        pytest.param(lambda s: "sha256=" + s, id="sha256-prefix"),
        pytest.param(lambda s: "SHA256=" + s.upper(), id="uppercase-prefix"),
        pytest.param(lambda s: f"  {s}\t", id="surrounding-whitespace"),
        pytest.param(lambda s: s.encode(), id="bytes-header"),
    ],
)
def test_accepted_signature_spellings(transform: Any) -> None:
    """Either hex case, an optional `sha256=` prefix, outer whitespace and a bytes header value all verify."""
    body, signature = signed(payload())
    verify_signature(body, transform(signature), SECRET)


def test_str_and_buffer_bodies_verify() -> None:
    """The body may be bytes, a str of the same text, a bytearray or a memoryview."""
    body, signature = signed(payload(review={**REVIEW, "result": {"feedback": "très bien ✓"}}))
    for form in (body, body.decode(), bytearray(body), memoryview(body)):
        verify_signature(form, signature, SECRET)


@pytest.mark.parametrize(
    ("header", "words"),
    [
        pytest.param(None, "has no X-HITL-Signature", id="missing"),
        pytest.param("", "is empty", id="empty"),
        pytest.param("   ", "is empty", id="blank"),
        pytest.param("sha256=", "64 hex digits", id="prefix-only"),
        pytest.param("a" * 63, "not 63 characters", id="too-short"),
        pytest.param("a" * 65, "not 65 characters", id="too-long"),
        pytest.param("g" * 64, "not hexadecimal", id="non-hex"),
        pytest.param("ab " * 21 + "a", "not hexadecimal", id="spaced-hex"),
        pytest.param("é" * 64, "not ASCII", id="non-ascii"),
        pytest.param("a" * 63 + "\u0663", "not ASCII", id="non-ascii-digit"),
        pytest.param(b"\xff" * 64, "not ASCII", id="non-ascii-bytes"),
        pytest.param("t=1,v1=" + "a" * 64, "64 hex digits", id="other-scheme"),
        pytest.param(12345, "not int", id="int"),
        pytest.param(["a" * 64], "not list", id="list"),
    ],
)
def test_malformed_signatures_are_rejected(header: Any, words: str) -> None:
    """Every malformed header raises `WebhookSignatureError` that says what is wrong."""
    body, _ = signed(payload())
    with pytest.raises(WebhookSignatureError, match=words):
        verify_signature(body, header, SECRET)


def test_a_wrong_signature_is_rejected() -> None:
    """A well-formed signature of other bytes fails, and the message points at the raw-body pitfall."""
    body, _ = signed(payload())
    _, other = signed(payload(id="evt_other"))
    with pytest.raises(WebhookSignatureError, match="raw request body, byte for byte"):
        verify_signature(body, other, SECRET)


def test_a_tampered_body_is_rejected() -> None:
    """Changing one byte of a signed body fails verification."""
    body, signature = signed(payload())
    tampered = body.replace(b"true", b"fals", 1)
    with pytest.raises(WebhookSignatureError):
        construct(tampered, signature)


def test_reserialised_json_fails_verification() -> None:
    """JSON parsed and dumped again (as a framework's JSON parser would) no longer matches the signature."""
    body, signature = signed(payload())
    reserialised = json.dumps(json.loads(body))
    assert body.decode() != reserialised
    with pytest.raises(WebhookSignatureError):
        construct(reserialised, signature)


def test_comparison_is_constant_time_on_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signatures are compared with `hmac.compare_digest` on bytes, once per secret."""
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    body, signature = signed(payload())
    verify_signature(body, signature, [OTHER_SECRET, SECRET, "third"])
    assert len(calls) == 3
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)


# Secrets


@pytest.mark.parametrize("secrets", [[SECRET, OTHER_SECRET], [OTHER_SECRET, SECRET], (OTHER_SECRET, SECRET)])
def test_rotation_accepts_any_listed_secret(secrets: Any) -> None:
    """While a secret is rotated, a signature under either the old or the new one verifies."""
    body, signature = signed(payload())
    event = construct(body, signature, secrets)
    assert event.id == "evt_1a2b3c4d"


def test_rotation_rejects_a_secret_not_listed() -> None:
    """A signature under a secret that is not in the list fails, and the message counts the secrets."""
    body, signature = signed(payload(), "whsec_retired")
    with pytest.raises(WebhookSignatureError, match="any of the 2 secrets"):
        construct(body, signature, [SECRET, OTHER_SECRET])


def test_bytes_secrets_verify() -> None:
    """A secret may be given as bytes."""
    body, signature = signed(payload())
    construct(body, signature, SECRET.encode())
    construct(body, signature, [b"old", SECRET.encode()])


def test_empty_entries_in_a_secret_list_are_ignored() -> None:
    """An unset old secret in a rotation list does no harm, and never verifies anything itself."""
    body, signature = signed(payload())
    construct(body, signature, ["", SECRET])
    forged = hmac.new(b"", body, hashlib.sha256).hexdigest()
    with pytest.raises(WebhookSignatureError):
        construct(body, forged, ["", SECRET])


@pytest.mark.parametrize(
    ("secret", "words"),
    [
        pytest.param("", "secret is empty", id="empty"),
        pytest.param([], "secret is empty", id="empty-list"),
        pytest.param(["", b""], "secret is empty", id="only-empty"),
        pytest.param(None, "got None", id="none"),
        pytest.param(42, "not int", id="int"),
        pytest.param([SECRET, 42], "#2 must be a str", id="int-in-list"),
        pytest.param("\ud800", "#1 cannot be encoded", id="surrogate"),
        pytest.param({"secret": SECRET}, "not dict", id="dict"),
    ],
)
def test_bad_secrets_are_rejected(secret: Any, words: str) -> None:
    """An empty or malformed secret raises `WebhookSignatureError`, whatever the signature."""
    body, signature = signed(payload())
    with pytest.raises(WebhookSignatureError, match=words):
        construct(body, signature, secret)


def test_an_empty_secret_never_verifies_an_empty_key_signature() -> None:
    """A signature made with the empty key (which anyone can make) fails against an empty secret."""
    body = b"{}"
    with pytest.raises(WebhookSignatureError):
        verify_signature(body, hmac.new(b"", body, hashlib.sha256).hexdigest(), "")


# Bodies


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param({"event": "review.completed"}, "not dict .*parsed JSON", id="dict"),
        pytest.param([1, 2], "not list .*parsed JSON", id="list"),
        pytest.param(None, "not NoneType", id="none"),
        pytest.param(7, "not int", id="int"),
    ],
)
def test_a_body_that_is_not_bytes_or_str_is_rejected(body: Any, words: str) -> None:
    """Parsed JSON or any other object raises `WebhookPayloadError` asking for the raw body."""
    _, signature = signed(payload())
    with pytest.raises(WebhookPayloadError, match=words) as caught:
        construct(body, signature)
    assert "raw request body" in str(caught.value)


def test_a_str_body_with_lone_surrogates_is_rejected() -> None:
    """A str body that UTF-8 cannot encode raises `WebhookPayloadError`."""
    with pytest.raises(WebhookPayloadError, match="lone surrogates"):
        construct("{\ud800}", "a" * 64)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param(b"\xff\xfe{}", "not UTF-8", id="not-utf8"),
        pytest.param('{"event": "x"}'.encode("utf-16"), "not UTF-8", id="utf16"),
        pytest.param(b"\xef\xbb\xbf{}", "not valid JSON", id="utf8-bom"),
        pytest.param(b"", "not valid JSON", id="empty"),
        pytest.param(b"{", "not valid JSON", id="truncated"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="deep-nesting"),
        pytest.param(b'{"n": ' + b"9" * 5000 + b"}", "not valid JSON", id="huge-int"),
        pytest.param(b"[]", r"not an object \(got an array\)", id="array"),
        pytest.param(b'"text"', "got a string", id="string"),
        pytest.param(b"null", "got null", id="null"),
        pytest.param(b"1.5", "got a number", id="number"),
        pytest.param(b"true", "got a boolean", id="boolean"),
    ],
)
def test_signed_bodies_that_are_not_json_objects_are_rejected(body: bytes, words: str) -> None:
    """A correctly signed body that is not a UTF-8 JSON object raises `WebhookPayloadError`."""
    with pytest.raises(WebhookPayloadError, match=words):
        construct(body, hex_hmac(SECRET, body))


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        pytest.param({"event": None}, 'no "event" string', id="no-event"),
        pytest.param({"event": 3}, 'no "event" string', id="event-int"),
        pytest.param({"event": ""}, 'no "event" string', id="event-empty"),
        pytest.param({"timestamp": None}, 'no "timestamp"', id="no-timestamp"),
        pytest.param({"timestamp": 1705321800}, 'no "timestamp"', id="timestamp-number"),
        pytest.param({"timestamp": "yesterday"}, "not an RFC 3339", id="timestamp-garbled"),
        pytest.param({"timestamp": "2024-13-45T00:00:00Z"}, "not an RFC 3339", id="timestamp-impossible"),
        pytest.param({"timestamp": "0001-01-01T00:00:00+05:00"}, "not an RFC 3339", id="timestamp-overflow"),
        pytest.param({"id": 7}, '"id" is not', id="id-int"),
        pytest.param({"id": ""}, '"id" is not', id="id-empty"),
        pytest.param({"review": None}, 'needs a "review" object', id="no-review"),
        pytest.param({"review": [REVIEW]}, 'needs a "review" object', id="review-list"),
        pytest.param({"review": {"id": "rev_1"}}, FITS_PARTIAL_REVIEW, id="review-partial"),
        pytest.param({"review": {**REVIEW, "status": 5}}, FITS_PARTIAL_REVIEW, id="review-types"),
        pytest.param({"review": {**REVIEW, "completed_at": "soon"}}, FITS_PARTIAL_REVIEW, id="review-date"),
        pytest.param(
            {"event": "template.updated", "review": None}, 'needs a "template" object', id="no-template"
        ),
        pytest.param(
            {"event": "template.updated", "template": {**TEMPLATE, "fields": "none"}},
            "does not fit the PartialTemplate",
            id="template-types",
        ),
    ],
)
def test_signed_payloads_that_are_not_events_are_rejected(fields: dict[str, Any], words: str) -> None:
    """A correctly signed JSON object without a valid event shape raises `WebhookPayloadError`."""
    data = payload(**{key: value for key, value in fields.items() if value is not None})
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
    body, signature = signed(data)
    with pytest.raises(WebhookPayloadError, match=words):
        construct(body, signature)


def test_the_signature_is_checked_before_the_body_is_read() -> None:
    """Garbage with a wrong signature is a signature error: nothing is parsed before verification."""
    for body in (b"\xff", b"{", b"[]"):
        with pytest.raises(WebhookSignatureError):
            construct(body, "0" * 64)


def test_every_error_is_a_hitl_error_and_a_value_error() -> None:
    """The webhook errors share `WebhookVerificationError`, which is both a `HITLError` and a `ValueError`."""
    for cls in (WebhookSignatureError, WebhookPayloadError, WebhookTimestampError):
        assert issubclass(cls, WebhookVerificationError)
        assert issubclass(cls, HITLError)
        assert issubclass(cls, ValueError)


def test_messages_never_contain_the_secret_or_the_expected_signature() -> None:
    """No error message shows a secret or the signature the receiver expected."""
    body = json.dumps(payload(timestamp="2020-01-01T00:00:00Z")).encode()
    expected = hex_hmac(SECRET, body)
    attempts: list[tuple[Any, Any, Any]] = [
        (body, "0" * 64, SECRET),
        (body, "0" * 64, [SECRET, OTHER_SECRET]),
        (body, expected[:-1], SECRET),
        (body, None, SECRET),
        (body, expected, SECRET),  # stale timestamp
        (b"\xff", hex_hmac(SECRET, b"\xff"), SECRET),
        ({"x": SECRET}, expected, SECRET),
    ]
    for attempt_body, header, secret in attempts:
        with pytest.raises(WebhookVerificationError) as caught:
            construct(attempt_body, header, secret)
        text = str(caught.value) + repr(caught.value)
        assert SECRET not in text
        assert OTHER_SECRET not in text
        assert expected not in text


# The replay window


def test_the_default_tolerance_is_five_minutes() -> None:
    """`construct_event` accepts a timestamp up to 300 seconds away by default."""
    assert DEFAULT_TOLERANCE == 300


@pytest.mark.parametrize("offset", [-DEFAULT_TOLERANCE, -1.0, 0.0, 1.0, DEFAULT_TOLERANCE])
def test_timestamps_inside_the_tolerance_pass(offset: float) -> None:
    """A timestamp up to the tolerance old or ahead, edges included, passes."""
    body, signature = signed(payload())
    event = construct(body, signature, now=lambda: NOW + offset)
    assert event.timestamp == EVENT_TIME


@pytest.mark.parametrize(
    ("offset", "words"),
    [(DEFAULT_TOLERANCE + 0.001, "300.001s old"), (-DEFAULT_TOLERANCE - 0.001, "in the future")],
)
def test_timestamps_outside_the_tolerance_fail(offset: float, words: str) -> None:
    """A timestamp just past the tolerance, too old or too new, raises `WebhookTimestampError`."""
    body, signature = signed(payload())
    with pytest.raises(WebhookTimestampError, match=words):
        construct(body, signature, now=lambda: NOW + offset)


def test_tolerance_is_configurable() -> None:
    """A custom tolerance moves both edges."""
    body, signature = signed(payload())
    construct(body, signature, now=lambda: NOW + 3600, tolerance=3600)
    with pytest.raises(WebhookTimestampError, match="tolerance of 10s"):
        construct(body, signature, now=lambda: NOW - 11, tolerance=10)


def test_now_takes_unix_seconds_or_a_clock() -> None:
    """`now=` is the current time in Unix seconds, as the docs say, or a function returning it."""
    body, signature = signed(payload())
    assert construct(body, signature, now=NOW).timestamp == EVENT_TIME
    assert construct(body, signature, now=int(NOW) + 60).timestamp == EVENT_TIME
    with pytest.raises(WebhookTimestampError, match="old"):
        construct(body, signature, now=NOW + 3600)


@pytest.mark.parametrize(
    "now",
    [
        EVENT_TIME,  # a datetime
        str(NOW),
        float("nan"),
        True,
        lambda: EVENT_TIME,  # a clock that does not give seconds
    ],
)
def test_now_that_is_not_unix_seconds_is_refused(now: Any) -> None:
    """Anything else raises InvalidArgumentError saying what `now` takes, not a TypeError from inside."""
    body, signature = signed(payload())
    with pytest.raises(InvalidArgumentError, match="now must be the current time in Unix seconds"):
        construct(body, signature, now=now)


def test_tolerance_none_skips_the_check() -> None:
    """`tolerance=None` accepts any timestamp, e.g. to re-process stored deliveries."""
    body, signature = signed(payload())
    event = construct_event(body, signature, SECRET, tolerance=None)
    assert event.timestamp == EVENT_TIME


def test_the_real_clock_is_used_by_default() -> None:
    """Without `now`, a delivery made now passes and the 2024 example is a replay."""
    body, signature = signed(make_event_payload("review.completed", review=REVIEW))
    construct_event(body, signature, SECRET)
    old_body, old_signature = signed(payload())
    with pytest.raises(WebhookTimestampError):
        construct_event(old_body, old_signature, SECRET)


@pytest.mark.parametrize("tolerance", [-1, float("nan"), "300", True])
def test_an_invalid_tolerance_is_an_argument_error(tolerance: Any) -> None:
    """A negative, NaN or non-numeric tolerance is the caller's mistake, not the delivery's."""
    body, signature = signed(payload())
    with pytest.raises(InvalidArgumentError, match="tolerance"):
        construct(body, signature, tolerance=tolerance)


@pytest.mark.parametrize(
    "stamp",
    ["2024-01-15T14:30:00+02:00", "2024-01-15T12:30:00+00:00", "2024-01-15T12:30:00", "2024-01-15 12:30:00Z"],
)
def test_timestamps_are_read_as_utc(stamp: str) -> None:
    """Offsets are converted to UTC and a timestamp without one is read as UTC."""
    body, signature = signed(payload(timestamp=stamp))
    event = construct(body, signature)
    assert event.timestamp == EVENT_TIME
    assert event.timestamp.tzinfo == dt.UTC


# Typed events


@pytest.mark.parametrize(
    ("event_type", "cls", "status"),
    [
        ("review.created", ReviewCreatedEvent, "created"),
        ("review.assigned", ReviewAssignedEvent, "assigned"),
        ("review.started", ReviewStartedEvent, "in_progress"),
        ("review.completed", ReviewCompletedEvent, "completed"),
        ("review.cancelled", ReviewCancelledEvent, "cancelled"),
    ],
)
def test_review_events_are_typed(event_type: str, cls: type[ReviewWebhookEvent], status: str) -> None:
    """Each `review.*` event becomes its own class carrying a `PartialReview`."""
    data = payload(event_type, review={**REVIEW, "status": status})
    body, signature = signed(data)
    event = construct(body, signature)
    assert cls is type(event)
    assert isinstance(event, ReviewWebhookEvent)
    assert event_type == event.type == cls.event_type
    assert event.id == "evt_1a2b3c4d"
    assert event.timestamp == EVENT_TIME
    assert isinstance(event.review, PartialReview)
    assert event.review.id == "rev_123"
    assert event.review.status == status
    assert event.raw == data
    assert event.body == body


def test_review_completed_carries_the_decision() -> None:
    """A `review.completed` event gives the reviewer's answers and the completion time, typed."""
    body, signature = signed(payload())
    event = construct(body, signature)
    assert isinstance(event, ReviewCompletedEvent)
    assert event.review.result == {
        "approved": True,
        "content": "Revised content...",
        "feedback": "Great content",
    }
    assert event.review.completed_at == EVENT_TIME


def test_template_updated_is_typed() -> None:
    """A `template.updated` event carries a `PartialTemplate`."""
    data = payload("template.updated", review=None, template=TEMPLATE)
    body, signature = signed(data)
    event = construct(body, signature)
    assert isinstance(event, TemplateUpdatedEvent)
    assert isinstance(event.template, PartialTemplate)
    assert event.template.id == "tpl_7Kq2mX"
    assert event.template.fields[0].name == "approved"


def test_unknown_event_types_are_kept_raw() -> None:
    """An event type this SDK does not know becomes `UnknownWebhookEvent` with the whole payload."""
    data = payload("review.escalated", review={"anything": ["goes"]}, level=3)
    body, signature = signed(data)
    event = construct(body, signature)
    assert UnknownWebhookEvent is type(event)
    assert event.type == "review.escalated"
    assert event.raw == data
    assert event.raw["level"] == 3


def test_unknown_fields_and_values_do_not_break_parsing() -> None:
    """New fields in the payload or the review, and a status this SDK does not know, still parse."""
    data = payload(review={**REVIEW, "status": "escalated", "new_field": 1}, schema_version=2)
    body, signature = signed(data)
    event = construct(body, signature)
    assert isinstance(event, ReviewCompletedEvent)
    assert event.review.status == "escalated"


def test_an_event_without_an_id_parses() -> None:
    """The reference's payload has no `id`; the event's id is then `None`."""
    body, signature = signed(payload(id=None))
    event = construct(body, signature)
    assert event.id is None


def test_events_are_immutable_and_compare_by_value() -> None:
    """Events are frozen, and two parses of one delivery are equal."""
    body, signature = signed(payload())
    first, second = construct(body, signature), construct(body, signature)
    assert first == second
    with pytest.raises(AttributeError):
        first.type = "review.created"  # type: ignore[misc]


def test_repr_leaves_out_the_raw_body() -> None:
    """An event's repr shows its type, id and timestamp but not the raw body."""
    body, signature = signed(payload())
    text = repr(construct(body, signature))
    assert "evt_1a2b3c4d" in text
    assert "body=" not in text
    assert "raw=" not in text


# Duplicate keys


def test_dedupe_key_is_the_event_id() -> None:
    """An event with an id, and its raw body, are both keyed by the id."""
    body, signature = signed(payload())
    assert dedupe_key(construct(body, signature)) == "evt_1a2b3c4d"
    assert dedupe_key(body) == "evt_1a2b3c4d"
    assert dedupe_key(body.decode()) == "evt_1a2b3c4d"


def test_dedupe_key_without_an_id_is_the_body_digest() -> None:
    """Without an id, the key is the SHA-256 hex digest of the raw body, for the event and the body alike."""
    body, signature = signed(payload(id=None))
    digest = hashlib.sha256(body).hexdigest()
    assert dedupe_key(construct(body, signature)) == digest
    assert dedupe_key(body) == digest
    assert dedupe_key(b"\xff") == hashlib.sha256(b"\xff").hexdigest()


def test_dedupe_key_rejects_parsed_json() -> None:
    """A parsed body has no stable key; `dedupe_key` asks for the raw body."""
    with pytest.raises(WebhookPayloadError, match="raw request body"):
        dedupe_key(payload())  # type: ignore[arg-type]


# Helpers for users' tests


def test_sign_delivery_builds_the_server_headers() -> None:
    """`sign_delivery` returns the body and every header a real delivery carries."""
    body, headers = sign_delivery(payload(), SECRET, delivery_id="dlv_8c7d6e5f")
    assert headers == {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: hex_hmac(SECRET, body),
        EVENT_HEADER: "review.completed",
        DELIVERY_HEADER: "dlv_8c7d6e5f",
    }
    assert isinstance(construct(body, headers[SIGNATURE_HEADER]), ReviewCompletedEvent)


def test_sign_delivery_makes_fresh_delivery_ids() -> None:
    """Without a delivery id, each delivery gets a new random one; raw bodies get no event header."""
    _, first = sign_delivery(b"raw", SECRET)
    _, second = sign_delivery(b"raw", SECRET)
    assert first[DELIVERY_HEADER] != second[DELIVERY_HEADER]
    assert first[DELIVERY_HEADER].startswith("dlv_")
    assert EVENT_HEADER not in first


def test_sign_payload_signs_bytes_and_str_as_they_are() -> None:
    """Bytes and str bodies are signed without re-serialising them."""
    raw = '{"event":  "review.completed" }'
    assert sign_payload(raw, SECRET) == (raw.encode(), hex_hmac(SECRET, raw.encode()))
    assert sign_payload(raw.encode(), SECRET) == (raw.encode(), hex_hmac(SECRET, raw.encode()))


@pytest.mark.parametrize(
    ("data", "secret"),
    [({"x": object()}, SECRET), (123, SECRET), ({}, [SECRET]), ({}, "")],
)
def test_sign_payload_rejects_bad_arguments(data: Any, secret: Any) -> None:
    """Unserialisable payloads, several secrets or an empty secret are refused."""
    with pytest.raises(HITLError):
        sign_payload(data, secret)


def test_make_event_payload_defaults_to_a_fresh_event_now() -> None:
    """`make_event_payload` fills a random event id and the current time, so the tolerance check passes."""
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data = make_event_payload("review.completed", review=REVIEW)
    assert data["id"].startswith("evt_")
    assert data["id"] != make_event_payload("review.completed", review=REVIEW)["id"]
    assert list(data) == ["id", "event", "review", "timestamp"]
    assert before <= dt.datetime.fromisoformat(data["timestamp"])
    assert data["timestamp"].endswith("Z")


def test_make_event_payload_takes_models() -> None:
    """A (partial) review or template model is converted to the JSON the server sends."""
    review = PartialReview.from_dict(REVIEW)
    template = PartialTemplate.from_dict(TEMPLATE)
    data = make_event_payload("review.completed", review=review, event_id="evt_x", timestamp=EVENT_TIME)
    assert data == {
        "id": "evt_x",
        "event": "review.completed",
        "review": review.to_dict(),
        "timestamp": "2024-01-15T12:30:00Z",
    }
    body, signature = sign_payload(data, SECRET)
    event = construct(body, signature)
    assert isinstance(event, ReviewCompletedEvent)
    assert event.review == review
    template_event = construct(
        *sign_payload(make_event_payload("template.updated", template=template), SECRET), tolerance=None
    )
    assert isinstance(template_event, TemplateUpdatedEvent)
    assert template_event.template == template


def test_make_event_payload_takes_other_fields() -> None:
    """Fields beyond `review` and `template` go into the body, converted; `id` and `event` are refused."""
    data = make_event_payload("review.escalated", review=REVIEW, escalated_at=EVENT_TIME, level=2)
    assert list(data) == ["id", "event", "review", "escalated_at", "level", "timestamp"]
    assert (data["escalated_at"], data["level"]) == ("2024-01-15T12:30:00Z", 2)
    with pytest.raises(InvalidArgumentError, match="event_id="):
        make_event_payload("review.completed", id="evt_1")


def test_make_event_payload_takes_a_fetched_review() -> None:
    """A `Review` as the REST API returns it makes a payload whose event carries the same fields."""
    review = Review.from_dict({**helpers.REVIEW, "status": "completed", "result": {"approved": True}})
    body, signature = sign_payload(make_event_payload("review.completed", review=review), SECRET)
    event = construct(body, signature, tolerance=None)
    assert isinstance(event, ReviewCompletedEvent)
    assert event.review.to_dict() == review.to_dict()
