"""Tests for how the client turns error and malformed responses into hitl errors."""

from __future__ import annotations

import pytest

from hitl_async import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    HITLError,
    IdempotencyConflictError,
    InsufficientPermissionsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ReviewNotFoundError,
    TeamNotFoundError,
    TemplateNotFoundError,
    ValidationError,
    WebhookDeliveryFailedError,
    WebhookNotFoundError,
)
from tests.helpers import REVIEW, error, ok, raw, sequence

from ._support import make_client

pytestmark = pytest.mark.anyio

# (status, code, the classes the error must be an instance of)
CASES = [
    (400, "validation_error", (ValidationError, BadRequestError)),
    (401, "unauthorized", (AuthenticationError,)),
    (403, "insufficient_permissions", (InsufficientPermissionsError, PermissionDeniedError)),
    (404, "not_found", (NotFoundError,)),
    (404, "review_not_found", (ReviewNotFoundError, NotFoundError)),
    (404, "template_not_found", (TemplateNotFoundError, NotFoundError)),
    (404, "webhook_not_found", (WebhookNotFoundError, NotFoundError)),
    (404, "team_not_found", (TeamNotFoundError, NotFoundError)),
    (409, "conflict", (ConflictError,)),
    (409, "idempotency_conflict", (IdempotencyConflictError, ConflictError)),
    (429, "rate_limit_exceeded", (RateLimitError,)),
    (500, "internal_error", (InternalServerError,)),
    (503, "service_unavailable", (InternalServerError,)),
    (502, "webhook_delivery_failed", (WebhookDeliveryFailedError, InternalServerError)),
    (400, "webhook_delivery_failed", (WebhookDeliveryFailedError, BadRequestError)),
    (404, "a_code_from_the_future", (NotFoundError,)),
    (418, "a_code_from_the_future", (APIStatusError,)),
]


@pytest.mark.parametrize(("status", "code", "classes"), CASES, ids=[f"{s}-{c}" for s, c, _ in CASES])
async def test_status_and_code_map_to_their_error_class(
    status: int, code: str, classes: tuple[type[Exception], ...]
) -> None:
    """Each status has its class, and each reference error code a subclass to catch it by."""
    details = {"field": "content.text", "issue": "required"}
    handler, seen = sequence(error(status, code, "It went wrong", details))
    with pytest.raises(APIStatusError) as caught:
        await make_client(handler, max_retries=0).reviews.get("rev_123")
    exc = caught.value
    for cls in (*classes, APIStatusError, HITLError):
        assert isinstance(exc, cls)
    assert (exc.status_code, exc.code, exc.message, exc.details) == (status, code, "It went wrong", details)
    assert exc.request_id == "req_test"
    assert exc.response.status_code == status
    assert exc.rate_limit is not None
    assert exc.rate_limit.limit == 1000
    assert str(exc).startswith(f"{status} {code}: It went wrong")
    assert len(seen) == 1


async def test_a_code_disagreeing_with_the_status_keeps_the_status_class() -> None:
    """`except NotFoundError` means a 404: a review_not_found code on a 422 is a plain status error."""
    handler, _ = sequence(error(422, "review_not_found"))
    with pytest.raises(APIStatusError) as caught:
        await make_client(handler).reviews.get("rev_123")
    assert not isinstance(caught.value, NotFoundError)
    assert caught.value.code == "review_not_found"


async def test_message_carries_details_and_request_id() -> None:
    """The string of a status error says status, code, message, details and request id."""
    handler, _ = sequence(error(400, "validation_error", "Invalid content", {"field": "content.text"}))
    with pytest.raises(ValidationError) as caught:
        await make_client(handler).reviews.create(template_id="t", content={"text": "x"})
    assert str(caught.value) == (
        '400 validation_error: Invalid content (details: {"field": "content.text"}) [request_id=req_test]'
    )


async def test_html_error_page_gives_a_clear_status_error() -> None:
    """A proxy's HTML 502 is an InternalServerError that describes the body, not a JSON decoding error."""
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    handler, _ = sequence(raw(502, page, "text/html"))
    with pytest.raises(InternalServerError) as caught:
        await make_client(handler, max_retries=0).reviews.get("rev_123")
    exc = caught.value
    assert (exc.status_code, exc.code, exc.request_id, exc.details) == (502, None, None, None)
    assert str(exc) == (
        "502 error: Bad Gateway "
        f"(response body was not a HITL error envelope: {len(page)} bytes of text/html)"
    )
    assert exc.__context__ is None
    assert exc.__cause__ is None


