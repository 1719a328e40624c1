"""
Every error hitl raises, in one place.

```
HITLError
├── ConfigurationError              the client cannot be built (e.g. no API key)
├── InvalidArgumentError            a call's arguments are wrong; nothing was sent (also a ValueError)
├── ClientClosedError               the client was closed; nothing was sent (also a RuntimeError)
│   └── EventLoopClosedError            ... in effect: the event loop it ran in has closed
├── BlockingInEventLoopError        a blocking wait would freeze a running event loop (also a RuntimeError)
├── APIConnectionError              no HTTP response arrived
│   └── APITimeoutError             ... because a timeout expired
├── APIResponseValidationError      a 2xx response did not have the documented shape
│   └── ResponseTooLargeError           a response body passed the client's max_response_size
├── APIStatusError                  the API answered with an error status
│   ├── BadRequestError             400
│   │   └── ValidationError             code validation_error
│   ├── AuthenticationError         401
│   ├── PermissionDeniedError       403
│   │   └── InsufficientPermissionsError code insufficient_permissions
│   ├── NotFoundError               404
│   │   ├── ReviewNotFoundError         code review_not_found
│   │   ├── TemplateNotFoundError       code template_not_found
│   │   ├── WebhookNotFoundError        code webhook_not_found
│   │   └── TeamNotFoundError           code team_not_found
│   ├── ConflictError               409
│   │   └── IdempotencyConflictError    code idempotency_conflict
│   ├── RateLimitError              429 (code rate_limit_exceeded)
│   ├── InternalServerError         5xx
│   └── WebhookDeliveryFailedError  code webhook_delivery_failed (any status; also the status's class)
├── WaitTimeoutError                reviews.wait() gave up before a decision (also a TimeoutError)
└── WebhookVerificationError        a webhook delivery failed verification (also a ValueError)
    ├── WebhookSignatureError           missing, malformed or wrong signature, or a bad secret
    ├── WebhookTimestampError           signed timestamp outside the tolerance (a replay?)
    └── WebhookPayloadError             the body is not a webhook event (or not raw bytes/text at all)
```

Catch a status class (`NotFoundError`) to handle every code of that status, or a code class
(`ReviewNotFoundError`) to handle one. A code the SDK does not know yet still raises the status class, with
`code` set to what the server sent. No message ever contains an API key or a webhook secret, and a pickled
error leaves them behind too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import httpx

from hitl._json import loads
from hitl._redact import Redactor
from hitl._retry import server_wait_seconds
from hitl._types import RateLimit

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BlockingInEventLoopError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "EventLoopClosedError",
    "HITLError",
    "IdempotencyConflictError",
    "InsufficientPermissionsError",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ReviewNotFoundError",
    "TeamNotFoundError",
    "TemplateNotFoundError",
    "ValidationError",
    "WaitTimeoutError",
    "WebhookDeliveryFailedError",
    "WebhookNotFoundError",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WebhookTimestampError",
    "WebhookVerificationError",
]


class HITLError(Exception):
    """Base class of every error raised by hitl."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt without `__init__` (constructors take keyword arguments), with every request and response
        # stripped of credentials: a pickled error travels (to worker processes, task queues, crash
        # reports), the API key must not.
        state = {name: _without_credentials(value) for name, value in self.__dict__.items()}
        return (_rebuild_error, (type(self), self.args), state)


def _rebuild_error(cls: type[HITLError], args: tuple[Any, ...]) -> HITLError:
    error = cls.__new__(cls)
    error.args = args
    return error  # pickle then restores the attributes


class ConfigurationError(HITLError):
    """The client cannot be built as configured, e.g. no API key was found."""


class InvalidArgumentError(HITLError, ValueError):
    """An argument of an SDK call is wrong; nothing was sent. The message names the argument."""


# Using a client where it cannot work: mistakes in the calling program, raised at once and never retried.


