"""Tests for `hitl._exceptions`: the error tree and building a status error from any response."""

from __future__ import annotations

import json
import pickle

import httpx
import pytest

import hitl
from hitl import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BlockingInEventLoopError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    EventLoopClosedError,
    HITLError,
    IdempotencyConflictError,
    InsufficientPermissionsError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ReviewNotFoundError,
    TeamNotFoundError,
    TemplateNotFoundError,
    ValidationError,
    WaitTimeoutError,
    WebhookDeliveryFailedError,
    WebhookNotFoundError,
    WebhookVerificationError,
)
from hitl._exceptions import make_status_error, status_error_class
from tests.helpers import API_KEY, error, raw

REQUEST = httpx.Request("GET", "https://api.hitl.sh/v1/reviews/rev_123")


def response(built: httpx.Response) -> httpx.Response:
    built.request = REQUEST
    return built


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, None, BadRequestError),
        (400, "validation_error", ValidationError),
        (401, None, AuthenticationError),
        (401, "unauthorized", AuthenticationError),
        (403, None, PermissionDeniedError),
        (403, "insufficient_permissions", InsufficientPermissionsError),
        (404, None, NotFoundError),
        (404, "not_found", NotFoundError),
        (404, "review_not_found", ReviewNotFoundError),
        (404, "template_not_found", TemplateNotFoundError),
        (404, "webhook_not_found", WebhookNotFoundError),
        (404, "team_not_found", TeamNotFoundError),
        (409, "conflict", ConflictError),
        (409, "idempotency_conflict", IdempotencyConflictError),
        (429, "rate_limit_exceeded", RateLimitError),
        (429, None, RateLimitError),
        (500, "internal_error", InternalServerError),
        (502, None, InternalServerError),
        (503, "service_unavailable", InternalServerError),
        (599, None, InternalServerError),
        (404, "something_new", NotFoundError),
        (404, "validation_error", NotFoundError),
        (400, "review_not_found", BadRequestError),
        (422, "review_not_found", APIStatusError),
        (418, None, APIStatusError),
    ],
)
def test_status_error_class(status: int, code: str | None, expected: type[APIStatusError]) -> None:
    """The code's class when it agrees with the status, else the status's class."""
    assert status_error_class(status, code) is expected


@pytest.mark.parametrize(("status", "status_class"), [(400, BadRequestError), (502, InternalServerError)])
def test_webhook_delivery_failed_is_caught_by_code_and_by_status(
    status: int, status_class: type[APIStatusError]
) -> None:
    """webhook_delivery_failed may come with any status: its error is both classes, and pickles."""
    exc = make_status_error(response(error(status, "webhook_delivery_failed", "Gave up")))
    assert isinstance(exc, WebhookDeliveryFailedError)
    assert isinstance(exc, status_class)
    assert type(exc).__name__ == "WebhookDeliveryFailedError"
    assert type(exc) is status_error_class(status, "webhook_delivery_failed")
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is type(exc)
    assert str(again) == str(exc)
    assert status_error_class(418, "webhook_delivery_failed") is WebhookDeliveryFailedError


def test_status_error_fields_come_from_the_envelope() -> None:
    """Code, message, details, request id and rate limit are read from the error envelope and headers."""
    exc = make_status_error(
        response(error(400, "validation_error", "Bad", {"field": "x", "issue": "required"}))
    )
    assert (exc.status_code, exc.code, exc.message) == (400, "validation_error", "Bad")
    assert exc.details == {"field": "x", "issue": "required"}
    assert exc.request_id == "req_test"
    assert exc.rate_limit is not None
    assert exc.rate_limit.remaining == 999
    assert (
        str(exc)
        == '400 validation_error: Bad (details: {"field": "x", "issue": "required"}) [request_id=req_test]'
    )


@pytest.mark.parametrize(
    ("built", "message"),
    [
        (
            raw(502, b"<html>Bad gateway</html>", "text/html"),
            "Bad Gateway (response body was not a HITL error envelope: 24 bytes of text/html)",
        ),
        (raw(503), "Service Unavailable (empty response body)"),
        (
            raw(500, b"{oops", "application/json"),
            "Internal Server Error (response body was not a HITL error "
            "envelope: 5 bytes of application/json)",
        ),
        (
            raw(500, b"\xff\xfe\xfa"),
            "Internal Server Error (response body was not a HITL error envelope: 3 bytes of no content type)",
        ),
        (
            raw(400, b'{"error": {"code": 5, "message": ["x"]}}', "application/json"),
            "Bad Request (response body was not a HITL error envelope: 40 bytes of application/json)",
        ),
    ],
)
def test_any_body_gives_a_readable_status_error(built: httpx.Response, message: str) -> None:
    """HTML, empty, broken JSON, non-UTF-8 or wrongly typed envelopes never raise while building the error."""
    exc = make_status_error(response(built))
    assert exc.message == message
    assert exc.code is None
    assert exc.details is None


