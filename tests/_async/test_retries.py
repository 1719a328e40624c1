"""Tests for retries, backoff, server-requested waits, rate limits and idempotency keys."""

from __future__ import annotations

import email.utils
import logging
import time
import uuid

import httpx
import pytest

from hitl_async import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    InvalidArgumentError,
    RateLimitError,
    RetryPolicy,
)
from tests.helpers import API_KEY, REVIEW, body, error, ok, raw, sequence

from ._support import make_client, record_sleeps

pytestmark = pytest.mark.anyio

NO_JITTER = RetryPolicy(jitter=0.0)


# When to retry


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried(monkeypatch: pytest.MonkeyPatch, status: int) -> None:
    """408, 429 and 5xx are retried, and the call returns once an attempt succeeds."""
    slept = record_sleeps(monkeypatch)
    handler, seen = sequence(error(status, "whatever"), error(status, "whatever"), ok(REVIEW))
    review = await make_client(handler).reviews.get("rev_123")
    assert review.id == "rev_123"
    assert len(seen) == 3
    assert len(slept) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_other_statuses_are_not_retried(monkeypatch: pytest.MonkeyPatch, status: int) -> None:
    """Client errors, including a 409 conflict, are raised at once."""
    slept = record_sleeps(monkeypatch)
    handler, seen = sequence(error(status, "whatever"), ok(REVIEW))
    with pytest.raises(Exception) as caught:
        await make_client(handler).reviews.get("rev_123")
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert (len(seen), slept) == (1, [])


async def test_gives_up_after_max_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """By default two retries, so three attempts, then the last error is raised."""
    slept = record_sleeps(monkeypatch)
    handler, seen = sequence(error(500, "internal_error"))
    with pytest.raises(InternalServerError):
        await make_client(handler).reviews.get("rev_123")
    assert len(seen) == 3
    assert len(slept) == 2


async def test_max_retries_zero_per_client_per_copy_and_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """max_retries=0 turns retrying off, on the client, on a with_options copy, or for one call."""
    slept = record_sleeps(monkeypatch)
    handler, seen = sequence(error(503, "service_unavailable"))
    hitl = make_client(handler)
    for client, options in [
        (make_client(handler, max_retries=0), {}),
        (hitl.with_options(max_retries=0), {}),
        (hitl, {"max_retries": 0}),
    ]:
        seen.clear()
        with pytest.raises(InternalServerError):
            await client.reviews.get("rev_123", **options)
        assert len(seen) == 1
    assert slept == []


async def test_per_call_max_retries_can_raise_the_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call may allow more retries than its client."""
    record_sleeps(monkeypatch)
    handler, seen = sequence(error(503, "service_unavailable"))
    with pytest.raises(InternalServerError):
        await make_client(handler, max_retries=0).reviews.get("rev_123", max_retries=4)
    assert len(seen) == 5


@pytest.mark.parametrize("max_retries", [-1, "2", 1.0])
async def test_bad_per_call_max_retries_is_refused(max_retries: object) -> None:
    """A call's max_retries must be a whole number >= 0; nothing is sent otherwise."""
    handler, seen = sequence(ok(REVIEW))
    with pytest.raises(InvalidArgumentError, match="max_retries"):
        await make_client(handler).reviews.get("rev_123", max_retries=max_retries)  # type: ignore[arg-type]
    assert seen == []


@pytest.mark.parametrize(
    ("exception", "raised"),
    [
        (httpx.ConnectError("connection refused"), APIConnectionError),
        (httpx.RemoteProtocolError("server disconnected"), APIConnectionError),
        (httpx.ConnectTimeout("connect timed out"), APITimeoutError),
        (httpx.ReadTimeout("read timed out"), APITimeoutError),
        (httpx.PoolTimeout("no connection free"), APITimeoutError),
    ],
)
async def test_transport_errors_are_retried_then_raised_as_hitl_errors(
    monkeypatch: pytest.MonkeyPatch, exception: Exception, raised: type[Exception]
) -> None:
    """Connection errors and timeouts are retried, then raised as APIConnectionError / APITimeoutError
    with the httpx exception as the cause."""
    slept = record_sleeps(monkeypatch)
    handler, seen = sequence(exception)
    with pytest.raises(raised) as caught:
        await make_client(handler).reviews.get("rev_123")
    assert type(caught.value) is raised
    assert caught.value.__cause__ is exception
    assert isinstance(caught.value, APIConnectionError)
    assert str(caught.value).startswith("GET /v1/reviews/rev_123 ")
    assert caught.value.request is not None
    assert (len(seen), len(slept)) == (3, 2)


