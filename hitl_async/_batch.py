"""`reviews.create_many()`: many creates at bounded concurrency, one result per item, in input order."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from hitl._batch import ReviewItem, batch_calls
from hitl._exceptions import HITLError
from hitl._models import Review
from hitl_async._backend import ensure_no_event_loop, run_workers
from hitl_async._waiting import _ReviewsResource

__all__ = ["AsyncReviewBatch"]


class AsyncReviewBatch:
    """Batch creation; mixed into the reviews resource."""

    async def create_many(
        self: _ReviewsResource,
        items: Iterable[ReviewItem],
        *,
        concurrency: int = 8,
        on_progress: Callable[[int, int], object] | None = None,
    ) -> list[Review | HITLError]:
        """
        Create many reviews, `concurrency` at a time, and return each item's review or error, in input order.

        One item's failure never stops the others: its place in the result holds the `HITLError` it raised
        after the client's retries (check with `isinstance(result, HITLError)`). Each item is sent with its
        own idempotency key, reused on every retry, so a retried item is created once. Give each item a `key`
        (see `ReviewItem`) to make the whole batch safe to run again: after a crash, or for the items that
        failed, a second run with the same keys and contents creates only what is missing and returns the
        reviews the first run created. Without keys a second run creates everything again.

        The client's rate limiter paces the requests by the `X-RateLimit-*` headers, so a batch larger than
        the key's budget slows down to the limit instead of running into 429 errors.

        Args:
            items: The reviews to create: mappings of `reviews.create()` arguments, plus an optional `key`.
            concurrency: How many creates are in flight at once (1 to 256).
            on_progress: Called as `on_progress(done, total)` after each item ends, one call at a time (in
                the blocking client from the worker threads); an exception it raises stops the batch.

        Returns:
            One entry per item, in the order of `items`: the created `Review`, or the `HITLError` that item
            ended with.

        Raises:
            InvalidArgumentError: An item is malformed or repeats another's key, or `concurrency` is out of
                range; raised before anything is sent.
            BlockingInEventLoopError: The blocking client was called in a thread that runs an event loop.
        """
        ensure_no_event_loop("reviews.create_many()")
        calls = batch_calls(items, concurrency)
        total = len(calls)
        results: list[Review | HITLError | None] = [None] * total
        pending = iter(range(total))
        lock = threading.Lock()  # never held across a wait: it serves tasks and threads alike
        done = 0
        # What stops the batch: an exception that is not an item's outcome (from `on_progress`, or a bug),
        # or the caller's interruption, after which the blocking client's threads take no new item.
        failures: list[Exception] = []
        stopped = False

        async def work() -> None:
            nonlocal done
            while True:
                with lock:
                    index = None if failures or stopped else next(pending, None)
                if index is None:
                    return
                try:
                    result: Review | HITLError = await self.create(**calls[index])
                except HITLError as error:
                    result = error
                except Exception as error:
                    with lock:
                        failures.append(error)
                    return
                results[index] = result
                with lock:
                    done += 1
                    try:
                        if on_progress is not None:
                            on_progress(done, total)
                    except Exception as error:
                        failures.append(error)

        try:
            await run_workers(min(concurrency, total), work)
        finally:
            stopped = True
        if failures:
            raise failures[0]
        return [result for result in results if result is not None]
