"""Realistic API payloads, serialised once, shared by the benchmarks that need no server."""

from __future__ import annotations

import json
from typing import Any

import hitl

API_KEY = "hitl_bench_key"
BASE_URL = "https://api.hitl.test"
TEMPLATE_ID = "tpl_bench"
CONTENT = {"text": "AI-generated answer to check", "metadata": {"source": "gpt-4", "confidence": 0.95}}
JSON_HEADERS = {
    "content-type": "application/json",
    "x-ratelimit-limit": "1000",
    "x-ratelimit-remaining": "999",
    "x-ratelimit-reset": "1705314600",
}


def request_headers(api_key: str = API_KEY) -> dict[str, str]:
    """The headers hitl sends with every request, for the raw side to send too."""
    return {
        "Accept": "application/json",
        "User-Agent": f"hitl-python/{hitl.__version__}",
        "Authorization": f"Bearer {api_key}",
    }


_STATUSES = ("created", "assigned", "in_progress", "completed", "cancelled")
_PRIORITIES = ("low", "medium", "high", "urgent")


def review(index: int) -> dict[str, Any]:
    """The `Review` schema as the API sends it: nested content, enums, datetimes, a result once completed."""
    status = _STATUSES[index % len(_STATUSES)]
    completed = status == "completed"
    return {
        "id": f"rev_{index:08d}",
        "template_id": TEMPLATE_ID,
        "content": {
            "text": f"AI-generated answer number {index} that a human should check before it is sent.",
            "metadata": {"source": "gpt-4", "confidence": 0.95, "ticket": index},
        },
        "assignees": ["reviewer@company.com"] if status != "created" else [],
        "priority": _PRIORITIES[index % len(_PRIORITIES)],
        "due_date": "2024-01-20T18:00:00Z",
        "status": status,
        "result": {"approved": True, "comment": "Looks right."} if completed else None,
        "reviewer": "reviewer@company.com" if completed or status == "in_progress" else None,
        "completed_at": "2024-01-16T09:12:30Z" if completed else None,
        "created_at": "2024-01-15T10:30:00Z",
        "updated_at": "2024-01-15T10:31:02Z",
    }


def envelope(data: Any, *, has_more: bool | None = None) -> bytes:
    """The success envelope, serialised; `has_more` adds `meta.pagination` as a list response carries it."""
    meta: dict[str, Any] = {"request_id": "req_bench", "timestamp": "2024-01-15T10:30:00Z"}
    if has_more is not None:
        meta["pagination"] = {"has_more": has_more, "next_cursor": "cur_next" if has_more else None}
    return json.dumps({"success": True, "data": data, "meta": meta}).encode()


def page(size: int) -> bytes:
    """A list response of `size` reviews with more to come."""
    return envelope([review(index) for index in range(size)], has_more=True)