class ClientClosedError(HITLError, RuntimeError):
    """The client was closed (`close()`/`aclose()`, or the end of its `with` block); nothing was sent."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "this client is closed, so it cannot send requests (its connections were closed: by "
            "aclose()/close() or the end of its `with` block, by closing the client it was copied from with "
            "with_options(), or by closing the httpx client given as http_client=). Keep it open while it is "
            "in use, or make a new client"
        )


class EventLoopClosedError(ClientClosedError):
    """
    An `AsyncHITL` was used after the event loop it ran in had closed (e.g. across two `asyncio.run()`
    calls): its connections belong to that loop.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "the event loop this AsyncHITL's connections were opened in has closed (a second "
            "asyncio.run()?): a client belongs to one event loop. Create it inside the coroutine that uses "
            "it, e.g. `async with AsyncHITL() as hitl:` in main(), or make one per event loop"
        )


class BlockingInEventLoopError(HITLError, RuntimeError):
    """
    A blocking `hitl_sync` call would wait (`reviews.wait()`, `create_and_wait()`, a retry's pause) in a
    thread that runs an event loop, freezing every task of that loop meanwhile.

    Attributes:
        what: The call that was refused, e.g. `"reviews.wait()"`.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            f"{what} would block the event loop running in this thread (every task of it would freeze until "
            "it returns). In async code use hitl_async.AsyncHITL and await it (`await "
            "hitl.reviews.wait(...)`; in a notebook too), or run the blocking call in a worker thread "
            "(asyncio.to_thread / anyio.to_thread.run_sync)"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.what,))


# Transport errors: no HTTP response arrived.


class APIConnectionError(HITLError):
    """The request could not be sent or no response came back (DNS, refused, reset, TLS...)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""


