"""Builders for API responses, shared by the async and the sync test suites."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any

import httpx

API_KEY = "hitl_test_key_do_not_log"
META = {"request_id": "req_test", "timestamp": "2024-01-15T10:30:00Z"}
RATE_HEADERS = {
    "X-RateLimit-Limit": "1000",
    "X-RateLimit-Remaining": "999",
    "X-RateLimit-Reset": "1642233600",
}

REVIEW = {
    "id": "rev_123",
    "template_id": "template_123",
    "content": {
        "text": "AI-generated content to review",
        "metadata": {"source": "gpt-4", "confidence": 0.95},
    },
    "assignees": ["reviewer@company.com"],
    "priority": "medium",
    "due_date": "2024-01-20T18:00:00Z",
    "status": "created",
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:00Z",
}

Handler = Callable[[httpx.Request], httpx.Response]


def review(review_id: str = "rev_123", status: str = "created", **fields: Any) -> dict[str, Any]:
    """`REVIEW` with another id, status or fields."""
    return {**REVIEW, "id": review_id, "status": status, **fields}


def ok(
    data: Any, status: int = 200, *, pagination: Mapping[str, Any] | None = None, **headers: str
) -> httpx.Response:
    meta = {**META, "pagination": dict(pagination)} if pagination is not None else META
    return httpx.Response(
        status, json={"success": True, "data": data, "meta": meta}, headers={**RATE_HEADERS, **headers}
    )


def page(items: list[Any], next_cursor: str | None = None) -> httpx.Response:
    """One page of a list response; `next_cursor` set means another page follows."""
    return ok(items, pagination={"has_more": next_cursor is not None, "next_cursor": next_cursor})


def error(
    status: int, code: str, message: str = "failed", details: Any = None, **headers: str
) -> httpx.Response:
    body = {"success": False, "error": {"code": code, "message": message, "details": details}, "meta": META}
    return httpx.Response(status, json=body, headers={**RATE_HEADERS, **headers})


def raw(status: int, content: bytes = b"", content_type: str | None = None, **headers: str) -> httpx.Response:
    """A response with any body, e.g. the HTML page of a proxy, or nothing at all."""
    if content_type is not None:
        headers["Content-Type"] = content_type
    return httpx.Response(status, content=content, headers=headers)


def sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """
    A MockTransport handler answering with `responses` in turn (raising the exceptions), then repeating the
    last one, and the list of requests it saw.
    """
    seen: list[httpx.Request] = []
    remaining = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(item, Exception):
            raise item
        # A fresh copy each time, so that the last response can be answered again.
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    return handler, seen


def body(request: httpx.Request) -> Any:
    """The JSON body a request carried."""
    return json.loads(request.content)


class StreamedBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """
    A response body that arrives chunk by chunk, as over a network; `pulled` counts the bytes read. Once
    closed, the next read fails, as on a closed connection.
    """

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self._closed = False
        self.pulled = 0

    def _next_chunks(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            if self._closed:
                raise httpx.ReadError("connection closed")
            self.pulled += len(chunk)
            yield chunk

    def __iter__(self) -> Iterator[bytes]:
        yield from self._next_chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._next_chunks():
            yield chunk

    def close(self) -> None:
        self._closed = True

    async def aclose(self) -> None:
        self._closed = True


def endless(chunk: bytes = b"x" * 65536, total: int = 300 * 1024 * 1024) -> Iterator[bytes]:
    """`total` bytes (300 MB by default) in chunks, made as they are read: nothing is held in advance."""
    for _ in range(total // len(chunk)):
        yield chunk
