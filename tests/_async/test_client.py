"""Tests for the client's configuration, lifecycle, headers, timeouts, raw responses and logging."""

from __future__ import annotations

import datetime as dt
import inspect
import logging

import httpx
import pytest

from hitl_async import (
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    APIConnectionError,
    APIResponse,
    APIStatusError,
    AsyncHITL,
    ClientClosedError,
    ConfigurationError,
    HITLError,
    InvalidArgumentError,
    Page,
    RateLimit,
    Review,
    ReviewNotFoundError,
    __version__,
)
from tests.helpers import API_KEY, REVIEW, body, error, ok, page, sequence

from ._support import make_client, record_sleeps

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no HITL_* variables unless they set them."""
    for name in ("HITL_API_KEY", "HITL_BASE_URL", "HITL_LOG", "HITL_ALLOW_INSECURE_HTTP"):
        monkeypatch.delenv(name, raising=False)


# Configuration


async def test_missing_api_key_says_how_to_provide_one() -> None:
    """No key anywhere fails at construction, naming both ways to give one."""
    with pytest.raises(ConfigurationError) as caught:
        AsyncHITL()
    assert "api_key=" in str(caught.value)
    assert "HITL_API_KEY" in str(caught.value)


@pytest.mark.parametrize("api_key", ["", "   ", "\n"])
async def test_blank_api_key_counts_as_missing(api_key: str) -> None:
    """An empty or blank key is no key."""
    with pytest.raises(ConfigurationError, match="HITL_API_KEY"):
        AsyncHITL(api_key=api_key)


async def test_api_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """HITL_API_KEY and HITL_BASE_URL are used when no argument is given."""
    monkeypatch.setenv("HITL_API_KEY", "env_key")
    monkeypatch.setenv("HITL_BASE_URL", "http://localhost:8000/")
    handler, seen = sequence(ok(REVIEW))
    hitl = AsyncHITL(http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    await hitl.reviews.get("rev_123")
    assert hitl.base_url == "http://localhost:8000"
    assert str(seen[0].url) == "http://localhost:8000/v1/reviews/rev_123"
    assert seen[0].headers["authorization"] == "Bearer env_key"


async def test_arguments_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Explicit `api_key` and `base_url` win over the environment."""
    monkeypatch.setenv("HITL_API_KEY", "env_key")
    monkeypatch.setenv("HITL_BASE_URL", "http://localhost:8000")
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler, base_url="https://emulator.test")
    await hitl.reviews.get("rev_123")
    assert str(seen[0].url) == "https://emulator.test/v1/reviews/rev_123"
    assert seen[0].headers["authorization"] == f"Bearer {API_KEY}"


async def test_default_base_url() -> None:
    """Without argument or variable, the client talks to the public API."""
    assert AsyncHITL(api_key=API_KEY).base_url == "https://api.hitl.sh"


async def test_api_key_whitespace_is_stripped() -> None:
    """A key read from a file with its trailing newline still works."""
    handler, seen = sequence(ok(REVIEW))
    hitl = AsyncHITL(
        api_key=f" {API_KEY}\n", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )
    await hitl.reviews.get("rev_123")
    assert seen[0].headers["authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize("api_key", [f"{API_KEY} x", f"{API_KEY}\nx", f"{API_KEY}é"])
async def test_api_key_unfit_for_a_header_is_refused_without_echoing_it(api_key: str) -> None:
    """A key with spaces, control or non-ASCII characters fails at construction, and is not repeated."""
    with pytest.raises(ConfigurationError) as caught:
        AsyncHITL(api_key=api_key)
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize("base_url", ["api.hitl.sh", "ftp://api.hitl.sh", "https://", "https://x/?a=1"])
async def test_bad_base_url_is_refused(base_url: str) -> None:
    """A base URL that is not http(s) fails at construction instead of on every request."""
    with pytest.raises(ConfigurationError, match="base_url"):
        AsyncHITL(api_key=API_KEY, base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    ["http://api.hitl.sh", "http://10.0.0.7:8765", "http://[fe80::1]", "http://localhost.evil.test"],
)
async def test_plain_http_beyond_this_machine_is_refused(
    monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    """The key would cross the network in cleartext: refused, saying how to opt in; the key is not echoed."""
    with pytest.raises(ConfigurationError, match="allow_insecure_http=True") as caught:
        AsyncHITL(api_key=API_KEY, base_url=base_url)
    assert "HITL_ALLOW_INSECURE_HTTP=1" in str(caught.value)
    assert API_KEY not in str(caught.value)
    monkeypatch.setenv("HITL_BASE_URL", base_url)  # the same from the environment
    with pytest.raises(ConfigurationError, match="cleartext"):
        AsyncHITL(api_key=API_KEY)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://localhost:8765",
        "http://LOCALHOST",
        "http://127.0.0.1:8765",
        "http://127.1.2.3",
        "http://[::1]:80",
    ],
)
async def test_plain_http_to_loopback_is_accepted(base_url: str) -> None:
    """A local emulator needs no TLS: loopback never leaves the machine."""
    assert AsyncHITL(api_key=API_KEY, base_url=base_url).base_url == base_url


