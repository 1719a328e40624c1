"""
The client runtime: configuration, lifecycle, and the request pipeline every API method goes through.

`_request` → `_send_with_retries` → `_send_once` (one `httpx` send), then `_parse_*` unwraps the
`{success, data, meta}` envelope.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import os
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

import attrs
import httpx

from hitl._converter import converter, describe_structure_error
from hitl._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    ConfigurationError,
    EventLoopClosedError,
    HITLError,
    InvalidArgumentError,
    RateLimitError,
    ResponseTooLargeError,
    make_status_error,
)
from hitl._json import loads
from hitl._logging import logger, redact_headers
from hitl._redact import Redactor
from hitl._retry import RetryPolicy, server_wait_seconds
from hitl._types import NOT_GIVEN, APIResponse, NotGiven, Page, TimeoutTypes
from hitl._version import __version__
from hitl_async._backend import cancel_after, is_event_loop_closed, monotonic, sleep
from hitl_async._ratelimit import AsyncRateLimiter

if TYPE_CHECKING:
    from hitl_async._approvals import AsyncApprovals

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_TIMEOUT",
    "AsyncBaseClient",
    "AsyncResource",
    "RawResponseHeaders",
    "requests_end_within",
]

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.hitl.sh"
#: 5 s to connect, 60 s for everything else: reviews are quick to create, a slow network is not.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
#: 32 MiB. The largest answer the API gives is a page of 100 reviews: a few MB even with large `content`.
#: Far more is a broken or hostile server, and holding it whole could exhaust a small worker's memory;
#: 32 MiB leaves room for big reviews while bounding what one call can hold.
DEFAULT_MAX_RESPONSE_SIZE = 32 * 1024 * 1024
_USER_AGENT = f"hitl-python/{__version__}"
# What an httpx client uses when given no timeout; a client of the caller's with another timeout keeps it.
_HTTPX_DEFAULT_TIMEOUT = httpx.Timeout(5.0)
_DEBUG = 10  # logging.DEBUG, without importing logging constants into the hot path
_INFO = 20
_WARNING = 30
#: A retry pause longer than this is logged at WARNING, which Python shows even when logging is not set up:
#: a call that stalls for a minute on a rate limit should not look hung.
_LONG_RETRY_WAIT = 5.0


class AsyncBaseClient:
    """
    Configuration and the request pipeline shared by every resource.

    Args:
        api_key: Your HITL.sh API key. Defaults to the `HITL_API_KEY` environment variable.
        base_url: The API's address. Defaults to `HITL_BASE_URL`, then `https://api.hitl.sh`. Plain `http://`
            is accepted for loopback only (`localhost`, `127.0.0.0/8`, `::1`: a local emulator), unless
            `allow_insecure_http` is set: elsewhere it would send the API key in cleartext.
        timeout: Seconds, or an `httpx.Timeout` for connect/read/write/pool apart. `None` disables timeouts.
            Default: the timeout set on `http_client` if any, else 5 s to connect and 60 s otherwise.
            It bounds each call as a whole, retries included (an `httpx.Timeout` by its longest phase).
        max_retries: Retries after a failed attempt (connection errors, timeouts, 408, 429, 5xx). Default 2;
            0 turns retrying off. Overrides `retry_policy.max_retries`.
        retry_policy: Backoff and Retry-After settings; see `RetryPolicy`.
        http_client: An `httpx` client of your own (proxies, custom transport, limits). hitl never closes it.
        default_headers: Headers sent with every request.
        allow_insecure_http: Accept an `http://` base URL for any host, e.g. an emulator in another container
            on a private network. The environment variable `HITL_ALLOW_INSECURE_HTTP=1` does the same.
        max_response_size: Largest response body read, in bytes (after decompression); a larger one raises
            `ResponseTooLargeError` as soon as it passes the limit. Default 32 MiB.

    Raises:
        ConfigurationError: No API key was found, or a setting is invalid; nothing was sent.
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
        allow_insecure_http: bool = False,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        api_key = _configured_api_key(api_key)
        if not isinstance(allow_insecure_http, bool):
            raise ConfigurationError(
                f"allow_insecure_http must be True or False, got {allow_insecure_http!r}"
            )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ConfigurationError(
                f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}"
            )
        if isinstance(timeout, NotGiven):
            if http_client is not None and http_client.timeout != _HTTPX_DEFAULT_TIMEOUT:
                timeout = http_client.timeout
            else:
                timeout = DEFAULT_TIMEOUT
        elif not _is_timeout(timeout):
            raise ConfigurationError(f"timeout must be seconds, an httpx.Timeout or None, got {timeout!r}")
        if not _is_count(max_response_size) or max_response_size == 0:
            raise ConfigurationError(
                f"max_response_size must be a number of bytes > 0, got {max_response_size!r}"
            )
        self._api_key = api_key
        self._allow_insecure_http = allow_insecure_http
        self._redactor = Redactor([api_key])
        self._max_response_size = max_response_size
        self._base_url = _configured_base_url(base_url, allow_insecure_http)
        self._timeout: TimeoutTypes = timeout
        self._retry_policy = _configured_retry_policy(retry_policy, max_retries)
        self._default_headers = {name.lower(): value for name, value in (default_headers or {}).items()}
        # Built once; names in lower case, so that a caller's `user-agent` replaces ours, not doubles it.
        self._headers = {
            "accept": "application/json",
            "user-agent": _USER_AGENT,
            **self._default_headers,
            "authorization": f"Bearer {api_key}",
        }
        self._owns_http_client = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=timeout)
        self._limiter = AsyncRateLimiter(max_wait=self._retry_policy.max_server_wait)

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def timeout(self) -> TimeoutTypes:
        return self._timeout

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry_policy

    @property
    def max_retries(self) -> int:
        return self._retry_policy.max_retries

    @cached_property
    def approvals(self) -> AsyncApprovals:
        """Ask a human to approve, edit or reject an AI agent's action before it runs (docs/agents.md)."""
        from hitl_async._approvals import AsyncApprovals  # on first use: most programs never ask

        return AsyncApprovals(self)

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_size: int | None = None,
    ) -> Self:
        """
        A copy of this client with some settings changed, sharing its connection pool.

        `headers` are added to the client's default headers. Closing the copy does not close the pool;
        closing this client does, so keep it open while a copy is in use.

            fast = client.with_options(timeout=5.0, max_retries=0)
        """
        return type(self)(
            api_key=api_key or self._api_key,
            base_url=base_url or self._base_url,
            timeout=self._timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=max_retries,
            retry_policy=retry_policy or self._retry_policy,
            http_client=self._http,
            default_headers={**self._default_headers, **{k.lower(): v for k, v in (headers or {}).items()}},
            allow_insecure_http=self._allow_insecure_http,
            max_response_size=self._max_response_size if max_response_size is None else max_response_size,
        )

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

    # The pipeline. Generated resource methods call the two entry points below; their `with_raw_response`
    # twins (hitl_async/_raw.py) call the same methods with `RawResponseHeaders` as `extra_headers`, which
    # makes the entry point return the `APIResponse` around the result instead.

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
        response, retries = await self._send_with_retries(
            method, path, params, json, idempotency_key, extra_headers, timeout, max_retries
        )
        if isinstance(extra_headers, RawResponseHeaders):
            return cast(T, _raw_response(response, retries, lambda: _parse_data(response, cast_to)))
        return _parse_data(response, cast_to)

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
        response, retries = await self._send_with_retries(
            method, path, params, None, NOT_GIVEN, extra_headers, timeout, max_retries
        )
        if isinstance(extra_headers, RawResponseHeaders):
            return cast(Page[T], _raw_response(response, retries, lambda: _parse_page(response, item_type)))
        return _parse_page(response, item_type)

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
        """
        Send one logical request, retrying per the policy; returns the 2xx response and the retry count.

        The timeout bounds the whole call: every attempt, and the pauses between them, end by one deadline.
        """
        headers = self._headers
        if extra_headers:
            headers = {**headers, **{name.lower(): value for name, value in extra_headers.items()}}
        if method != "GET":
            # Every write gets one key per logical call, made before the first attempt, so every retry
            # carries the same one and the server acts once: a create is not made twice, and a cancel whose
            # response was lost is answered with the cancelled review rather than a 409.
            if headers is self._headers:
                headers = dict(headers)
            if isinstance(idempotency_key, NotGiven):
                if "idempotency-key" not in headers:  # else the caller set it through extra_headers
                    headers["idempotency-key"] = str(uuid.uuid4())
            elif isinstance(idempotency_key, str) and idempotency_key:
                headers["idempotency-key"] = idempotency_key
            else:
                raise InvalidArgumentError(
                    f"idempotency_key must be a non-empty string, got {idempotency_key!r}"
                )
        if isinstance(timeout, NotGiven):
            timeout = self._timeout
        elif not _is_timeout(timeout):
            raise InvalidArgumentError(f"timeout must be seconds, an httpx.Timeout or None, got {timeout!r}")
        if isinstance(max_retries, NotGiven):
            retries_allowed = self._retry_policy.max_retries
        elif _is_count(max_retries):
            retries_allowed = max_retries
        else:
            raise InvalidArgumentError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        try:
            request = self._http.build_request(
                method, self._base_url + path, params=params, json=json, headers=headers, timeout=timeout
            )
        except (TypeError, ValueError) as error:  # a body that is not JSON, a header value that is not text
            raise InvalidArgumentError(f"cannot send {method} {path}: {self._scrub(str(error))}") from None
        now = monotonic()
        deadline = _deadline(timeout, now)
        phases = dict(request.extensions["timeout"])
        retries_taken = 0
        while True:
            if deadline is not None:
                # Each phase of this attempt (connect, write, each read) ends by the deadline at the latest.
                # Measured from the call's start on the first attempt, so it runs with the timeout as given.
                remaining = max(deadline - now, 0.0)
                request.extensions["timeout"] = {
                    phase: remaining if limit is None else min(limit, remaining)
                    for phase, limit in phases.items()
                }
            outcome = await self._send_once(request, deadline)
            if isinstance(outcome, httpx.Response):
                return outcome, retries_taken
            delay = self._retry_delay(outcome, retries_taken, retries_allowed)
            if delay is None or (deadline is not None and monotonic() + delay >= deadline):
                # No retry, or none that could finish in time: the error of the last attempt says the most.
                raise outcome
            logger.log(
                _WARNING if delay > _LONG_RETRY_WAIT else _INFO,
                "Retrying %s %s in %.2fs (retry %d of %d): %s",
                method,
                path,
                delay,
                retries_taken + 1,
                retries_allowed,
                _retry_reason(outcome),
            )
            await sleep(delay)
            retries_taken += 1
            now = monotonic()

    async def _send_once(self, request: httpx.Request, deadline: float | None) -> httpx.Response | HITLError:
        """
        One attempt: the 2xx response with its body read, or the hitl error it amounts to (never an httpx
        exception). It ends by `deadline` (a `monotonic()` time), wherever it is waiting.

        Raises:
            ResponseTooLargeError: The body passed `max_response_size`; not worth retrying.
        """
        if logger.isEnabledFor(_DEBUG):
            logger.debug(
                "Request %s %s headers=%s", request.method, request.url, redact_headers(request.headers)
            )
        try:
            with cancel_after(None if deadline is None else deadline - monotonic()):
                # Inside the deadline: a hold for the rate limit's window counts against the call's timeout.
                await self._limiter.before_send()
                response = await self._http.send(request, stream=True)
                try:
                    await self._read_body(response, deadline)
                finally:
                    await response.aclose()
        except (httpx.TimeoutException, TimeoutError) as exc:  # TimeoutError: the deadline cut the attempt
            reason = "the call's timeout ran out" if isinstance(exc, TimeoutError) else type(exc).__name__
            timeout_error = APITimeoutError(
                f"{request.method} {request.url.path} timed out ({reason})", request=request
            )
            timeout_error.__cause__ = _shown_cause(exc, self._redactor)
            return timeout_error
        except httpx.HTTPError as exc:
            connection_error = APIConnectionError(
                f"{request.method} {request.url.path} failed: {type(exc).__name__}: {self._scrub(str(exc))}",
                request=request,
            )
            connection_error.__cause__ = _shown_cause(exc, self._redactor)
            return connection_error
        except RuntimeError as exc:
            # A closed client, or connections whose event loop has closed: mistakes in the calling program,
            # raised at once (never retried) with what to do instead of the bare RuntimeError.
            if self._http.is_closed:
                raise ClientClosedError() from None
            if is_event_loop_closed(exc):
                raise EventLoopClosedError() from exc
            raise
        self._limiter.observe(response)
        if logger.isEnabledFor(_DEBUG):
            logger.debug(
                "Response %s %s -> %d body=%r",
                request.method,
                request.url.path,
                response.status_code,
                self._redactor.body_text(response.content)[:2000],
            )
        if response.is_success:
            return response
        return make_status_error(response)

    async def _read_body(self, response: httpx.Response, deadline: float | None) -> None:
        """
        Read the body into `response.content`, chunk by chunk, so that an oversized body is refused before it
        is held and a body trickling in ends at the deadline.
        """
        limit = self._max_response_size
        if response.is_stream_consumed:
            # Built in memory (`httpx.MockTransport`, a handler's `Response(content=...)`): the body is held
            # already and nothing trickles, so only the cap is left to check.
            if len(response.content) > limit:
                raise self._too_large(response, f"passed {limit} bytes")
            return
        announced = response.headers.get("content-length", "").strip()
        if announced.isdigit() and int(announced) > limit:
            raise self._too_large(response, f"announced {int(announced)} bytes")
        chunks: list[bytes] = []
        size = 0
        refusal: Exception | None = None
        try:
            # Decompressed chunks: the limit also stops a compression bomb.
            async for chunk in response.aiter_bytes():
                if refusal is not None:
                    continue  # left behind once refused; see below
                size += len(chunk)
                if size > limit:
                    refusal = self._too_large(response, f"passed {limit} bytes")
                elif deadline is not None and monotonic() >= deadline:
                    # Blocking reads cannot be cut short: between chunks is where blocking code sees the time.
                    refusal = httpx.ReadTimeout("the call's timeout ran out while the body was arriving")
                else:
                    chunks.append(chunk)
                    continue
                # Closing drops the connection, so the loop ends at its next read instead of reading on. It is
                # not left midway: some event loops warn about stream generators collected unfinished.
                await response.aclose()
                if deadline is not None and monotonic() >= deadline:
                    break  # a stream that ignores the close: leave it rather than wait
        except httpx.HTTPError:
            if refusal is None:
                raise  # else: the read failing on the closed connection, as intended
        if refusal is not None:
            raise refusal
        # What httpx's own `aread()` stores; reading through it instead could not stop at the limit.
        response._content = b"".join(chunks)

    def _too_large(self, response: httpx.Response, how: str) -> ResponseTooLargeError:
        request = response.request
        return ResponseTooLargeError(
            f"{request.method} {request.url.path}: the {response.status_code} response body {how}, more than "
            f"max_response_size ({self._max_response_size} bytes) allows; it was not read further",
            response=response,
        )

    def _retry_delay(self, error: HITLError, retries_taken: int, retries_allowed: int) -> float | None:
        """Seconds to wait before retrying after `error`, or None to give up and raise it."""
        policy = self._retry_policy
        if isinstance(error, APIStatusError):
            if not policy.should_retry_status(error.status_code):
                return None
            # The server's wait: Retry-After on any retried status; on a 429 also X-RateLimit-Reset (which
            # every response carries, so it means nothing on a 500).
            if isinstance(error, RateLimitError):
                server_wait = error.retry_after
            else:
                server_wait = server_wait_seconds(error.response.headers, rate_limit_reset=False)
            if server_wait is not None and server_wait > policy.max_server_wait:
                # Longer than we may sleep: fail now and say when to come back (RateLimitError.retry_after).
                return None
            if retries_taken >= retries_allowed:
                return None
            # A wait of 0 (a reset already past, by a skewed clock) would retry at once; back off instead.
            return server_wait if server_wait else policy.backoff(retries_taken)
        if retries_taken >= retries_allowed:
            return None
        return policy.backoff(retries_taken)

    def _scrub(self, text: str) -> str:
        """`text` without the API key, for messages built from what a server or a library said."""
        return self._redactor.text(text)