def test_rate_limit_error_says_when_to_retry() -> None:
    """RateLimitError carries retry_after and says it in its message."""
    exc = make_status_error(response(error(429, "rate_limit_exceeded", "Too many", **{"Retry-After": "120"})))
    assert isinstance(exc, RateLimitError)
    assert exc.retry_after == 120.0
    assert str(exc) == "429 rate_limit_exceeded: Too many; retry after 120s [request_id=req_test]"
    short = make_status_error(
        response(error(429, "rate_limit_exceeded", "Too many", **{"Retry-After": "1.5"}))
    )
    assert "retry after 1.5s" in str(short)


def test_rate_limit_error_says_retry_after_once() -> None:
    """When the server's message already says when to retry, the hint is not added a second time."""
    exc = make_status_error(
        response(
            error(
                429,
                "rate_limit_exceeded",
                "Too many requests: 100 per minute; retry after 30 s",
                **{"Retry-After": "30"},
            )
        )
    )
    assert isinstance(exc, RateLimitError)
    assert exc.retry_after == 30.0
    assert str(exc).lower().count("retry after") == 1
    assert str(exc) == (
        "429 rate_limit_exceeded: Too many requests: 100 per minute; retry after 30 s [request_id=req_test]"
    )


def test_rate_limit_error_without_a_wait_says_later() -> None:
    """Without Retry-After and with a reset already past, the message still gives advice."""
    exc = make_status_error(response(raw(429)))
    assert isinstance(exc, RateLimitError)
    assert exc.retry_after is None
    assert str(exc) == "429 error: Too Many Requests (empty response body); retry later"


@pytest.mark.parametrize("code", ["review_not_found", "rate_limit_exceeded", "validation_error"])
def test_status_errors_pickle(code: str) -> None:
    """Errors survive pickling (e.g. across processes) with their class and fields."""
    status = {"review_not_found": 404, "rate_limit_exceeded": 429, "validation_error": 400}[code]
    exc = make_status_error(response(error(status, code, "m", {"a": 1}, **{"Retry-After": "3"})))
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is type(exc)
    assert (again.status_code, again.code, again.message, again.details, again.request_id) == (
        status,
        code,
        "m",
        {"a": 1},
        "req_test",
    )
    assert str(again) == str(exc)


