"""Tests for `reviews.wait()` and `reviews.create_and_wait()`, on a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from hitl_async import InvalidArgumentError, ReviewNotFoundError, ReviewStatus, WaitTimeoutError
from tests.helpers import error, ok, review, sequence

from ._support import fake_clock, make_client

pytestmark = pytest.mark.anyio


async def test_wait_returns_the_review_once_it_is_completed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Polls until the status is final, pausing 1 s, then 1.5 s, and returns the final review."""
    clock = fake_clock(monkeypatch)
    handler, seen = sequence(
        ok(review(status="assigned")),
        ok(review(status="in_progress")),
        ok(review(status="completed", result={"approved": True}, reviewer="r@company.com")),
    )
    done = await make_client(handler).reviews.wait("rev_123")
    assert done.status is ReviewStatus.COMPLETED
    assert done.result == {"approved": True}
    assert len(seen) == 3
    assert all(request.url.path == "/v1/reviews/rev_123" for request in seen)
    assert clock.sleeps == [1.0, 1.5]


async def test_a_cancelled_review_ends_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelled is final too: the review is returned, not waited on."""
    fake_clock(monkeypatch)
    handler, seen = sequence(ok(review(status="cancelled")))
    assert (await make_client(handler).reviews.wait("rev_123")).status is ReviewStatus.CANCELLED
    assert len(seen) == 1


async def test_poll_interval_grows_by_half_up_to_the_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pauses start at poll_interval and grow 1.5x per poll, capped at max_poll_interval."""
    clock = fake_clock(monkeypatch)
    handler, _ = sequence(*[ok(review(status="in_progress"))] * 7, ok(review(status="completed")))
    await make_client(handler).reviews.wait("rev_123", poll_interval=2.0, max_poll_interval=5.0, timeout=None)
    assert clock.sleeps == [2.0, 3.0, 4.5, 5.0, 5.0, 5.0, 5.0]


async def test_timeout_names_the_review_and_its_last_status(monkeypatch: pytest.MonkeyPatch) -> None:
    """When time runs out, WaitTimeoutError says which review and where it stood; the last poll is at the
    deadline, not after it."""
    clock = fake_clock(monkeypatch)
    handler, seen = sequence(ok(review(status="in_progress")))
    with pytest.raises(WaitTimeoutError) as caught:
        await make_client(handler).reviews.wait("rev_123", timeout=10.0)
    exc = caught.value
    assert (exc.review_id, exc.last_status, exc.waited) == ("rev_123", "in_progress", 10.0)
    assert "rev_123" in str(exc)
    assert "in_progress" in str(exc)
    assert isinstance(exc, TimeoutError)
    assert clock.sleeps == [1.0, 1.5, 2.25, 3.375, 1.875]
    assert clock.now == 10.0
    assert len(seen) == 6


async def test_a_decision_at_the_last_poll_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """The poll made when the time runs out still counts."""
    fake_clock(monkeypatch)
    handler, _ = sequence(ok(review(status="in_progress")), ok(review(status="completed")))
    done = await make_client(handler).reviews.wait("rev_123", timeout=0.5)
    assert done.status is ReviewStatus.COMPLETED


async def test_timeout_zero_polls_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """timeout=0 looks once and gives up at once."""
    clock = fake_clock(monkeypatch)
    handler, seen = sequence(ok(review(status="created")))
    with pytest.raises(WaitTimeoutError, match="still created"):
        await make_client(handler).reviews.wait("rev_123", timeout=0)
    assert (len(seen), clock.sleeps) == (1, [])


@pytest.mark.parametrize(
    "options",
    [{"poll_interval": 0}, {"poll_interval": 5, "max_poll_interval": 1}, {"timeout": -1}],
)
async def test_bad_wait_options_are_refused(options: dict[str, Any]) -> None:
    """Nonsense intervals or a negative timeout raise InvalidArgumentError before any request."""
    handler, seen = sequence(ok(review()))
    with pytest.raises(InvalidArgumentError):
        await make_client(handler).reviews.wait("rev_123", **options)
    assert seen == []


async def test_errors_while_polling_are_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """A review that disappears ends the wait with its error."""
    fake_clock(monkeypatch)
    handler, _ = sequence(ok(review(status="assigned")), error(404, "review_not_found"))
    with pytest.raises(ReviewNotFoundError):
        await make_client(handler).reviews.wait("rev_123")


async def test_cancelling_the_wait_leaves_nothing_behind(
    cancel_on_sleep: Callable[[int], AbstractContextManager[Any]],
) -> None:
    """Cancelled during its third pause, the wait stops at once: no further poll, and the client works on."""
    handler, seen = sequence(ok(review(status="in_progress")))
    hitl = make_client(handler)
    with cancel_on_sleep(3) as scope:
        await hitl.reviews.wait("rev_123", poll_interval=0.01)
    assert scope.cancelled_caught
    assert len(seen) == 3
    assert (await hitl.reviews.get("rev_123")).id == "rev_123"
    assert len(seen) == 4


async def test_create_and_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Creates the review (with an idempotency key), then waits on the id the API gave it."""
    fake_clock(monkeypatch)
    handler, seen = sequence(
        ok(review("rev_new"), 201), ok(review("rev_new", "in_progress")), ok(review("rev_new", "completed"))
    )
    done = await make_client(handler).reviews.create_and_wait(
        template_id="template_123", content={"text": "Check this"}, priority="high"
    )
    assert done.id == "rev_new"
    assert done.status is ReviewStatus.COMPLETED
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/v1/reviews"),
        ("GET", "/v1/reviews/rev_new"),
        ("GET", "/v1/reviews/rev_new"),
    ]
    assert "idempotency-key" in seen[0].headers


async def test_create_and_wait_timeout_names_the_created_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """On timeout the review exists, and the error says which one, so the caller can keep waiting."""
    fake_clock(monkeypatch)
    handler, _ = sequence(ok(review("rev_new"), 201), ok(review("rev_new", "assigned")))
    with pytest.raises(WaitTimeoutError) as caught:
        await make_client(handler).reviews.create_and_wait(
            template_id="template_123", content={"text": "Check this"}, timeout=3.0
        )
    assert caught.value.review_id == "rev_new"


async def test_wait_polls_through_the_clients_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 503 during a poll is retried by the client; the wait goes on."""
    fake_clock(monkeypatch)
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("hitl_async._client.sleep", no_sleep)
    handler, seen = sequence(
        ok(review(status="assigned")), error(503, "service_unavailable"), ok(review(status="completed"))
    )
    assert (await make_client(handler).reviews.wait("rev_123")).status is ReviewStatus.COMPLETED
    assert len(seen) == 3
    assert len(slept) == 1


async def test_wait_rejects_an_empty_review_id() -> None:
    """The id is checked like any path argument."""
    handler, seen = sequence(ok(review()))
    with pytest.raises(InvalidArgumentError, match="review_id"):
        await make_client(handler).reviews.wait("")
    assert seen == []