async def test_plain_http_elsewhere_needs_an_explicit_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """allow_insecure_http=True, or HITL_ALLOW_INSECURE_HTTP=1, accepts it; with_options keeps the choice."""
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler, base_url="http://emulator:8765", allow_insecure_http=True)
    await hitl.with_options(max_retries=0).reviews.get("rev_123")
    assert str(seen[0].url) == "http://emulator:8765/v1/reviews/rev_123"
    monkeypatch.setenv("HITL_ALLOW_INSECURE_HTTP", "1")
    assert AsyncHITL(api_key=API_KEY, base_url="http://emulator:8765").base_url == "http://emulator:8765"
    monkeypatch.setenv("HITL_ALLOW_INSECURE_HTTP", "0")
    with pytest.raises(ConfigurationError, match="cleartext"):
        AsyncHITL(api_key=API_KEY, base_url="http://emulator:8765")
    with pytest.raises(ConfigurationError, match="allow_insecure_http must be True or False"):
        AsyncHITL(api_key=API_KEY, allow_insecure_http="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("max_retries", [-1, 1.5, "2", True])
async def test_bad_max_retries_is_refused(max_retries: object) -> None:
    """`max_retries` must be a whole number >= 0."""
    with pytest.raises(ConfigurationError, match="max_retries"):
        AsyncHITL(api_key=API_KEY, max_retries=max_retries)  # type: ignore[arg-type]


async def test_http_client_of_the_wrong_kind_is_refused() -> None:
    """Passing something that is not an httpx client fails at construction."""
    with pytest.raises(ConfigurationError, match="http_client"):
        AsyncHITL(api_key=API_KEY, http_client="not a client")  # type: ignore[arg-type]


# Headers


async def test_every_request_carries_user_agent_accept_and_authorization() -> None:
    """User-Agent is hitl-python/<version>, and no telemetry headers are added."""
    handler, seen = sequence(ok(REVIEW))
    await make_client(handler).reviews.get("rev_123")
    headers = seen[0].headers
    assert headers["user-agent"] == f"hitl-python/{__version__}"
    assert headers["accept"] == "application/json"
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert not [name for name in headers if name.startswith("x-")]


async def test_default_and_extra_headers() -> None:
    """Default headers go with every request, extra headers with one; a caller's User-Agent replaces ours."""
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler, default_headers={"X-Team": "ops", "User-Agent": "my-app/1.0"})
    await hitl.reviews.get("rev_123", extra_headers={"X-Trace": "t-1", "x-team": "billing"})
    await hitl.reviews.get("rev_123")
    assert seen[0].headers.get_list("user-agent") == ["my-app/1.0"]
    assert seen[0].headers.get_list("x-team") == ["billing"]
    assert seen[0].headers["x-trace"] == "t-1"
    assert seen[1].headers["x-team"] == "ops"
    assert "x-trace" not in seen[1].headers


async def test_a_caller_cannot_replace_the_authorization_header() -> None:
    """The configured key is what authenticates, whatever the default headers say."""
    handler, seen = sequence(ok(REVIEW))
    await make_client(handler, default_headers={"Authorization": "Bearer other"}).reviews.get("rev_123")
    assert seen[0].headers.get_list("authorization") == [f"Bearer {API_KEY}"]


# Timeouts


def timeouts(request: httpx.Request) -> dict[str, float | None]:
    value: dict[str, float | None] = request.extensions["timeout"]
    return value


async def test_default_timeout_reaches_the_request() -> None:
    """By default: 5 s to connect, 60 s to read, write or wait for the pool."""
    handler, seen = sequence(ok(REVIEW))
    await make_client(handler).reviews.get("rev_123")
    assert timeouts(seen[0]) == {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}
    assert httpx.Timeout(60.0, connect=5.0) == DEFAULT_TIMEOUT


