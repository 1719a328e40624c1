"""The items of `reviews.create_many()`, checked before anything is sent, and their idempotency keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Required, TypedDict

from hitl._exceptions import InvalidArgumentError
from hitl._models import Priority, ReviewContent

__all__ = ["ReviewItem", "batch_calls", "item_idempotency_key"]

#: A batch's `concurrency` may not exceed this: more parallel requests only queue in the connection pool.
MAX_CONCURRENCY = 256


class ReviewItem(TypedDict, total=False):
    """
    One review of a `reviews.create_many()` batch: the keyword arguments of `reviews.create()`, plus `key`.

    `key` names the item for good, e.g. the id of the row it comes from. The item is sent with an
    idempotency key derived from it (`item_idempotency_key(key)`), so running the same batch again, after a
    crash or to pick up the items that failed, creates none of its reviews twice. Keys are unique per batch.
    """

    template_id: Required[str]
    content: Required[ReviewContent | Mapping[str, Any]]
    assignees: Sequence[str]
    priority: Priority | Literal["low", "medium", "high", "urgent"]
    due_date: dt.datetime
    key: str


_FIELDS = frozenset(ReviewItem.__annotations__)
_REQUIRED = ("template_id", "content")


def item_idempotency_key(key: str) -> str:
    """
    The `Idempotency-Key` a batch sends for the item with this `key`: `create_many-` and the SHA-256 hex
    digest of the key, so any text makes a valid header of fixed length.
    """
    return "create_many-" + hashlib.sha256(key.encode()).hexdigest()


def batch_calls(items: Iterable[ReviewItem], concurrency: int) -> list[dict[str, Any]]:
    """
    The `reviews.create()` keyword arguments of each item, in order, each with its idempotency key.

    Raises:
        InvalidArgumentError: An item is not a mapping, misses or misnames a field, or repeats another's
            `key`; or `concurrency` is not an int from 1 to 256. Nothing has been sent.
    """
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or not 1 <= concurrency <= MAX_CONCURRENCY
    ):
        raise InvalidArgumentError(
            f"concurrency must be an int from 1 to {MAX_CONCURRENCY}, got {concurrency!r}"
        )
    if isinstance(items, Mapping | str | bytes):
        raise InvalidArgumentError("items must be a list (or other iterable) of review items, not one item")
    calls: list[dict[str, Any]] = []
    keys: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InvalidArgumentError(
                f"items[{index}] must be a mapping of reviews.create() arguments, got {type(item).__name__}"
            )
        unknown = sorted(str(name) for name in item if name not in _FIELDS)
        if unknown:
            raise InvalidArgumentError(
                f"items[{index}] has unknown fields {unknown}; an item takes {sorted(_FIELDS)}"
            )
        missing = [name for name in _REQUIRED if name not in item]
        if missing:
            raise InvalidArgumentError(f"items[{index}] lacks {' and '.join(missing)}")
        call = {name: value for name, value in item.items() if name != "key"}
        key = item.get("key")
        if key is None:
            call["idempotency_key"] = str(uuid.uuid4())
        elif not isinstance(key, str) or not key:
            raise InvalidArgumentError(f"items[{index}]['key'] must be a non-empty string, got {key!r}")
        elif key in keys:
            raise InvalidArgumentError(f"items[{index}] repeats the key {key!r} of items[{keys[key]}]")
        else:
            keys[key] = index
            call["idempotency_key"] = item_idempotency_key(key)
        calls.append(call)
    return calls