def test_error_tree() -> None:
    """Every error is a HITLError; transport, status and validation errors are apart; some extend builtins."""
    for cls in (
        ConfigurationError,
        InvalidArgumentError,
        APIConnectionError,
        APIStatusError,
        APIResponseValidationError,
        WaitTimeoutError,
        WebhookVerificationError,
    ):
        assert issubclass(cls, HITLError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert not issubclass(APIConnectionError, APIStatusError)
    assert not issubclass(APIResponseValidationError, APIStatusError)
    assert issubclass(InvalidArgumentError, ValueError)
    assert issubclass(WaitTimeoutError, TimeoutError)
    assert issubclass(WebhookVerificationError, ValueError)
    for name in hitl._exceptions.__all__:
        assert getattr(hitl, name).__module__ == "hitl"


def test_usage_errors_are_runtime_errors_that_say_what_to_do_and_pickle() -> None:
    """Closed clients and blocked loops were bare RuntimeErrors: now HITLErrors, still RuntimeErrors."""
    errors = [ClientClosedError(), EventLoopClosedError(), BlockingInEventLoopError("reviews.wait()")]
    for exc in errors:
        assert isinstance(exc, HITLError)
        assert isinstance(exc, RuntimeError)
        again = pickle.loads(pickle.dumps(exc))
        assert (type(again), str(again)) == (type(exc), str(exc))
    assert issubclass(EventLoopClosedError, ClientClosedError)
    assert "make a new client" in str(errors[0])
    assert "Create it inside the coroutine that uses it" in str(errors[1])
    assert str(errors[2]).startswith("reviews.wait() would block the event loop running in this thread")
    assert "hitl_async.AsyncHITL" in str(errors[2])
    assert pickle.loads(pickle.dumps(errors[2])).what == "reviews.wait()"


def test_wait_timeout_error_message() -> None:
    """It names the review, its last status and the time waited, and says what to do."""
    exc = WaitTimeoutError("rev_1", "in_progress", 600.0)
    assert str(exc).startswith("review rev_1 was still in_progress after waiting 600.0s; wait longer")
    assert (exc.review_id, exc.last_status, exc.waited) == ("rev_1", "in_progress", 600.0)


def test_pickled_status_error_leaves_the_api_key_behind() -> None:
    """A pickled error keeps its response and request, but not the request's Authorization header."""
    request = httpx.Request(
        "GET", "https://api.hitl.sh/v1/reviews/rev_1", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    answer = error(404, "review_not_found", "gone")
    answer.request = request
    exc = make_status_error(answer)

    data = pickle.dumps(exc)
    again = pickle.loads(data)

    assert API_KEY.encode() not in data
    assert "authorization" not in again.response.request.headers
    assert again.response.request.url == request.url
    assert again.response.json()["error"]["code"] == "review_not_found"
    assert exc.response.request.headers["authorization"] == f"Bearer {API_KEY}"  # the live error is untouched


def _with_key(response: httpx.Response, method: str = "GET", content: bytes = b"") -> httpx.Response:
    response.request = httpx.Request(
        method,
        "https://api.hitl.sh/v1/webhooks",
        headers={"Authorization": f"Bearer {API_KEY}"},
        content=content,
    )
    return response


@pytest.mark.parametrize(
    "build",
    [
        lambda request: APIConnectionError("GET /v1/reviews failed", request=request),
        lambda request: APITimeoutError("GET /v1/reviews timed out", request=request),
        lambda request: APIResponseValidationError(
            "bad", response=_with_key(raw(200, b'{"key": "' + API_KEY.encode() + b'"}')), request_id="req_1"
        ),
        lambda request: hitl.ResponseTooLargeError(
            "too big", response=_with_key(httpx.Response(200, stream=httpx.ByteStream(b"x")))
        ),
        lambda request: WaitTimeoutError("rev_1", "in_progress", 3.0),
        lambda request: InvalidArgumentError("review_id must not be empty"),
    ],
    ids=["connection", "timeout", "validation", "too-large", "wait-timeout", "invalid-argument"],
)
def test_every_error_pickles_without_the_key(build: object) -> None:
    """Every error, not only status errors, pickles and unpickles with its class, message and attributes, and
    leaves the API key behind: in headers, and in a body that echoed it."""
    request = httpx.Request(
        "POST",
        "https://api.hitl.sh/v1/reviews",
        headers={"Authorization": f"Bearer {API_KEY}"},
        json={"a": 1},
    )
    exc = build(request)  # type: ignore[operator]
    data = pickle.dumps(exc)
    again = pickle.loads(data)
    assert API_KEY.encode() not in data
    assert type(again) is type(exc)
    assert str(again) == str(exc)
    assert set(vars(again)) == set(vars(exc))
    if isinstance(exc, APIConnectionError):
        assert again.request.url == request.url
        assert again.request.content == request.content  # (httpx < 0.28 writes JSON with spaces)
        assert "authorization" not in again.request.headers


def test_a_pickled_status_error_drops_an_echoed_key_and_webhook_secret_from_its_body() -> None:
    """The kept body loses what the server echoed: the key, and any `secret` member."""
    body = b'{"success": false, "error": {"code": "x", "message": "m"}, "secret": "whsec_1", "k": "%s"}'
    exc = make_status_error(_with_key(raw(400, body % API_KEY.encode(), "application/json")))
    data = pickle.dumps(exc)
    again = pickle.loads(data)
    assert API_KEY.encode() not in data
    assert b"whsec_1" not in data
    assert again.response.json()["secret"] == "<redacted>"
    assert again.response.headers["content-length"] == str(len(again.response.content))
    assert str(again) == str(exc)


@pytest.mark.parametrize("depth", [600, 1200, 100_000])
@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_make_status_error_never_fails_on_deep_json(depth: int, status: int) -> None:
    """JSON nested beyond what the parser or a printer can follow still gives the status's class."""
    details = b'{"a":' * depth + b"1" + b"}" * depth
    body = b'{"success":false,"error":{"code":"c","message":"m","details":' + details + b"}}"
    exc = make_status_error(response(raw(status, body, "application/json")))
    assert exc.status_code == status
    assert str(exc)
    assert isinstance(pickle.loads(pickle.dumps(exc)), APIStatusError)


def test_a_status_error_redacts_the_key_the_request_carried() -> None:
    """Message, code, details and request id quoting the request's key (in any escaping JSON allows) are
    redacted; the live response is untouched."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in API_KEY)  # JSON may spell every character as \uXXXX
    error_member = {"code": API_KEY, "message": "key @", "details": {"echo": API_KEY}}
    body = json.dumps({"success": False, "error": error_member, "meta": {"request_id": API_KEY}})
    body = body.replace("@", escaped)  # json.dumps would escape the backslashes of the \u spelling
    exc = make_status_error(_with_key(raw(401, body.encode(), "application/json")))
    assert API_KEY not in str(exc)
    assert (exc.code, exc.message, exc.details, exc.request_id) == (
        "<redacted>",
        "key <redacted>",
        {"echo": "<redacted>"},
        "<redacted>",
    )