async def test_timeout_per_client_and_per_call() -> None:
    """A call's timeout beats the client's; `None` means no timeout; NOT_GIVEN means the client's."""
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler, timeout=20.0)
    await hitl.reviews.get("rev_123")
    await hitl.reviews.get("rev_123", timeout=3.0)
    await hitl.reviews.get("rev_123", timeout=None)
    await hitl.reviews.get("rev_123", timeout=NOT_GIVEN)
    await hitl.reviews.get("rev_123", timeout=httpx.Timeout(9.0, connect=1.0))
    assert timeouts(seen[0]) == dict.fromkeys(("connect", "read", "write", "pool"), 20.0)
    assert timeouts(seen[1]) == dict.fromkeys(("connect", "read", "write", "pool"), 3.0)
    assert timeouts(seen[2]) == dict.fromkeys(("connect", "read", "write", "pool"))
    assert timeouts(seen[3]) == dict.fromkeys(("connect", "read", "write", "pool"), 20.0)
    assert timeouts(seen[4]) == {"connect": 1.0, "read": 9.0, "write": 9.0, "pool": 9.0}


@pytest.mark.parametrize("timeout", ["5", -1, True])
async def test_bad_timeouts_are_refused(timeout: object) -> None:
    """A timeout that is not seconds, an httpx.Timeout or None fails on the client and on a call."""
    handler, seen = sequence(ok(REVIEW))
    with pytest.raises(ConfigurationError, match="timeout"):
        make_client(handler, timeout=timeout)
    with pytest.raises(InvalidArgumentError, match="timeout"):
        await make_client(handler).reviews.get("rev_123", timeout=timeout)  # type: ignore[arg-type]
    assert seen == []


async def test_timeout_none_on_the_client_disables_timeouts() -> None:
    """`timeout=None` written on purpose turns timeouts off for every call."""
    handler, seen = sequence(ok(REVIEW))
    await make_client(handler, timeout=None).reviews.get("rev_123")
    assert timeouts(seen[0]) == dict.fromkeys(("connect", "read", "write", "pool"))


async def test_timeout_set_on_the_callers_http_client_is_kept() -> None:
    """A caller's http client with its own timeout keeps it, unless the hitl client is given one."""
    handler, seen = sequence(ok(REVIEW))
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler), timeout=42.0)
    await AsyncHITL(api_key=API_KEY, http_client=http_client).reviews.get("rev_123")
    await AsyncHITL(api_key=API_KEY, http_client=http_client, timeout=7.0).reviews.get("rev_123")
    assert timeouts(seen[0]) == dict.fromkeys(("connect", "read", "write", "pool"), 42.0)
    assert timeouts(seen[1]) == dict.fromkeys(("connect", "read", "write", "pool"), 7.0)


# Lifecycle and with_options


async def test_callers_http_client_is_left_open() -> None:
    """Neither the context manager nor aclose() closes an http client the caller passed in."""
    handler, _ = sequence(ok(REVIEW))
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncHITL(api_key=API_KEY, http_client=http_client) as hitl:
        await hitl.reviews.get("rev_123")
    hitl = AsyncHITL(api_key=API_KEY, http_client=http_client)
    await hitl.aclose()
    assert not http_client.is_closed
    assert (await http_client.get("https://api.hitl.sh/v1/reviews/rev_123")).status_code == 200
    await http_client.aclose()


async def test_own_http_client_is_closed_by_the_context_manager() -> None:
    """The pool the client made itself is closed on leaving `async with`."""
    async with AsyncHITL(api_key=API_KEY) as hitl:
        assert not hitl._http.is_closed
    assert hitl._http.is_closed


async def test_a_call_on_a_closed_client_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """After `aclose()` a call raises ClientClosedError (a HITLError), at once, not httpx's RuntimeError."""
    slept = record_sleeps(monkeypatch)
    async with AsyncHITL(api_key=API_KEY, max_retries=2) as hitl:
        pass
    with pytest.raises(ClientClosedError, match="this client is closed") as caught:
        await hitl.reviews.get("rev_123")
    assert isinstance(caught.value, HITLError)
    assert isinstance(caught.value, RuntimeError)  # what it was before, so `except RuntimeError` still works
    assert slept == []
    with pytest.raises(ClientClosedError, match="this client is closed"):
        await hitl.with_options(max_retries=0).templates.create(name="t", fields=[])


