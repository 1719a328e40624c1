"""
The client runtime: configuration, lifecycle, and the request pipeline every API method goes through.

`_request` → `_send_with_retries` → `httpx` send, then `_parse_*` unwraps the `{success, data, meta}` envelope.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import attrs
import httpx

from hitl._converter import converter, describe_structure_error
from hitl._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    InvalidArgumentError,
    RateLimitError,
    make_status_error,
)
from hitl._logging import logger, redact_headers
from hitl._retry import RetryPolicy, server_wait_seconds
from hitl._types import NOT_GIVEN, APIResponse, NotGiven, Page, TimeoutTypes
from hitl._version import __version__
from hitl_async._backend import sleep

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "AsyncBaseClient", "AsyncResource"]

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.hitl.sh"
#: 5 s to connect, 60 s for everything else: reviews are quick to create, a slow network is not.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
_USER_AGENT = f"hitl-python/{__version__}"


class AsyncBaseClient:
    """
    Configuration and the request pipeline shared by every resource.

    Args:
        api_key: Your HITL.sh API key. Defaults to the `HITL_API_KEY` environment variable.
        base_url: The API's address. Defaults to `HITL_BASE_URL`, then `https://api.hitl.sh`.
        timeout: Seconds, or an `httpx.Timeout` for connect/read/write/pool apart. `None` disables timeouts.
            Default: 5 s to connect, 60 s otherwise.
        max_retries: Retries after a failed attempt (connection errors, timeouts, 408, 429, 5xx). Default 2;
            0 turns retrying off. Overrides `retry_policy.max_retries`.
        retry_policy: Backoff and Retry-After settings; see `RetryPolicy`.
        http_client: An `httpx` client of your own (proxies, custom transport, limits). hitl never closes it.
        default_headers: Headers sent with every request.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        if api_key is None:
            api_key = os.environ.get("HITL_API_KEY")
        if not api_key:
            raise ConfigurationError(
                "No HITL API key: pass api_key=... to the client or set the HITL_API_KEY environment variable."
            )
        if base_url is None:
            base_url = os.environ.get("HITL_BASE_URL") or DEFAULT_BASE_URL
        policy = retry_policy or RetryPolicy()
        if not isinstance(max_retries, NotGiven):
            policy = attrs.evolve(policy, max_retries=max_retries)
        self._api_key = api_key
        self._base_url = str(base_url).rstrip("/")
        self._timeout: TimeoutTypes = DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
        self._retry_policy = policy
        self._default_headers = dict(default_headers or {})
        self._headers = {
            "Accept": "application/json",
            "User-Agent": _USER_AGENT,
            **self._default_headers,
            "Authorization": f"Bearer {api_key}",
        }
        self._owns_http_client = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=self._timeout)

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def timeout(self) -> TimeoutTypes:
        return self._timeout

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry_policy

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """
        A copy of this client with some settings changed, sharing its connection pool.

        Closing the copy does not close the pool; closing this client does.
        """
        copy = type(self)(
            api_key=api_key or self._api_key,
            base_url=base_url or self._base_url,
            timeout=self._timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=max_retries,
            retry_policy=retry_policy or self._retry_policy,
            http_client=self._http,
            default_headers={**self._default_headers, **(headers or {})},
        )
        return copy

    async def aclose(self) -> None:
        """Close the connection pool, unless it came from the caller (`http_client=`)."""
        if self._owns_http_client:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        # Never the key.
        return f"<{type(self).__name__} base_url={self._base_url!r}>"

    # The pipeline. Generated resource methods call the four entry points below.

    async def _request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> T:
        response, _ = await self._send_with_retries(
            method, path, params, json, idempotency_key, extra_headers, timeout, max_retries
        )
        return _parse_data(response, cast_to)

    async def _request_raw(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> APIResponse[T]:
        response, retries = await self._send_with_retries(
            method, path, params, json, idempotency_key, extra_headers, timeout, max_retries
        )
        return APIResponse(
            response, request_id=_request_id(response), retries_taken=retries, parse=lambda: _parse_data(response, cast_to)
        )

    async def _request_page(
        self,
        method: str,
        path: str,
        *,
        item_type: type[T],
        params: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Page[T]:
        response, _ = await self._send_with_retries(
            method, path, params, None, NOT_GIVEN, extra_headers, timeout, max_retries
        )
        return _parse_page(response, item_type)

    async def _request_page_raw(
        self,
        method: str,
        path: str,
        *,
        item_type: type[T],
        params: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> APIResponse[Page[T]]:
        response, retries = await self._send_with_retries(
            method, path, params, None, NOT_GIVEN, extra_headers, timeout, max_retries
        )
        return APIResponse(
            response, request_id=_request_id(response), retries_taken=retries, parse=lambda: _parse_page(response, item_type)
        )

    async def _send_with_retries(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        idempotency_key: str | NotGiven,
        extra_headers: Mapping[str, str] | None,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | NotGiven,
    ) -> tuple[httpx.Response, int]:
        """Send one logical request, retrying per the policy; returns the 2xx response and the retry count."""
        headers = self._headers
        if method == "POST" or extra_headers:
            headers = {**headers, **(extra_headers or {})}
            if method == "POST":
                # One key per logical call, made before the first attempt, so every retry carries the same one
                # and the server runs the request once.
                if isinstance(idempotency_key, NotGiven):
                    idempotency_key = str(uuid.uuid4())
                elif not isinstance(idempotency_key, str) or not idempotency_key:
                    raise InvalidArgumentError("idempotency_key must be a non-empty string")
                headers["Idempotency-Key"] = idempotency_key
        request = self._http.build_request(
            method,
            self._base_url + path,
            params=params,
            json=json,
            headers=headers,
            timeout=self._timeout if isinstance(timeout, NotGiven) else timeout,
        )
        retries_allowed = self._retry_policy.max_retries if isinstance(max_retries, NotGiven) else max_retries
        retries_taken = 0
        while True:
            response, error = await self._send_once(request)
            if response is not None and error is None:
                return response, retries_taken
            assert error is not None
            delay = self._retry_delay(error, retries_taken, retries_allowed)
            if delay is None:
                raise error
            logger.info(
                "Retrying %s %s in %.2fs (retry %d of %d): %s",
                method,
                path,
                delay,
                retries_taken + 1,
                retries_allowed,
                _retry_reason(error),
            )
            await sleep(delay)
            retries_taken += 1

    async def _send_once(self, request: httpx.Request) -> tuple[httpx.Response | None, Exception | None]:
        """One attempt: the response, or the hitl error it amounts to (never an httpx exception)."""
        if logger.isEnabledFor(10):  # DEBUG, without importing logging constants into the hot path
            logger.debug("Request %s %s headers=%s", request.method, request.url, redact_headers(request.headers))
        error: APIConnectionError
        try:
            response = await self._http.send(request)
        except httpx.TimeoutException as exc:
            error = APITimeoutError(f"{request.method} {request.url.path} timed out ({type(exc).__name__})", request=request)
            error.__cause__ = exc
            return None, error
        except httpx.HTTPError as exc:
            error = APIConnectionError(
                f"{request.method} {request.url.path} failed: {type(exc).__name__}: {exc}", request=request
            )
            error.__cause__ = exc
            return None, error
        if logger.isEnabledFor(10):
            logger.debug("Response %s %s -> %d body=%r", request.method, request.url.path, response.status_code, response.content[:2000])
        if response.is_success:
            return response, None
        return response, make_status_error(response)

    def _retry_delay(self, error: Exception, retries_taken: int, retries_allowed: int) -> float | None:
        """Seconds to wait before retrying after `error`, or None to give up and raise it."""
        policy = self._retry_policy
        if isinstance(error, APIStatusError):
            if not policy.should_retry_status(error.status_code):
                return None
            server_wait = server_wait_seconds(error.response.headers)
            if server_wait is not None and server_wait > policy.max_server_wait:
                # Longer than we may sleep: fail now and say when to come back (RateLimitError.retry_after).
                return None
            if retries_taken >= retries_allowed:
                return None
            if server_wait is not None and (error.status_code in (429, 503) or isinstance(error, RateLimitError)):
                return server_wait
            return policy.backoff(retries_taken)
        if retries_taken >= retries_allowed:
            return None
        return policy.backoff(retries_taken)


class AsyncResource:
    """Base of the generated resource classes: holds the client whose pipeline they use."""

    def __init__(self, client: AsyncBaseClient) -> None:
        self._client = client


def _retry_reason(error: Exception) -> str:
    if isinstance(error, APIStatusError):
        return f"status {error.status_code} {error.code or ''}".rstrip()
    return type(error).__name__


def _request_id(response: httpx.Response) -> str | None:
    try:
        meta = json.loads(response.content).get("meta")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    request_id = meta.get("request_id") if isinstance(meta, dict) else None
    return request_id if isinstance(request_id, str) else None


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise APIResponseValidationError(
            f"{response.status_code} response was not JSON "
            f"({len(response.content)} bytes of {response.headers.get('content-type', 'unknown content type')})",
            response=response,
        ) from None
    if not isinstance(body, dict) or "data" not in body:
        raise APIResponseValidationError(
            f"{response.status_code} response was not a HITL envelope: no `data` member", response=response
        )
    return body


def _meta_request_id(body: dict[str, Any]) -> str | None:
    meta = body.get("meta")
    request_id = meta.get("request_id") if isinstance(meta, dict) else None
    return request_id if isinstance(request_id, str) else None


def _parse_data(response: httpx.Response, cast_to: type[T]) -> T:
    body = _envelope(response)
    try:
        return converter.structure(body["data"], cast_to)
    except Exception as error:  # cattrs raises several types; all mean "the data does not fit the model"
        raise APIResponseValidationError(
            f"response data does not fit {cast_to.__name__}: {describe_structure_error(error)}",
            response=response,
            request_id=_meta_request_id(body),
        ) from error


def _parse_page(response: httpx.Response, item_type: type[T]) -> Page[T]:
    body = _envelope(response)
    data = body["data"]
    meta = body.get("meta")
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    if not isinstance(data, list) or not isinstance(pagination, dict):
        raise APIResponseValidationError(
            "list response needs a `data` array and `meta.pagination`", response=response, request_id=_meta_request_id(body)
        )
    has_more = pagination.get("has_more")
    next_cursor = pagination.get("next_cursor")
    if not isinstance(has_more, bool) or not (next_cursor is None or isinstance(next_cursor, str)):
        raise APIResponseValidationError(
            "`meta.pagination` needs a boolean `has_more` and a string or null `next_cursor`",
            response=response,
            request_id=_meta_request_id(body),
        )
    try:
        items = [converter.structure(item, item_type) for item in data]
    except Exception as error:
        raise APIResponseValidationError(
            f"list item does not fit {item_type.__name__}: {describe_structure_error(error)}",
            response=response,
            request_id=_meta_request_id(body),
        ) from error
    return Page(items=items, has_more=has_more, next_cursor=next_cursor)
