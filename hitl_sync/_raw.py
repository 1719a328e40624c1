"""
`with_raw_response`: a resource method's twin that returns the `APIResponse` around its result.

Each wrapper calls the method itself with `RawResponseHeaders` as its `extra_headers`, which the pipeline
(`BaseClient._request`) answers with the `APIResponse`; so the twin takes the method's own arguments, and
its signature, docstring and checks are the method's. Hand-written blocking twin of `hitl_async/_raw.py`
with the same names; the unasync step skips both files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

from hitl._types import APIResponse, Page
from hitl_sync._client import RawResponseHeaders
from hitl_sync._pagination import Paginator

__all__ = ["raw_page_response", "raw_response"]

P = ParamSpec("P")
T = TypeVar("T")


def raw_response(method: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    """The twin of a method that returns a `T`: it returns the `APIResponse[T]`."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        kwargs["extra_headers"] = RawResponseHeaders.around(kwargs.get("extra_headers"))
        return cast("APIResponse[T]", method(*args, **kwargs))

    return call


def raw_page_response(method: Callable[P, Paginator[T]]) -> Callable[P, APIResponse[Page[T]]]:
    """The twin of a list method: it fetches the first page, and returns the `APIResponse[Page[T]]`."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> APIResponse[Page[T]]:
        kwargs["extra_headers"] = RawResponseHeaders.around(kwargs.get("extra_headers"))
        return cast("APIResponse[Page[T]]", method(*args, **kwargs).first_page())

    return call