class APIResponseValidationError(HITLError):
    """A success response could not be read as the documented envelope and model."""

    def __init__(
        self, message: str, *, response: httpx.Response | None = None, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code if response is not None else None
        self.request_id = request_id


class ResponseTooLargeError(APIResponseValidationError):
    """
    A response body (of any status) was larger than the client's `max_response_size`. Reading stopped there:
    the body is not kept, and the request is not retried.
    """


# Status errors: the API answered with an error envelope (or something that should have been one).


class APIStatusError(HITLError):
    """
    The API answered with a 4xx or 5xx status.

    Attributes:
        status_code: The HTTP status.
        code: The envelope's `error.code` (e.g. `"review_not_found"`), or `None` when the body had none.
        message: The envelope's `error.message`, or a description of the body when it was not an envelope.
        details: The envelope's `error.details` (for `validation_error`: `{"field": ..., "issue": ...}`).
        request_id: `meta.request_id`, for support requests.
        rate_limit: The parsed `X-RateLimit-*` headers, when present.
        response: The `httpx.Response`.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status_code = response.status_code
        self.code = code
        self.message = message
        self.details = dict(details) if details is not None else None
        self.request_id = request_id
        self.response = response
        self.rate_limit = RateLimit.from_headers(response.headers)
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"{self.status_code} {self.code or 'error'}: {self.message}{self._hint()}"
        if self.details:
            try:
                shown = json.dumps(self.details, default=str, sort_keys=True)
            except (RecursionError, ValueError):  # nested too deep to print, or a cycle
                shown = "nested too deeply to show"
            text += f" (details: {shown})"
        if self.request_id:
            text += f" [request_id={self.request_id}]"
        return text

    def _hint(self) -> str:
        """What the caller can do about it, appended to the message; empty when there is nothing to add."""
        return ""

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor: rebuild through a function so pickling (e.g. across processes) works.
        cls = getattr(type(self), "_code_class", type(self))
        return (
            _rebuild_status_error,
            (
                cls,
                self.message,
                _response_without_credentials(self.response),
                self.code,
                self.details,
                self.request_id,
            ),
        )


_CREDENTIAL_HEADERS = frozenset({b"authorization", b"proxy-authorization"})
_BODY_HEADERS = frozenset({b"content-encoding", b"content-length"})


def _without_credentials(value: object) -> object:
    """An attribute of an error as it is pickled: requests and responses lose their credentials."""
    if isinstance(value, httpx.Response):
        return _response_without_credentials(value)
    if isinstance(value, httpx.Request):
        return _request_without_credentials(value, Redactor.for_request(value))
    return value


def _response_without_credentials(response: httpx.Response) -> httpx.Response:
    """
    The response as it is pickled: same status and headers, its body without the key its request carried nor
    any `secret` member, and its request without credentials.
    """
    redactor = Redactor.for_response(response)
    try:
        request: httpx.Request | None = response.request
    except RuntimeError:  # a response built by hand has no request
        request = None
    try:
        content = response.content
    except httpx.ResponseNotRead:  # refused unread (too large): nothing to keep
        content = b""
    # The body is kept decoded and may lose a secret: its encoding and length are those of the new body.
    response_headers = [(n, v) for n, v in response.headers.raw if n.lower() not in _BODY_HEADERS]
    return httpx.Response(
        response.status_code,
        headers=response_headers,
        content=redactor.body_bytes(content),
        request=_request_without_credentials(request, redactor) if request is not None else None,
    )


def _request_without_credentials(request: httpx.Request, redactor: Redactor) -> httpx.Request:
    headers = [
        (name, value)
        for name, value in request.headers.raw
        if name.lower() not in _CREDENTIAL_HEADERS and name.lower() != b"content-length"
    ]
    try:
        content = redactor.body_bytes(request.content)
    except httpx.RequestNotRead:  # a streamed upload: its body is not kept
        content = b""
    return httpx.Request(request.method, request.url, headers=headers, content=content)


def _rebuild_status_error(
    cls: type[APIStatusError],
    message: str,
    response: httpx.Response,
    code: str | None,
    details: Mapping[str, Any] | None,
    request_id: str | None,
) -> APIStatusError:
    cls = _with_status_class(cls, response.status_code)
    return cls(message, response=response, code=code, details=details, request_id=request_id)


class BadRequestError(APIStatusError):
    """400: the request was invalid."""


class ValidationError(BadRequestError):
    """400 `validation_error`: a field is invalid; `details` says which (`field`) and why (`issue`)."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the API key may not do this."""


class InsufficientPermissionsError(PermissionDeniedError):
    """403 `insufficient_permissions`: e.g. a read-only key tried to write."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist."""


class ReviewNotFoundError(NotFoundError):
    """404 `review_not_found`."""


class TemplateNotFoundError(NotFoundError):
    """404 `template_not_found` (also when creating a review for a missing template)."""


class WebhookNotFoundError(NotFoundError):
    """404 `webhook_not_found`."""


class TeamNotFoundError(NotFoundError):
    """404 `team_not_found`."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state (e.g. cancelling a completed review)."""


class IdempotencyConflictError(ConflictError):
    """409 `idempotency_conflict`: this Idempotency-Key was already used with a different request."""


class RateLimitError(APIStatusError):
    """
    429: too many requests. Raised when the wait the server asked for is longer than the client may sleep
    (`RetryPolicy.max_server_wait`), or when the retries ran out.

    Attributes:
        retry_after: Seconds the server asked to wait, from `Retry-After` or `X-RateLimit-Reset`, measured
            when the response arrived; `None` if it did not say. The message says it too ("retry after 120s").
        rate_limit: The parsed limit, remaining count and reset time.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        self.retry_after: float | None = server_wait_seconds(response.headers)
        super().__init__(message, response=response, code=code, details=details, request_id=request_id)

    def _hint(self) -> str:
        if "retry after" in self.message.lower():  # the server said when already; once is enough
            return ""
        if self.retry_after is None:
            return "; retry later"
        return f"; retry after {_format_seconds(self.retry_after)}"


def _format_seconds(seconds: float) -> str:
    return f"{seconds:.1f}s" if seconds < 10 else f"{math.ceil(seconds)}s"


class InternalServerError(APIStatusError):
    """5xx: the server failed. Retried automatically before this is raised."""


class WebhookDeliveryFailedError(APIStatusError):
    """`webhook_delivery_failed`: the API could not deliver a webhook."""


class WaitTimeoutError(HITLError, TimeoutError):
    """`reviews.wait()` gave up before the review reached a final status."""

    def __init__(self, review_id: str, last_status: str | None, waited: float) -> None:
        self.review_id = review_id
        self.last_status = last_status
        self.waited = waited
        super().__init__(
            f"review {review_id} was still {last_status or 'unknown'} after waiting {waited:.1f}s; "
            "wait longer (timeout=...) or receive the review.completed webhook instead"
        )


class WebhookVerificationError(HITLError, ValueError):
    """A webhook delivery failed verification. Answer it with 400 and do not process it."""


class WebhookSignatureError(WebhookVerificationError):
    """The signature header is missing or malformed, or does not match the body under any given secret."""


class WebhookTimestampError(WebhookVerificationError):
    """The signed `timestamp` lies outside the tolerance: a stale or replayed delivery, or a skewed clock."""


class WebhookPayloadError(WebhookVerificationError):
    """
    The body is not a webhook event: not bytes or text (pass the raw request body, not parsed JSON), or,
    once the signature matched, not UTF-8 JSON of a known event shape.
    """


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}

_CODE_CLASSES: dict[str, type[APIStatusError]] = {
    "validation_error": ValidationError,
    "unauthorized": AuthenticationError,
    "insufficient_permissions": InsufficientPermissionsError,
    "review_not_found": ReviewNotFoundError,
    "template_not_found": TemplateNotFoundError,
    "webhook_not_found": WebhookNotFoundError,
    "team_not_found": TeamNotFoundError,
    "idempotency_conflict": IdempotencyConflictError,
    "rate_limit_exceeded": RateLimitError,
    "webhook_delivery_failed": WebhookDeliveryFailedError,
}


def status_error_class(status_code: int, code: str | None) -> type[APIStatusError]:
    """The most specific class for a status and error code: the code's class if it agrees with the status."""
    by_status = _STATUS_CLASSES.get(status_code)
    if by_status is None:
        by_status = InternalServerError if status_code >= 500 else APIStatusError
    by_code = _CODE_CLASSES.get(code) if code else None
    if by_code is None:
        return by_status
    if by_code in _ANY_STATUS:
        return _with_status_class(by_code, status_code)
    # A code class is used only when it is the status class or a subclass of it, so `except NotFoundError`
    # always means a 404, whatever code a server sends (and a 422 with review_not_found is no NotFoundError).
    if by_status is not APIStatusError and issubclass(by_code, by_status):
        return by_code
    return by_status


# Codes that may come with any status. Their error is an instance of both the code's class and the status's,
# so `except WebhookDeliveryFailedError` and `except InternalServerError` both catch a 502 carrying the code.
_ANY_STATUS: frozenset[type[APIStatusError]] = frozenset({WebhookDeliveryFailedError})
_COMBINED: dict[tuple[type[APIStatusError], type[APIStatusError]], type[APIStatusError]] = {}


def _with_status_class(code_class: type[APIStatusError], status_code: int) -> type[APIStatusError]:
    if code_class not in _ANY_STATUS:
        return code_class
    status_class = _STATUS_CLASSES.get(status_code) or (
        InternalServerError if status_code >= 500 else APIStatusError
    )
    if issubclass(code_class, status_class):
        return code_class
    combined = _COMBINED.get((code_class, status_class))
    if combined is None:
        namespace = {
            "__module__": code_class.__module__,
            "__doc__": code_class.__doc__,
            "_code_class": code_class,
        }
        combined = type(code_class.__name__, (code_class, status_class), namespace)
        _COMBINED[(code_class, status_class)] = combined
    return combined


def make_status_error(response: httpx.Response) -> APIStatusError:
    """
    Build the error for an error response; never fails, whatever the body holds (HTML, empty, bad JSON, JSON
    nested a thousand deep). The key the request carried, echoed in the body, is redacted from every field.
    """
    code: str | None = None
    details: Mapping[str, Any] | None = None
    request_id: str | None = None
    message: str | None = None
    redactor = Redactor.for_response(response)
    try:
        body = loads(response.content) if response.content else None
    except ValueError:  # not UTF-8, not JSON, or nested too deep
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = redactor.text(error["code"]) if isinstance(error.get("code"), str) else None
            message = redactor.text(error["message"]) if isinstance(error.get("message"), str) else None
            if isinstance(error.get("details"), dict):
                try:
                    details = redactor.json_value(error["details"])
                except RecursionError:  # nested deeper than can be walked, let alone shown
                    details = None
        meta = body.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("request_id"), str):
            request_id = redactor.text(meta["request_id"])
    if message is None:
        message = _describe_unreadable_body(response)
    cls = status_error_class(response.status_code, code)
    return cls(message, response=response, code=code, details=details, request_id=request_id)


def _describe_unreadable_body(response: httpx.Response) -> str:
    reason = response.reason_phrase or "error"
    if not response.content:
        return f"{reason} (empty response body)"
    content_type = response.headers.get("content-type", "no content type")
    size = len(response.content)
    return f"{reason} (response body was not a HITL error envelope: {size} bytes of {content_type})"
