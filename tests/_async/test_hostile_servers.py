"""
Tests for the client against a broken or hostile server: answers that trickle or stall, huge bodies, JSON
nested a thousand deep, keys and secrets echoed back, cursors in a cycle. Each ends in a typed HITLError,
in bounded time and memory, and no secret reaches a message, a traceback or a log line.
"""

from __future__ import annotations

import gzip
import inspect
import logging
import pickle
import time
import traceback
from typing import Any

import httpx
import pytest

from hitl_async import (
    DEFAULT_MAX_RESPONSE_SIZE,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncHITL,
    AuthenticationError,
    ConfigurationError,
    HITLError,
    InternalServerError,
    NotFoundError,
    ResponseTooLargeError,
    WaitTimeoutError,
)
from tests.helpers import META, REVIEW, StreamedBody, endless, error, ok, page, raw, review, sequence
from tests.slow_server import slow_server

from ._support import make_client

pytestmark = pytest.mark.anyio

# Blocking reads cannot be interrupted: in the blocking client only the body is watched chunk by chunk.
BLOCKING = not inspect.iscoroutinefunction(AsyncHITL.aclose)
# A key with the characters that JSON and Python escape, to catch a scrub that only knows the raw form.
ODD_KEY = 'hitl_k"e\\y/1'
WEBHOOK_SECRET = "whsec_0123456789abcdef"


# 1. A call's timeout bounds the whole call.


@pytest.mark.parametrize("trickle_head", [False, True], ids=["body", "head"])
async def test_a_trickling_answer_ends_at_the_calls_timeout(trickle_head: bool) -> None:
    """A server sending one byte every 0.1 s cannot keep `get(timeout=0.5)` alive: APITimeoutError, retries
    included, within the timeout plus a margin."""
    if trickle_head and BLOCKING:
        pytest.skip("a blocking read cannot be interrupted; blocking code watches the body only")
    with slow_server(interval=0.1, trickle_head=trickle_head) as url:
        async with AsyncHITL(api_key="hitl_k", base_url=url) as hitl:
            started = time.monotonic()
            with pytest.raises(APITimeoutError) as caught:
                await hitl.reviews.get("rev_123", timeout=0.5)
            took = time.monotonic() - started
    assert took < 0.5 + 1.0
    assert "timed out" in str(caught.value)


async def test_a_stalled_answer_ends_at_the_calls_timeout() -> None:
    """A server that holds its answer back for seconds: the call, retries and pauses included, still ends by
    its timeout."""
    with slow_server(delay=3.0) as url:
        async with AsyncHITL(api_key="hitl_k", base_url=url, max_retries=5) as hitl:
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                await hitl.reviews.get("rev_123", timeout=0.4)
            assert time.monotonic() - started < 0.4 + 1.0


async def test_wait_ends_within_its_timeout_whatever_the_server_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server answering each poll after 3 s: `wait(timeout=0.3)` raises WaitTimeoutError within the timeout
    plus the last poll's grace, cutting the poll in flight short."""
    monkeypatch.setattr("hitl_async._waiting._LAST_POLL_GRACE", 0.2)
    with slow_server(delay=3.0, answer_with=review(status="in_progress")) as url:
        async with AsyncHITL(api_key="hitl_k", base_url=url) as hitl:
            started = time.monotonic()
            with pytest.raises(WaitTimeoutError) as caught:
                await hitl.reviews.wait("rev_123", timeout=0.3, poll_interval=0.05)
            took = time.monotonic() - started
    assert took < 0.3 + 1.0
    assert caught.value.review_id == "rev_123"
    assert isinstance(caught.value.__cause__, APITimeoutError)


async def test_wait_still_returns_a_decision_that_arrives_in_time() -> None:
    """The deadline costs nothing when the server answers: a completed review is returned."""
    with slow_server(answer_with=review(status="completed")) as url:
        async with AsyncHITL(api_key="hitl_k", base_url=url) as hitl:
            done = await hitl.reviews.wait("rev_123", timeout=2.0)
    assert done.status == "completed"


# 2. JSON nested deeper than the parser can follow.

DEEP_ARRAY = b"[" * 1200 + b"]" * 1200
DEEP_OBJECT = b'{"a":' * 1200 + b"1" + b"}" * 1200
DEEP_ENVELOPE = b'{"success":false,"error":{"code":"x","message":"m","details":' + DEEP_ARRAY + b"}}"
DEEP_DATA = b'{"success":true,"data":' + DEEP_OBJECT + b',"meta":{"request_id":"req_1"}}'
DEEP_BODIES = {"array": DEEP_ARRAY, "object": DEEP_OBJECT, "envelope": DEEP_ENVELOPE, "data": DEEP_DATA}
EXPECTED = {200: APIResponseValidationError, 404: NotFoundError, 500: InternalServerError}


