"""`reviews.wait()` and `reviews.create_and_wait()`: poll until a human has decided."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Protocol

from hitl._exceptions import APITimeoutError, InvalidArgumentError, WaitTimeoutError
from hitl._models import REVIEW_STATUS_TERMINAL, Priority, Review, ReviewContent
from hitl._types import NOT_GIVEN, NotGiven
from hitl_async._backend import ensure_no_event_loop, monotonic, sleep
from hitl_async._client import requests_end_within

__all__ = ["AsyncDecisionFeed", "AsyncDecisionWatch", "AsyncReviewWaiting"]

_FINAL = REVIEW_STATUS_TERMINAL  # the statuses openapi.yaml marks `x-hitl-terminal`
# A poll gets until the deadline to answer, or this long when less is left (the last look, made when the
# time is up, included): no poll outlives the deadline by more.
_LAST_POLL_GRACE = 1.0


class _ReviewsResource(Protocol):
    """What the waiting methods need of the generated reviews resource."""

    async def get(self, review_id: str) -> Review: ...

    async def create(
        self,
        *,
        template_id: str,
        content: ReviewContent | Mapping[str, Any],
        assignees: Sequence[str] | NotGiven = NOT_GIVEN,
        priority: Priority | Literal["low", "medium", "high", "urgent"] | NotGiven = NOT_GIVEN,
        due_date: dt.datetime | NotGiven = NOT_GIVEN,
        idempotency_key: str | NotGiven = NOT_GIVEN,
    ) -> Review: ...


class AsyncDecisionWatch(Protocol):
    """One review watched through a decision feed, from `__aenter__` to `__aexit__`."""

    async def __aenter__(self) -> AsyncDecisionWatch: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def wait(self, timeout: float) -> Review | None:
        """The review in its final state if its decision arrives within `timeout` seconds, else None."""
        ...


class AsyncDecisionFeed(Protocol):
    """Where `reviews.wait(via=...)` learns of decisions without polling, e.g. `AsyncRedisDecisions`."""

    @property
    def poll_interval(self) -> float:
        """Seconds between the polls that still run, in case a decision never comes through the feed."""
        ...

    def watch(self, review_id: str) -> AsyncDecisionWatch:
        """Watch for the decision on `review_id` (used as `async with feed.watch(review_id) as watch:`)."""
        ...


class AsyncReviewWaiting:
    """Waiting for decisions; mixed into the reviews resource."""

    async def wait(
        self: _ReviewsResource,
        review_id: str,
        *,
        timeout: float | None = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
        via: AsyncDecisionFeed | None = None,
    ) -> Review:
        """
        Poll a review until it is completed or cancelled, and return it.

        The interval starts at `poll_interval` and grows by half each poll up to `max_poll_interval`, so a
        long wait costs few requests; each poll goes through the client's retries, which honour rate limits.
        The last poll happens when `timeout` runs out, and the wait returns or raises by then whatever the
        server does: a poll still in flight is cut short (one started with less than 1 s left gets that
        second). Cancelling the wait stops it at once and leaves nothing behind: no task, no pending request.

        Args:
            review_id: The review to wait for.
            timeout: Seconds to wait in all, or `None` to wait as long as it takes.
            poll_interval: Seconds before the second poll.
            max_poll_interval: Longest pause between polls.
            via: A feed of decisions that other processes received as webhooks (`AsyncRedisDecisions`):
                the wait returns as soon as the decision arrives through it, and polls only every
                `via.poll_interval` seconds in case a webhook is lost (`poll_interval` and
                `max_poll_interval` are then unused).

        Returns:
            The review in its final state: check `status`, then `result` and `reviewer`.

        Raises:
            WaitTimeoutError: `timeout` passed first; it names the review and its last status.
            BlockingInEventLoopError: The blocking client was called in a thread that runs an event loop.
        """
        ensure_no_event_loop("reviews.wait()")
        if poll_interval <= 0 or max_poll_interval < poll_interval:
            raise InvalidArgumentError("need 0 < poll_interval <= max_poll_interval")
        if timeout is not None and timeout < 0:
            raise InvalidArgumentError("timeout must be >= 0 seconds, or None to wait without limit")
        if via is None:
            return await _wait(self, review_id, timeout, poll_interval, max_poll_interval, None)
        # Watching starts before the first poll, so a decision that lands in between is not missed.
        async with via.watch(review_id) as watch:
            return await _wait(self, review_id, timeout, via.poll_interval, via.poll_interval, watch)

    async def create_and_wait(
        self: _ReviewsResource,
        *,
        template_id: str,
        content: ReviewContent | Mapping[str, Any],
        assignees: Sequence[str] | NotGiven = NOT_GIVEN,
        priority: Priority | Literal["low", "medium", "high", "urgent"] | NotGiven = NOT_GIVEN,
        due_date: dt.datetime | NotGiven = NOT_GIVEN,
        idempotency_key: str | NotGiven = NOT_GIVEN,
        timeout: float | None = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
        via: AsyncDecisionFeed | None = None,
    ) -> Review:
        """
        Create a review, then wait for its decision: `create()` followed by `wait()`.

        The arguments are those of `create()` and `wait()`. On `WaitTimeoutError` the review exists: its id is
        on the error (`review_id`), so you can keep waiting or cancel it.
        """
        ensure_no_event_loop("reviews.create_and_wait()")  # before the create: nothing is left half done
        review = await self.create(
            template_id=template_id,
            content=content,
            assignees=assignees,
            priority=priority,
            due_date=due_date,
            idempotency_key=idempotency_key,
        )
        return await AsyncReviewWaiting.wait(
            self,
            review.id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            via=via,
        )


async def _wait(
    reviews: _ReviewsResource,
    review_id: str,
    timeout: float | None,
    poll_interval: float,
    max_poll_interval: float,
    watch: AsyncDecisionWatch | None,
) -> Review:
    """The loop of `wait()`: poll, pause (or watch), until the review is final or the time is up."""
    started = monotonic()
    deadline = None if timeout is None else started + timeout
    interval = poll_interval
    review = None
    while True:
        review = await _poll(reviews, review_id, deadline, started, review)
        if review.status in _FINAL:
            return review
        pause = interval
        if deadline is not None:
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(review_id, str(review.status), monotonic() - started)
            if remaining <= pause:
                # One last look when the time is up, then give up: no extra poll for a rounding error.
                decided = await _pause(watch, remaining)
                if decided is not None:
                    return decided
                review = await _poll(reviews, review_id, deadline, started, review)
                if review.status in _FINAL:
                    return review
                raise WaitTimeoutError(review_id, str(review.status), monotonic() - started)
        decided = await _pause(watch, pause)
        if decided is not None:
            return decided
        interval = min(interval * 1.5, max_poll_interval)


async def _poll(
    reviews: _ReviewsResource, review_id: str, deadline: float | None, started: float, last: Review | None
) -> Review:
    """One `get` of the wait, which ends by the wait's deadline (or the grace) whatever the server does."""
    if deadline is None:
        return await reviews.get(review_id)
    try:
        with requests_end_within(max(deadline - monotonic(), _LAST_POLL_GRACE)):
            return await reviews.get(review_id)
    except APITimeoutError as error:
        if deadline - monotonic() > 0.1:  # (a socket's timer may fire a hair early: not "well before")
            raise  # the client's own timeout, well before the wait's: a network problem to report as such
        last_status = None if last is None else str(last.status)
        raise WaitTimeoutError(review_id, last_status, monotonic() - started) from error


async def _pause(watch: AsyncDecisionWatch | None, seconds: float) -> Review | None:
    """Sleep between polls; with a watch, its decision as soon as it arrives."""
    if watch is None:
        await sleep(seconds)
        return None
    return await watch.wait(seconds)