# The deadline of an enclosing operation (`reviews.wait`), which every request made inside it also keeps.
_enclosing_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "hitl_enclosing_deadline", default=None
)


@contextlib.contextmanager
def requests_end_within(seconds: float) -> Iterator[None]:
    """Make every request of the block end within `seconds` from now, besides its own timeout."""
    deadline = monotonic() + seconds
    enclosing = _enclosing_deadline.get()
    token = _enclosing_deadline.set(deadline if enclosing is None else min(deadline, enclosing))
    try:
        yield
    finally:
        _enclosing_deadline.reset(token)


def _deadline(timeout: TimeoutTypes, now: float) -> float | None:
    """
    When a call with this timeout, starting `now`, must end: a number bounds the whole call; an
    `httpx.Timeout` by its longest phase (none if any phase is unbounded). An enclosing operation's deadline
    applies too.
    """
    if timeout is None:
        budget = None
    elif isinstance(timeout, httpx.Timeout):
        phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        budget = None if None in phases else max(phase for phase in phases if phase is not None)
    else:
        budget = float(timeout)
    deadline = None if budget is None else now + budget
    enclosing = _enclosing_deadline.get()
    if enclosing is not None and (deadline is None or enclosing < deadline):
        return enclosing
    return deadline


class AsyncResource:
    """Base of the generated resource classes: holds the client whose pipeline they use."""

    def __init__(self, client: AsyncBaseClient) -> None:
        self._client = client