async def _call(hitl: AsyncHITL, how: str) -> Any:
    if how == "get":
        return await hitl.reviews.get("rev_123")
    if how == "raw":
        return (await hitl.reviews.with_raw_response.get("rev_123")).parse()
    if how == "raw-list":
        return (await hitl.reviews.with_raw_response.list()).parse()
    return [item async for item in hitl.reviews.list()]


@pytest.mark.parametrize("how", ["get", "raw", "list", "raw-list"])
@pytest.mark.parametrize("status", [200, 404, 500])
@pytest.mark.parametrize("shape", DEEP_BODIES)
async def test_deeply_nested_json_gives_a_typed_error(shape: str, status: int, how: str) -> None:
    """A 2.4 KB body nested 1200 deep is a typed HITLError for every status and every way of calling, never a
    RecursionError."""
    handler, _ = sequence(raw(status, DEEP_BODIES[shape], "application/json"))
    with pytest.raises(HITLError) as caught:
        await _call(make_client(handler, max_retries=0), how)
    assert isinstance(caught.value, EXPECTED[status])
    str(caught.value)  # the message can be built


async def test_details_nested_as_deep_as_json_allows_still_print() -> None:
    """An error envelope whose details parse but are too deep to print gives a status error with a message."""
    details = b'{"a":' * 600 + b"1" + b"}" * 600
    body = b'{"success":false,"error":{"code":"not_found","message":"gone","details":' + details + b"}}"
    handler, _ = sequence(raw(404, body, "application/json"))
    with pytest.raises(NotFoundError) as caught:
        await make_client(handler).reviews.get("rev_123")
    assert str(caught.value).startswith("404 not_found: gone")


# 3 and 4. Secrets in pickles, messages, tracebacks and logs.


def _everything_shown(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc)


def _forms(secret: str) -> list[str]:
    return [secret, secret.replace("\\", "\\\\").replace('"', '\\"'), secret.replace("\\", "\\\\")]


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), raw(200, b"{}", "application/json")],
    ids=["connection", "timeout", "validation"],
)
async def test_pickled_errors_leave_the_key_behind(failure: Any) -> None:
    """Connection, timeout and validation errors pickle without the Authorization header."""
    handler, _ = sequence(failure)
    with pytest.raises(HITLError) as caught:
        await make_client(handler, max_retries=0).reviews.get("rev_123")
    data = pickle.dumps(caught.value)
    assert b"hitl_test_key_do_not_log" not in data
    again = pickle.loads(data)
    assert type(again) is type(caught.value)
    assert str(again) == str(caught.value)


async def test_a_key_echoed_by_the_server_stays_out_of_the_error() -> None:
    """A 401 quoting the key (escaped by JSON) keeps it out of the message, details, traceback and pickle."""
    body = {
        "success": False,
        "error": {"code": "unauthorized", "message": f"bad key {ODD_KEY}", "details": {"key": ODD_KEY}},
        "meta": META,
    }
    handler, _ = sequence(httpx.Response(401, json=body))
    with pytest.raises(AuthenticationError) as caught:
        await make_client(handler, api_key=ODD_KEY).reviews.get("rev_123")
    shown = _everything_shown(caught.value)
    assert "<redacted>" in str(caught.value)
    pickled = pickle.dumps(caught.value)
    for form in _forms(ODD_KEY):
        assert form not in shown
        assert form.encode() not in pickled


async def test_a_key_quoted_in_bad_data_stays_out_of_the_error() -> None:
    """Data that does not fit its model, quoting the key, gives a message and traceback without it."""
    handler, _ = sequence(ok({**REVIEW, "created_at": ODD_KEY}))
    with pytest.raises(APIResponseValidationError) as caught:
        await make_client(handler, api_key=ODD_KEY).reviews.get("rev_123")
    for form in _forms(ODD_KEY):
        assert form not in _everything_shown(caught.value)


async def test_a_key_quoted_by_a_transport_error_stays_out_of_the_traceback() -> None:
    """A library error quoting the key is not chained: the traceback would print it."""
    handler, _ = sequence(httpx.ConnectError(f"proxy said: Authorization: Bearer {ODD_KEY}"))
    with pytest.raises(APIConnectionError) as caught:
        await make_client(handler, api_key=ODD_KEY, max_retries=0).reviews.get("rev_123")
    for form in _forms(ODD_KEY):
        assert form not in _everything_shown(caught.value)


