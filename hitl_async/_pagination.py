"""Cursor pagination: iterate every item of a list across pages, holding one page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Generic, TypeVar

from hitl._exceptions import APIResponseValidationError
from hitl._types import NotGiven, Page, TimeoutTypes
from hitl_async._client import AsyncBaseClient

__all__ = ["AsyncPaginator"]

T = TypeVar("T")


class AsyncPaginator(Generic[T]):
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

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Fetch pages one after another until the last."""
        cursor = self._params.get("cursor")
        while True:
            page = await self._fetch(cursor)
            yield page
            if not page.has_more or page.next_cursor is None:
                return
            if page.next_cursor == cursor:
                # A server bug would otherwise make this loop forever.
                raise APIResponseValidationError(f"the API returned the same cursor twice while listing {self._path}")
            cursor = page.next_cursor

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

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
