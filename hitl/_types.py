"""Small shared types: the `NOT_GIVEN` sentinel, rate limits, pages and raw responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, Final, Generic, Literal, TypeVar

import attrs
import httpx

__all__ = ["NOT_GIVEN", "APIResponse", "NotGiven", "Page", "RateLimit", "TimeoutTypes"]

T = TypeVar("T")


class NotGiven:
    """
    The type of `NOT_GIVEN`, the default of arguments the caller left out.

    `None` is a value a caller may mean: `timeout=None` disables the timeout, and `due_date=None` in
    `reviews.update()` clears the due date. `NOT_GIVEN` means "not given": use the client's default, or leave
    the field out of the request body.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        # One instance, so `is NOT_GIVEN` works, even after pickling.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

#: A timeout in seconds, an `httpx.Timeout` for connect/read/write/pool apart, or `None` for no timeout.
TimeoutTypes = float | httpx.Timeout | None


@attrs.frozen
class RateLimit:
    """
    The `X-RateLimit-*` headers of a response.

    Attributes:
        limit: Requests allowed per window.
        remaining: Requests left in the current window.
        reset: When the window resets (UTC).
    """

    limit: int | None
    remaining: int | None
    reset: dt.datetime | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimit | None:
        """Parse the three headers; `None` when the response had none. Garbled values read as `None`."""
        limit = _int_header(headers, "x-ratelimit-limit")
        remaining = _int_header(headers, "x-ratelimit-remaining")
        reset = _timestamp(headers.get("x-ratelimit-reset"))
        if limit is None and remaining is None and reset is None:
            return None
        return cls(limit=limit, remaining=remaining, reset=reset)


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def _timestamp(value: str | None) -> dt.datetime | None:
    """Unix seconds (a fraction is fine) as an aware UTC datetime; `None` for anything unreadable."""
    if value is None:
        return None
    try:
        return dt.datetime.fromtimestamp(float(value.strip()), dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


@attrs.frozen
class Page(Generic[T]):
    """
    One page of a list: its items and where the next page starts.

    Attributes:
        items: The items on this page, in the API's order.
        has_more: Whether another page follows.
        next_cursor: Pass as `cursor=` to fetch the next page; `None` on the last page.
    """

    items: list[T]
    has_more: bool
    next_cursor: str | None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class APIResponse(Generic[T]):
    """
    An HTTP response together with its parsed result, from `client.<resource>.with_raw_response.<method>()`.

    Attributes:
        http_response: The `httpx.Response`.
        status_code: Its HTTP status.
        headers: Its headers.
        request_id: The envelope's `meta.request_id`.
        rate_limit: The parsed `X-RateLimit-*` headers, if any.
        retries_taken: How many retries it took to get this response.
    """

    __slots__ = ("_parse", "_parsed", "http_response", "request_id", "retries_taken")

    def __init__(
        self,
        http_response: httpx.Response,
        *,
        request_id: str | None,
        retries_taken: int,
        parse: Callable[[], T],
    ) -> None:
        self.http_response = http_response
        self.request_id = request_id
        self.retries_taken = retries_taken
        self._parse = parse
        self._parsed: Any = _UNPARSED

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def rate_limit(self) -> RateLimit | None:
        return RateLimit.from_headers(self.http_response.headers)

    def parse(self) -> T:
        """The result the plain method would have returned (parsed once, then cached)."""
        if self._parsed is _UNPARSED:
            self._parsed = self._parse()
        result: T = self._parsed
        return result

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] request_id={self.request_id!r}>"


_UNPARSED: Final = object()