async def test_a_call_through_a_closed_http_client_of_the_callers_says_so() -> None:
    """When the httpx client passed as `http_client=` was closed, the message says that one."""
    handler, seen = sequence(ok(REVIEW))
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    hitl = AsyncHITL(api_key=API_KEY, http_client=http_client)
    await http_client.aclose()
    with pytest.raises(ClientClosedError, match="the httpx client given as http_client="):
        await hitl.reviews.get("rev_123")
    assert seen == []


async def test_with_options_shares_the_pool() -> None:
    """A copy made by with_options uses the same pool; closing the copy leaves it open, closing the original
    closes it."""
    hitl = AsyncHITL(api_key=API_KEY)
    copy = hitl.with_options(timeout=1.0, max_retries=0, headers={"X-Extra": "1"})
    assert copy._http is hitl._http
    await copy.aclose()
    assert not hitl._http.is_closed
    await hitl.aclose()
    assert hitl._http.is_closed


async def test_with_options_changes_only_the_copy() -> None:
    """The copy's timeout, retries and headers apply to the copy; the original keeps its own."""
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler, default_headers={"X-Team": "ops"})
    copy = hitl.with_options(timeout=1.0, max_retries=0, headers={"X-Extra": "1"})
    await copy.reviews.get("rev_123")
    await hitl.reviews.get("rev_123")
    assert (copy.max_retries, hitl.max_retries) == (0, 2)
    assert timeouts(seen[0])["read"] == 1.0
    assert timeouts(seen[1])["read"] == 60.0
    assert (seen[0].headers["x-extra"], seen[0].headers["x-team"]) == ("1", "ops")
    assert "x-extra" not in seen[1].headers
    assert isinstance(copy, AsyncHITL)


async def test_with_options_can_switch_key_and_base_url() -> None:
    """with_options(api_key=..., base_url=...) talks to another place with another key."""
    handler, seen = sequence(ok(REVIEW))
    copy = make_client(handler).with_options(api_key="other_key", base_url="https://eu.hitl.test")
    await copy.reviews.get("rev_123")
    assert str(seen[0].url) == "https://eu.hitl.test/v1/reviews/rev_123"
    assert seen[0].headers["authorization"] == "Bearer other_key"


async def test_reprs_never_show_the_key() -> None:
    """The key is in no repr or str of the client, its copies, resources or raw responses."""
    handler, _ = sequence(ok(REVIEW))
    hitl = make_client(handler)
    raw = await hitl.reviews.with_raw_response.get("rev_123")
    objects: list[object] = [hitl, hitl.with_options(timeout=1.0), hitl.reviews, raw, raw.http_response]
    objects += [raw.http_response.request, raw.http_response.request.headers, hitl.reviews.list()]
    for thing in objects:
        assert API_KEY not in repr(thing)
        assert API_KEY not in str(thing)
    assert repr(hitl) == "<AsyncHITL base_url='https://api.hitl.sh'>"


# Raw responses


async def test_raw_response_gives_status_headers_request_id_rate_limit_and_model() -> None:
    """with_raw_response returns the APIResponse around the result, parsed on demand and once."""
    handler, _ = sequence(ok(REVIEW, **{"X-Custom": "yes"}))
    raw = await make_client(handler).reviews.with_raw_response.get("rev_123")
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 200
    assert raw.headers["x-custom"] == "yes"
    assert raw.request_id == "req_test"
    assert raw.retries_taken == 0
    assert raw.rate_limit == RateLimit(
        limit=1000, remaining=999, reset=dt.datetime(2022, 1, 15, 8, 0, tzinfo=dt.UTC)
    )
    review = raw.parse()
    assert isinstance(review, Review)
    assert review.id == "rev_123"
    assert raw.parse() is review
    assert repr(raw) == "<APIResponse [200] request_id='req_test'>"


async def test_raw_response_of_a_create_and_a_list() -> None:
    """A raw create shows the 201; a raw list parses to the first page."""
    handler, _ = sequence(ok(REVIEW, 201), page([REVIEW], next_cursor="c2"))
    hitl = make_client(handler)
    created = await hitl.reviews.with_raw_response.create(template_id="t", content={"text": "x"})
    listed = await hitl.reviews.with_raw_response.list(limit=1)
    assert created.status_code == 201
    assert created.parse().id == "rev_123"
    first = listed.parse()
    assert isinstance(first, Page)
    assert (len(first), first.has_more, first.next_cursor) == (1, True, "c2")


