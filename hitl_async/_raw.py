"""
`with_raw_response`: a resource method's twin that returns the `APIResponse` around its result.

Each wrapper calls the method itself with `RawResponseHeaders` as its `extra_headers`, which the pipeline
(`AsyncBaseClient._request`) answers with the `APIResponse`; so the twin takes the method's own arguments,
and its signature, docstring and checks are the method's. `hitl_sync/_raw.py` is the hand-written blocking
twin of this file (the signatures say `Coroutine`, which no token rename can take away); the unasync step
skips both.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar, cast

from hitl._types import APIResponse, Page
from hitl_async._client import RawResponseHeaders
from hitl_async._pagination import AsyncPaginator

__all__ = ["raw_page_response", "raw_response"]

P = ParamSpec("P")
T = TypeVar("T")


def raw_response(
    method: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, APIResponse[T]]]:
    """The twin of a method that returns a `T`: it returns the `APIResponse[T]`."""

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        kwargs["extra_headers"] = RawResponseHeaders.around(kwargs.get("extra_headers"))
        return cast("APIResponse[T]", await method(*args, **kwargs))

    return call


def raw_page_response(
    method: Callable[P, AsyncPaginator[T]],
) -> Callable[P, Coroutine[Any, Any, APIResponse[Page[T]]]]:
    """The twin of a list method: it fetches the first page, and returns the `APIResponse[Page[T]]`."""

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> APIResponse[Page[T]]:
        kwargs["extra_headers"] = RawResponseHeaders.around(kwargs.get("extra_headers"))
        return cast("APIResponse[Page[T]]", await method(*args, **kwargs).first_page())

    return call
