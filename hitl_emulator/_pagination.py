"""Cursor pagination: `limit` and an opaque `cursor` in, a page and `meta.pagination` out."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from ._contract import LIMIT_DEFAULT, LIMIT_MAX, LIMIT_MIN
from ._errors import validation_error

__all__ = ["Page", "PageRequest", "check_page_request", "paginate"]

_CURSOR_PREFIX = "cur_"
_DIGITS = re.compile(r"[0-9]{1,6}", re.ASCII)
# The cursors this API hands out are about 30 characters long; anything much longer is not one of them,
# and decoding it could cost more than it is worth.
_MAX_CURSOR_LENGTH = 256


class _Sequenced(Protocol):
    @property
    def seq(self) -> int: ...


_Item = TypeVar("_Item", bound=_Sequenced)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A checked `limit` and the position the cursor points after (0 for the first page)."""

    limit: int
    after: int


@dataclass(frozen=True, slots=True)
class Page(Generic[_T]):
    """One page of items and the `meta.pagination` object that describes it."""

    items: list[_T]
    has_more: bool
    next_cursor: str | None

    def meta(self) -> dict[str, Any]:
        """The `meta.pagination` object."""
        return {"has_more": self.has_more, "next_cursor": self.next_cursor}


def _encode(after: int) -> str:
    # A cursor is the creation sequence number of the last item shown, so deleting that item does not
    # break the walk; wrapped in base64 JSON so clients treat it as opaque.
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return _CURSOR_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> int:
    invalid = validation_error("cursor", "is not a cursor returned by this API")
    if not cursor.startswith(_CURSOR_PREFIX) or len(cursor) > _MAX_CURSOR_LENGTH:
        raise invalid
    encoded = cursor.removeprefix(_CURSOR_PREFIX)
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, UnicodeDecodeError, KeyError, TypeError, RecursionError):
        raise invalid from None
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise invalid
    return after


def check_page_request(query: Mapping[str, str]) -> PageRequest:
    """Check `limit` (bounds and default from openapi.yaml: 1-100, 20) and `cursor`."""
    raw_limit = query.get("limit")
    limit = LIMIT_DEFAULT
    if raw_limit is not None:
        if not _DIGITS.fullmatch(raw_limit) or not LIMIT_MIN <= int(raw_limit) <= LIMIT_MAX:
            raise validation_error("limit", f"must be an integer from {LIMIT_MIN} to {LIMIT_MAX}")
        limit = int(raw_limit)
    cursor = query.get("cursor")
    return PageRequest(limit=limit, after=0 if cursor is None else _decode(cursor))


def paginate(items: Iterable[_Item], request: PageRequest) -> Page[_Item]:
    """The page of `items` (in creation order) after the cursor's position."""
    page: list[_Item] = []
    has_more = False
    for item in items:
        if item.seq <= request.after:
            continue
        if len(page) == request.limit:
            has_more = True
            break
        page.append(item)
    next_cursor = _encode(page[-1].seq) if has_more else None
    return Page(page, has_more, next_cursor)