async def test_debug_logs_hide_the_webhook_secret_and_an_escaped_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At DEBUG, a webhooks.create answer is logged with its `secret` redacted, and a key the server echoes is
    redacted in whatever escaping the body gives it."""
    webhook = {
        "id": "wh_1",
        "url": "https://example.com/hooks",
        "events": ["review.completed"],
        "active": True,
        "secret": WEBHOOK_SECRET,
        "description": f"made with {ODD_KEY}",
        "created_at": "2024-01-15T10:30:00Z",
        "updated_at": "2024-01-15T10:30:00Z",
    }
    handler, _ = sequence(ok(webhook, 201), error(404, "not_found", f"no key {ODD_KEY}"))
    hitl = make_client(handler, api_key=ODD_KEY)
    with caplog.at_level(logging.DEBUG, logger="hitl"):
        created = await hitl.webhooks.create(url="https://example.com/hooks", events=["review.completed"])
        with pytest.raises(NotFoundError):
            await hitl.reviews.get("rev_123")
    assert created.secret == WEBHOOK_SECRET  # the caller still gets it
    assert "Response POST /v1/webhooks -> 201" in caplog.text
    assert WEBHOOK_SECRET not in caplog.text
    for form in _forms(ODD_KEY):
        assert form not in caplog.text


# 5. Cursors in a cycle.


@pytest.mark.parametrize(
    "next_cursor",
    [{None: "A", "A": "B", "B": "A"}, {None: "A", "A": "B", "B": "C", "C": "B"}, {None: "A", "A": "A"}],
    ids=["A-B-A", "A-B-C-B", "A-A"],
)
async def test_cursors_in_a_cycle_raise_instead_of_looping(next_cursor: dict[str | None, str]) -> None:
    """A server whose cursors come round again (A, B, A, ...) raises a typed error after one lap."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert len(seen) < 20, "the paginator did not stop"
        return page([review(f"rev_{len(seen)}")], next_cursor=next_cursor[request.url.params.get("cursor")])

    with pytest.raises(APIResponseValidationError, match="same cursor twice"):
        async for _ in make_client(handler).reviews.list():
            pass
    assert len(seen) == len(next_cursor)


# 6. A cap on the size of a response body.


def _streaming(status: int, body: StreamedBody, **headers: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, stream=body)

    return handler


@pytest.mark.parametrize("status", [200, 500])
async def test_a_huge_body_is_refused_while_it_arrives(status: int) -> None:
    """A 300 MB answer with no length given is refused once 1 MiB has arrived: the rest is never read, and
    the error is not retried."""
    body = StreamedBody(endless())
    hitl = make_client(_streaming(status, body), max_response_size=1024 * 1024)
    with pytest.raises(ResponseTooLargeError, match="max_response_size"):
        await hitl.reviews.get("rev_123")
    assert body.pulled <= 1024 * 1024 + 65536


async def test_an_announced_huge_body_is_refused_before_reading() -> None:
    """A Content-Length over the default cap (32 MiB) is refused before any of the body is read."""
    body = StreamedBody(endless())
    hitl = make_client(_streaming(200, body, **{"Content-Length": str(300 * 1024 * 1024)}))
    with pytest.raises(ResponseTooLargeError, match="announced 314572800 bytes"):
        await hitl.reviews.get("rev_123")
    assert body.pulled == 0
    assert DEFAULT_MAX_RESPONSE_SIZE == 32 * 1024 * 1024


async def test_a_compressed_bomb_is_measured_unpacked() -> None:
    """40 KB of gzip that unpacks to 40 MB is refused at the cap, counted after decompression."""
    packed = gzip.compress(b"\0" * (40 * 1024 * 1024))
    body = StreamedBody(packed[i : i + 4096] for i in range(0, len(packed), 4096))
    hitl = make_client(_streaming(200, body, **{"Content-Encoding": "gzip"}), max_response_size=1024 * 1024)
    with pytest.raises(ResponseTooLargeError):
        await hitl.reviews.get("rev_123")
    assert body.pulled < len(packed)


async def test_a_body_within_the_cap_is_read_whole() -> None:
    """Answers under the cap parse as before, from a streamed body too."""
    answer = ok(REVIEW).content
    body = StreamedBody([answer[:10], answer[10:]])
    review_read = await make_client(_streaming(200, body), max_response_size=len(answer)).reviews.get("r")
    assert review_read.id == "rev_123"


@pytest.mark.parametrize("size", [0, -1, 1.5, "1MB", True])
async def test_a_bad_max_response_size_is_refused(size: object) -> None:
    """The cap is a positive number of bytes."""
    handler, _ = sequence(ok(REVIEW))
    with pytest.raises(ConfigurationError, match="max_response_size"):
        make_client(handler, max_response_size=size)


async def test_with_options_keeps_or_changes_the_cap() -> None:
    """A copy keeps the client's cap unless given another."""
    handler, _ = sequence(ok(REVIEW))
    hitl = make_client(handler, max_response_size=100)
    with pytest.raises(ResponseTooLargeError):
        await hitl.with_options(max_retries=0).reviews.get("rev_123")
    assert (await hitl.with_options(max_response_size=10_000).reviews.get("rev_123")).id == "rev_123"


async def test_status_errors_still_read_their_envelope() -> None:
    """Streaming the body changes nothing for an ordinary error answer."""
    handler, _ = sequence(error(404, "review_not_found", "gone"))
    with pytest.raises(APIStatusError, match=r"^404 review_not_found: gone"):
        await make_client(handler).reviews.get("rev_123")
