"""Builders for API responses, shared by the async and the sync test suites."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

API_KEY = "hitl_test_key_do_not_log"
META = {"request_id": "req_test", "timestamp": "2024-01-15T10:30:00Z"}
RATE_HEADERS = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "999", "X-RateLimit-Reset": "1642233600"}

REVIEW = {
    "id": "rev_123",
    "template_id": "template_123",
    "content": {"text": "AI-generated content to review", "metadata": {"source": "gpt-4", "confidence": 0.95}},
    "assignees": ["reviewer@company.com"],
    "priority": "medium",
    "due_date": "2024-01-20T18:00:00Z",
    "status": "created",
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:00Z",
}


def ok(data: Any, status: int = 200, *, pagination: Mapping[str, Any] | None = None, **headers: str) -> httpx.Response:
    meta = {**META, "pagination": dict(pagination)} if pagination is not None else META
    return httpx.Response(status, json={"success": True, "data": data, "meta": meta}, headers={**RATE_HEADERS, **headers})


def error(status: int, code: str, message: str = "failed", details: Any = None, **headers: str) -> httpx.Response:
    body = {"success": False, "error": {"code": code, "message": message, "details": details}, "meta": META}
    return httpx.Response(status, json=body, headers={**RATE_HEADERS, **headers})


def sequence(*responses: httpx.Response | Exception) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    """A MockTransport handler answering with `responses` in turn (raising the exceptions), and its request log."""
    seen: list[httpx.Request] = []
    remaining = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen
