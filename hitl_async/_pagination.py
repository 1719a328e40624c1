"""Cursor pagination: iterate every item of a list across pages, holding one page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Generic, TypeVar

from hitl._exceptions import APIResponseValidationError
from hitl._types import NotGiven, Page, TimeoutTypes
from hitl_async._backend import FirstPageShortcut
from hitl_async._client import AsyncBaseClient

__all__ = ["AsyncItemIterator", "AsyncPageIterator", "AsyncPaginator"]

T = TypeVar("T")


class AsyncPaginator(FirstPageShortcut[T], Generic[T]):
    """
    The result of a list method. Nothing is fetched until it is used.

    - `async for item in client.reviews.list(...)`: every item, across all pages.
    - `await paginator.first_page()`: one page (`items`, `has_more`, `next_cursor`).
    - `async for page in paginator.pages()`: page by page.

    Memory stays bounded by one page. Pass `cursor=` to the list method to resume where a page left off.
    """

    def __init__(
        self,
        client: AsyncBaseClient,
        path: str,
        *,
        item_type: type[T],
        params: Mapping[str, Any],
        extra_headers: Mapping[str, str] | None,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | NotGiven,
    ) -> None:
        self._client = client
        self._path = path
        self._item_type = item_type
        self._params = dict(params)
        self._extra_headers = extra_headers
        self._timeout = timeout
        self._max_retries = max_retries

    async def first_page(self) -> Page[T]:
        """Fetch the first page only."""
        return await self._fetch(self._params.get("cursor"))

    def pages(self) -> AsyncIterator[Page[T]]:
        """Fetch pages one after another until the last."""
        return AsyncPageIterator(self)

    def __aiter__(self) -> AsyncIterator[T]:
        return AsyncItemIterator(AsyncPageIterator(self))

    async def _fetch(self, cursor: str | None) -> Page[T]:
        params = self._params if cursor is None else {**self._params, "cursor": cursor}
        return await self._client._request_page(
            "GET",
            self._path,
            item_type=self._item_type,
            params=params,
            extra_headers=self._extra_headers,
            timeout=self._timeout,
            max_retries=self._max_retries,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._path} params={self._params!r}>"


# Iterator classes rather than generators: a generator left before its end (a `break` in the loop) ought to
# be closed, and some event loops warn when one is garbage collected instead; these hold nothing to close.


class AsyncPageIterator(Generic[T]):
    """The pages of a paginator, fetched one by one as the loop asks for them."""

    def __init__(self, paginator: AsyncPaginator[T]) -> None:
        self._paginator = paginator
        self._cursor: str | None = paginator._params.get("cursor")
        self._seen_cursors = {self._cursor}  # one short string per page fetched
        self._done = False

    def __aiter__(self) -> AsyncPageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._done:
            raise StopAsyncIteration
        page = await self._paginator._fetch(self._cursor)
        if not page.has_more or page.next_cursor is None:
            self._done = True
        elif page.next_cursor in self._seen_cursors:
            # A server bug (the same cursor again, or cursors in a cycle A, B, A...) would loop forever.
            self._done = True
            raise APIResponseValidationError(
                f"the API returned the same cursor twice while listing {self._paginator._path}: "
                "its pages would repeat forever"
            )
        else:
            self._cursor = page.next_cursor
            self._seen_cursors.add(page.next_cursor)
        return page


class AsyncItemIterator(Generic[T]):
    """The items of every page, one page in memory at a time."""

    def __init__(self, pages: AsyncPageIterator[T]) -> None:
        self._pages = pages
        self._items: list[T] = []
        self._index = 0

    def __aiter__(self) -> AsyncItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        while self._index >= len(self._items):
            page = await self._pages.__anext__()  # raises StopAsyncIteration after the last page
            self._items, self._index = page.items, 0
        item = self._items[self._index]
        self._index += 1
        return item