async def test_empty_error_body_gives_a_clear_status_error() -> None:
    """An empty 503 is an InternalServerError saying the body was empty."""
    handler, _ = sequence(raw(503))
    with pytest.raises(
        InternalServerError, match=r"^503 error: Service Unavailable \(empty response body\)$"
    ):
        await make_client(handler, max_retries=0).reviews.get("rev_123")


@pytest.mark.parametrize(
    "content",
    [b'{"detail": "no"}', b'{"error": "no"}', b"[1, 2]", b"{not json", b"\xff\xfe", b"null"],
    ids=["other-json", "error-string", "array", "broken-json", "not-utf8", "null"],
)
async def test_unreadable_error_bodies_still_give_the_status_class(content: bytes) -> None:
    """Whatever the body of a 400, the error is a BadRequestError with a readable message."""
    handler, _ = sequence(raw(400, content, "application/json"))
    with pytest.raises(BadRequestError) as caught:
        await make_client(handler).reviews.get("rev_123")
    assert "response body was not a HITL error envelope" in str(caught.value)
    assert caught.value.code is None


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (raw(200, b"OK", "text/plain"), "200 response was not JSON"),
        (raw(200), "200 response was not JSON"),
        (raw(200, b'{"success": true}', "application/json"), "no `data` member"),
        (raw(200, b'["rev_123"]', "application/json"), "no `data` member"),
        (ok({"id": "rev_123"}), "does not fit Review"),
        (ok({**REVIEW, "id": 123}), "@ $.id"),
        (ok({**REVIEW, "created_at": "yesterday"}), "@ $.created_at"),
        (ok({**REVIEW, "content": "text"}), "@ $.content"),
        (ok({k: v for k, v in REVIEW.items() if k != "content"}), "required field missing @ $.content"),
    ],
    ids=[
        "text",
        "empty",
        "no-data",
        "array",
        "missing-fields",
        "wrong-type",
        "bad-date",
        "bad-nested",
        "missing-always-returned-field",
    ],
)
async def test_malformed_success_bodies_raise_response_validation_errors(
    response: object, expected: str
) -> None:
    """A 2xx that is not the documented envelope and model raises APIResponseValidationError, not a raw
    decoding or cattrs error."""
    handler, _ = sequence(response)  # type: ignore[arg-type]
    with pytest.raises(APIResponseValidationError) as caught:
        await make_client(handler).reviews.get("rev_123")
    assert expected in str(caught.value)
    assert caught.value.status_code == 200
    assert caught.value.response is not None


async def test_response_validation_error_carries_the_request_id() -> None:
    """When the envelope is readable, its request id is on the error, for support."""
    handler, _ = sequence(ok({"id": "rev_123"}))
    with pytest.raises(APIResponseValidationError) as caught:
        await make_client(handler).reviews.get("rev_123")
    assert caught.value.request_id == "req_test"
    assert "required field missing @ $.template_id" in str(caught.value)


@pytest.mark.parametrize(
    "response",
    [
        ok({"not": "a list"}, pagination={"has_more": False, "next_cursor": None}),
        ok([REVIEW]),
        ok([REVIEW], pagination={"has_more": "no", "next_cursor": None}),
        ok([REVIEW], pagination={"has_more": True, "next_cursor": 7}),
        ok([{"id": "rev_1"}], pagination={"has_more": False, "next_cursor": None}),
    ],
    ids=["data-not-list", "no-pagination", "has-more-not-bool", "cursor-not-string", "bad-item"],
)
async def test_malformed_list_bodies_raise_response_validation_errors(response: object) -> None:
    """A list response needs a `data` array of items and `meta.pagination`."""
    handler, _ = sequence(response)  # type: ignore[arg-type]
    with pytest.raises(APIResponseValidationError):
        await make_client(handler).reviews.list().first_page()


async def test_unknown_fields_and_enum_values_in_a_response_are_fine() -> None:
    """The API may grow: a response with new fields and a new status still parses; the new fields stay
    reachable in `model_extra`."""
    handler, _ = sequence(ok({**REVIEW, "status": "escalated", "escalation": {"level": 2}}))
    review = await make_client(handler).reviews.get("rev_123")
    assert review.status == "escalated"
    assert review.model_extra == {"escalation": {"level": 2}}