class RawResponseHeaders(dict[str, str]):
    """
    The `extra_headers` of a call made through `with_raw_response`: the headers to send, and the mark that
    makes the pipeline return the `APIResponse` rather than the parsed result.
    """

    @classmethod
    def around(cls, headers: object) -> RawResponseHeaders:
        """The caller's `extra_headers` (a mapping, or None for none), marked."""
        if headers is None:
            return cls()
        if not isinstance(headers, Mapping):
            raise InvalidArgumentError(
                f"extra_headers must be a mapping of header names to values, got {type(headers).__name__}"
            )
        return cls(headers)


def _raw_response(response: httpx.Response, retries: int, parse: Callable[[], T]) -> APIResponse[T]:
    # The entry points hand this on cast to the plain result's type: only the raw-response wrappers, which
    # say the real type in their signatures, ever receive it.
    return APIResponse(response, request_id=_request_id(response), retries_taken=retries, parse=parse)


def _retry_reason(error: HITLError) -> str:
    if isinstance(error, APIStatusError):
        return f"{error.status_code} {error.code or error.message}"
    return str(error)


def _configured_api_key(api_key: str | None) -> str:
    if api_key is None:
        api_key = os.environ.get("HITL_API_KEY")
    if not isinstance(api_key, str) or not api_key.strip():
        raise ConfigurationError(
            "No HITL API key: pass api_key=... to the client or set the HITL_API_KEY environment variable."
        )
    # Keys pasted into .env files often carry a newline; one inside a header would fail every request.
    api_key = api_key.strip()
    if not api_key.isascii() or not api_key.isprintable() or " " in api_key:
        raise ConfigurationError(
            "The HITL API key contains characters an API key cannot have (spaces, control or non-ASCII "
            "characters); check how it was copied."
        )
    return api_key