async def test_raw_response_counts_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """`retries_taken` says how many retries the response took."""
    record_sleeps(monkeypatch)
    handler, _ = sequence(error(503, "service_unavailable"), ok(REVIEW))
    raw = await make_client(handler).reviews.with_raw_response.get("rev_123")
    assert raw.retries_taken == 1


async def test_raw_response_sends_the_callers_headers_and_arguments() -> None:
    """A raw call is the method's own call: the same arguments, headers and idempotency key reach the wire."""
    handler, seen = sequence(ok(REVIEW), page([REVIEW]))
    hitl = make_client(handler)
    await hitl.reviews.with_raw_response.update(
        "rev_123", priority="high", idempotency_key="key-1", extra_headers={"X-Trace": "t1"}
    )
    await hitl.reviews.with_raw_response.list(status="completed", limit=5)
    assert (seen[0].method, seen[0].url.path, body(seen[0])) == (
        "PATCH",
        "/v1/reviews/rev_123",
        {"priority": "high"},
    )
    assert (seen[0].headers["idempotency-key"], seen[0].headers["x-trace"]) == ("key-1", "t1")
    assert dict(seen[1].url.params) == {"status": "completed", "limit": "5"}


async def test_raw_response_methods_take_their_methods_arguments() -> None:
    """Every `with_raw_response` method has the signature and docstring of the method of the same name."""
    hitl = make_client(sequence()[0])
    for name in ("reviews", "templates", "webhooks", "teams"):
        resource = getattr(hitl, name)
        raw_methods = vars(resource.with_raw_response)
        public = [m for m in dir(type(resource)) if not m.startswith("_") and m != "with_raw_response"]
        generated = [m for m in public if m not in ("wait", "create_and_wait", "create_many")]
        assert sorted(raw_methods) == generated, name
        for method_name, raw_method in raw_methods.items():
            method = getattr(resource, method_name)
            assert inspect.signature(raw_method) == inspect.signature(method), (name, method_name)
            assert raw_method.__doc__ == method.__doc__


async def test_raw_response_refuses_headers_that_are_not_a_mapping() -> None:
    """`extra_headers` must be a mapping on a raw call too; nothing is sent otherwise."""
    handler, seen = sequence(ok(REVIEW))
    with pytest.raises(InvalidArgumentError, match="extra_headers must be a mapping"):
        await make_client(handler).reviews.with_raw_response.get("rev_123", extra_headers=["X-Trace"])  # type: ignore[arg-type]
    assert seen == []


async def test_raw_response_still_raises_status_errors() -> None:
    """Errors are raised, never returned, with or without the raw accessor."""
    handler, _ = sequence(error(404, "review_not_found"))
    with pytest.raises(ReviewNotFoundError):
        await make_client(handler).reviews.with_raw_response.get("rev_404")


# Logging and secrets


async def test_key_never_reaches_the_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, requests, responses, retries and errors are logged with the key redacted."""
    record_sleeps(monkeypatch)
    handler, _ = sequence(
        error(503, "service_unavailable"),
        ok(REVIEW, 201),
        httpx.ConnectError(f"proxy refused Authorization: Bearer {API_KEY}"),
    )
    hitl = make_client(handler, max_retries=1)
    with caplog.at_level(logging.DEBUG, logger="hitl"):
        await hitl.reviews.create(template_id="t", content={"text": "x"})
        with pytest.raises(APIConnectionError) as caught:
            await hitl.reviews.get("rev_123")
    assert "Request POST https://api.hitl.sh/v1/reviews" in caplog.text
    assert "<redacted>" in caplog.text
    assert "Retrying" in caplog.text
    assert API_KEY not in caplog.text
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value)


async def test_bodies_are_not_logged_below_debug(caplog: pytest.LogCaptureFixture) -> None:
    """At INFO a successful call logs nothing: no request line, no body."""
    handler, _ = sequence(ok(REVIEW))
    with caplog.at_level(logging.INFO, logger="hitl"):
        await make_client(handler).reviews.get("rev_123")
    assert [record for record in caplog.records if record.name.startswith("hitl")] == []


async def test_status_errors_do_not_show_the_key() -> None:
    """A status error's message, repr and response reprs do not contain the key."""
    handler, _ = sequence(error(401, "unauthorized", "Invalid API key"))
    with pytest.raises(APIStatusError) as caught:
        await make_client(handler).reviews.get("rev_123")
    for text in (str(caught.value), repr(caught.value), repr(caught.value.response.request.headers)):
        assert API_KEY not in text