async def test_transport_error_then_success(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dropped connection followed by an answer returns the answer."""
    record_sleeps(monkeypatch)
    handler, seen = sequence(httpx.ReadTimeout("slow"), ok(REVIEW))
    assert (await make_client(handler).reviews.get("rev_123")).id == "rev_123"
    assert len(seen) == 2


# How long to wait


async def test_backoff_doubles_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without jitter the waits are 0.5, 1, 2, 4, then capped at max_delay."""
    slept = record_sleeps(monkeypatch)
    handler, _ = sequence(error(500, "internal_error"))
    policy = RetryPolicy(max_retries=6, initial_delay=0.5, max_delay=4.0, jitter=0.0)
    with pytest.raises(InternalServerError):
        await make_client(handler, retry_policy=policy).reviews.get("rev_123")
    assert slept == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


async def test_default_backoff_follows_the_api_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference's `2 ** n + random(0, 1)` seconds (8 s at most before the random part), not all equal."""
    slept = record_sleeps(monkeypatch)
    handler, _ = sequence(error(503, "service_unavailable"))
    for _ in range(5):
        with pytest.raises(InternalServerError):
            await make_client(handler, max_retries=6).reviews.get("rev_123")
    assert len(slept) == 30
    for index, wait in enumerate(slept):
        base = min(2 ** (index % 6), 8.0)
        assert base <= wait <= base + 1
    assert len(set(slept)) > 6


async def test_retry_after_seconds_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 with Retry-After: 3 waits exactly 3 s, without jitter."""
    slept = record_sleeps(monkeypatch)
    handler, seen = sequence(error(429, "rate_limit_exceeded", **{"Retry-After": "3"}), ok(REVIEW))
    await make_client(handler).reviews.get("rev_123")
    assert slept == [3.0]
    assert len(seen) == 2


async def test_retry_after_http_date_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry-After as an HTTP date waits until then."""
    slept = record_sleeps(monkeypatch)
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    handler, _ = sequence(error(429, "rate_limit_exceeded", **{"Retry-After": when}), ok(REVIEW))
    await make_client(handler).reviews.get("rev_123")
    assert len(slept) == 1
    assert 18.0 <= slept[0] <= 20.0


async def test_rate_limit_reset_is_followed_on_a_429(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 without Retry-After waits until X-RateLimit-Reset."""
    slept = record_sleeps(monkeypatch)
    reset = str(int(time.time()) + 30)
    handler, _ = sequence(
        error(429, "rate_limit_exceeded", **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
        ok(REVIEW),
    )
    await make_client(handler).reviews.get("rev_123")
    assert len(slept) == 1
    assert 28.0 <= slept[0] <= 30.0


async def test_rate_limit_reset_is_ignored_on_other_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every response carries X-RateLimit-Reset; on a 500 it must not turn the backoff into a long wait."""
    slept = record_sleeps(monkeypatch)
    reset = str(int(time.time()) + 3600)
    handler, _ = sequence(error(500, "internal_error", **{"X-RateLimit-Reset": reset}), ok(REVIEW))
    await make_client(handler, retry_policy=NO_JITTER).reviews.get("rev_123")
    assert slept == [1.0]


async def test_retry_after_on_a_503_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 503 with Retry-After waits as asked."""
    slept = record_sleeps(monkeypatch)
    handler, _ = sequence(error(503, "service_unavailable", **{"Retry-After": "7"}), ok(REVIEW))
    await make_client(handler).reviews.get("rev_123")
    assert slept == [7.0]


async def test_past_reset_falls_back_to_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reset already past (a skewed clock) does not mean retrying at once."""
    slept = record_sleeps(monkeypatch)
    handler, _ = sequence(error(429, "rate_limit_exceeded"), ok(REVIEW))  # helpers' reset is in 2022
    await make_client(handler, retry_policy=NO_JITTER).reviews.get("rev_123")
    assert slept == [1.0]


async def test_wait_beyond_the_cap_raises_at_once_saying_when(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry-After: 120 is over the 60 s cap: RateLimitError at once, with retry_after and the limits."""
    slept = record_sleeps(monkeypatch)
    handler, seen = sequence(
        error(429, "rate_limit_exceeded", "Too many requests", **{"Retry-After": "120"}), ok(REVIEW)
    )
    with pytest.raises(RateLimitError) as caught:
        await make_client(handler).reviews.get("rev_123")
    exc = caught.value
    assert (len(seen), slept) == (1, [])
    assert exc.retry_after == 120.0
    assert "retry after 120s" in str(exc)
    assert exc.rate_limit is not None
    assert (exc.rate_limit.limit, exc.rate_limit.remaining) == (1000, 999)
    assert exc.rate_limit.reset is not None


async def test_the_cap_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    """With max_server_wait=300 (and a timeout that leaves room) the same 120 s wait is slept through."""
    slept = record_sleeps(monkeypatch)
    handler, _ = sequence(error(429, "rate_limit_exceeded", **{"Retry-After": "120"}), ok(REVIEW))
    hitl = make_client(handler, retry_policy=RetryPolicy(max_server_wait=300), timeout=300)
    await hitl.reviews.get("rev_123")
    assert slept == [120.0]


async def test_a_wait_past_the_calls_timeout_is_not_slept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The timeout bounds the whole call: a retry that could not start before it ends is not waited for;
    the last attempt's error is raised at once."""
    slept = record_sleeps(monkeypatch)
    handler, seen = sequence(error(503, "service_unavailable", **{"Retry-After": "30"}), ok(REVIEW))
    with pytest.raises(InternalServerError):
        await make_client(handler).reviews.get("rev_123", timeout=10.0)
    assert (len(seen), slept) == (1, [])


async def test_rate_limit_error_after_retries_says_when(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the retries run out on 429s, the RateLimitError still says when to try again."""
    record_sleeps(monkeypatch)
    handler, seen = sequence(error(429, "rate_limit_exceeded", "Slow down", **{"Retry-After": "2"}))
    with pytest.raises(RateLimitError, match=r"^429 rate_limit_exceeded: Slow down; retry after 2\.0s"):
        await make_client(handler).reviews.get("rev_123")
    assert len(seen) == 3


async def test_retry_is_logged_at_info_with_reason_and_wait(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Each retry is one INFO line on the `hitl` logger naming the call, the wait and the reason."""
    record_sleeps(monkeypatch)
    handler, _ = sequence(
        error(429, "rate_limit_exceeded", **{"Retry-After": "3"}), httpx.ConnectError("refused"), ok(REVIEW)
    )
    with caplog.at_level(logging.INFO, logger="hitl"):
        await make_client(handler).reviews.get("rev_123")
    lines = [(r.name, r.levelno, r.getMessage()) for r in caplog.records if r.name == "hitl"]
    assert lines[0] == (
        "hitl",
        logging.INFO,
        "Retrying GET /v1/reviews/rev_123 in 3.00s (retry 1 of 2): 429 rate_limit_exceeded",
    )
    assert lines[1][2].startswith("Retrying GET /v1/reviews/rev_123 in ")
    assert lines[1][2].endswith("(retry 2 of 2): GET /v1/reviews/rev_123 failed: ConnectError: refused")
    assert len(lines) == 2


async def test_a_long_retry_wait_is_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A pause over 5 s is logged at WARNING, which shows without any logging set up; short ones stay INFO."""
    slept = record_sleeps(monkeypatch)
    handler, _ = sequence(
        error(429, "rate_limit_exceeded", **{"Retry-After": "30"}),
        error(429, "rate_limit_exceeded", **{"Retry-After": "5"}),
        ok(REVIEW),
    )
    await make_client(handler).reviews.get("rev_123")  # no caplog.at_level: the logger's default level
    assert slept == [30.0, 5.0]
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "hitl"]
    assert lines == [
        (
            logging.WARNING,
            "Retrying GET /v1/reviews/rev_123 in 30.00s (retry 1 of 2): 429 rate_limit_exceeded",
        )
    ]
    assert API_KEY not in caplog.text


# Idempotency


async def test_post_keeps_one_idempotency_key_across_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every attempt of a create carries the same generated Idempotency-Key and the same body."""
    record_sleeps(monkeypatch)
    handler, seen = sequence(
        error(503, "service_unavailable"), httpx.ReadTimeout("lost the answer"), ok(REVIEW, 201)
    )
    await make_client(handler).reviews.create(template_id="template_123", content={"text": "x"})
    keys = [request.headers["idempotency-key"] for request in seen]
    assert len(keys) == 3
    assert len(set(keys)) == 1
    assert uuid.UUID(keys[0]).version == 4
    assert [body(request) for request in seen] == [body(seen[0])] * 3


async def test_each_logical_post_gets_its_own_key() -> None:
    """Two creates are two requests to the server: two keys."""
    handler, seen = sequence(ok(REVIEW, 201))
    hitl = make_client(handler)
    await hitl.reviews.create(template_id="t", content={"text": "x"})
    await hitl.reviews.create(template_id="t", content={"text": "x"})
    assert seen[0].headers["idempotency-key"] != seen[1].headers["idempotency-key"]


async def test_callers_idempotency_key_is_used_on_every_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key passed as idempotency_key= (or as an extra header) is sent as is, on every attempt."""
    record_sleeps(monkeypatch)
    handler, seen = sequence(error(502, "bad_gateway"), ok(REVIEW, 201))
    hitl = make_client(handler)
    await hitl.reviews.create(template_id="t", content={"text": "x"}, idempotency_key="order-42")
    await hitl.reviews.create(
        template_id="t", content={"text": "x"}, extra_headers={"Idempotency-Key": "k-7"}
    )
    assert [request.headers.get_list("idempotency-key") for request in seen] == [
        ["order-42"],
        ["order-42"],
        ["k-7"],
    ]


@pytest.mark.parametrize("key", ["", 42])
async def test_bad_idempotency_key_is_refused_before_sending(key: object) -> None:
    """An empty or non-string key raises InvalidArgumentError and sends nothing."""
    handler, seen = sequence(ok(REVIEW, 201))
    with pytest.raises(InvalidArgumentError, match="idempotency_key"):
        await make_client(handler).reviews.create(
            template_id="t",
            content={"text": "x"},
            idempotency_key=key,  # type: ignore[arg-type]
        )
    assert seen == []


async def test_every_write_carries_an_idempotency_key_and_reads_none() -> None:
    """PATCH and DELETE carry a fresh Idempotency-Key each, as POST does; GET carries none."""
    handler, seen = sequence(ok(REVIEW))
    hitl = make_client(handler)
    await hitl.reviews.get("rev_123")
    await hitl.reviews.update("rev_123", priority="high")
    await hitl.reviews.cancel("rev_123")
    await hitl.reviews.cancel("rev_123", idempotency_key="cancel-rev_123")
    assert [request.method for request in seen] == ["GET", "PATCH", "DELETE", "DELETE"]
    keys = [request.headers.get("idempotency-key") for request in seen]
    assert keys[0] is None
    assert keys[1] and keys[2] and keys[1] != keys[2]
    assert keys[3] == "cancel-rev_123"


async def test_a_retried_cancel_resends_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cancel whose response was lost is retried with the same key, so the server can replay it."""
    record_sleeps(monkeypatch)
    handler, seen = sequence(raw(503), ok(REVIEW))
    await make_client(handler).reviews.cancel("rev_123")
    assert len(seen) == 2
    assert seen[0].headers["idempotency-key"] == seen[1].headers["idempotency-key"]


async def test_a_non_retryable_answer_to_a_retried_post_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """If a retry meets a 400, that error is raised and retrying stops."""
    record_sleeps(monkeypatch)
    handler, seen = sequence(raw(502), error(400, "validation_error"), ok(REVIEW, 201))
    with pytest.raises(BadRequestError):
        await make_client(handler).reviews.create(template_id="t", content={"text": "x"})
    assert len(seen) == 2