def _configured_base_url(base_url: str | httpx.URL | None, allow_insecure_http: bool) -> str:
    if base_url is None:
        base_url = os.environ.get("HITL_BASE_URL") or DEFAULT_BASE_URL
    text = str(base_url).strip().rstrip("/")
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
        raise ConfigurationError(
            f"base_url must be an http(s) URL such as {DEFAULT_BASE_URL!r}, got {text!r}"
        )
    if (
        url.scheme == "http"
        and not _is_loopback(url.host)
        and not _insecure_http_allowed(allow_insecure_http)
    ):
        # Every request carries the API key: over plain HTTP anyone on the path could read it.
        raise ConfigurationError(
            f"base_url {text!r} is plain http:// to a host that is not this machine, which would send the "
            "API key in cleartext: use https://, or pass allow_insecure_http=True (or set "
            "HITL_ALLOW_INSECURE_HTTP=1) if the network in between is yours, e.g. an emulator in a container"
        )
    return text


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address
        return False


def _insecure_http_allowed(allow_insecure_http: bool) -> bool:
    if allow_insecure_http:
        return True
    return os.environ.get("HITL_ALLOW_INSECURE_HTTP", "").strip().lower() in ("1", "true", "yes")


def _configured_retry_policy(policy: RetryPolicy | None, max_retries: int | NotGiven) -> RetryPolicy:
    if policy is not None and not isinstance(policy, RetryPolicy):
        raise ConfigurationError(f"retry_policy must be a hitl.RetryPolicy, got {type(policy).__name__}")
    policy = policy or RetryPolicy()
    if isinstance(max_retries, NotGiven):
        return policy
    if not _is_count(max_retries):
        raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
    return attrs.evolve(policy, max_retries=max_retries)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_timeout(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if value is None or isinstance(value, httpx.Timeout):
        return True
    return isinstance(value, int | float) and value >= 0


def _request_id(response: httpx.Response) -> str | None:
    try:
        meta = loads(response.content).get("meta")
    except (ValueError, AttributeError):
        return None
    request_id = meta.get("request_id") if isinstance(meta, dict) else None
    return request_id if isinstance(request_id, str) else None


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = loads(response.content)
    except ValueError:  # not UTF-8, not JSON, or nested too deep
        raise APIResponseValidationError(
            f"{response.status_code} response was not JSON "
            f"({len(response.content)} bytes of {response.headers.get('content-type', 'no content type')})",
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
        raise _not_fitting(f"response data does not fit {cast_to.__name__}", error, response, body) from (
            _shown_cause(error, Redactor.for_response(response))
        )


def _parse_page(response: httpx.Response, item_type: type[T]) -> Page[T]:
    body = _envelope(response)
    data = body["data"]
    meta = body.get("meta")
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    if not isinstance(data, list) or not isinstance(pagination, dict):
        raise APIResponseValidationError(
            "list response needs a `data` array and `meta.pagination`",
            response=response,
            request_id=_meta_request_id(body),
        )
    has_more = pagination.get("has_more")
    next_cursor = pagination.get("next_cursor")
    if not isinstance(has_more, bool) or not (next_cursor is None or isinstance(next_cursor, str)):
        raise APIResponseValidationError(
            "`meta.pagination` needs a boolean `has_more` and a string or null `next_cursor`",
            response=response,
            request_id=_meta_request_id(body),
        )
    structure = converter.get_structure_hook(item_type)
    try:
        items = [structure(item, item_type) for item in data]
    except Exception as error:
        raise _not_fitting(f"list item does not fit {item_type.__name__}", error, response, body) from (
            _shown_cause(error, Redactor.for_response(response))
        )
    return Page(items=items, has_more=has_more, next_cursor=next_cursor)


def _not_fitting(
    what: str, error: Exception, response: httpx.Response, body: dict[str, Any]
) -> APIResponseValidationError:
    """The error for data that does not fit its model (a value it quotes from the data loses the key)."""
    return APIResponseValidationError(
        Redactor.for_response(response).text(f"{what}: {describe_structure_error(error)}"),
        response=response,
        request_id=_meta_request_id(body),
    )


def _shown_cause(cause: BaseException, redactor: Redactor) -> BaseException | None:
    """`cause`, to chain to the error it led to; `None` if its traceback would print a secret."""
    text = "".join(traceback.format_exception(cause))
    return cause if redactor.text(text) == text else None
