"""Constants and helpers shared by the emulator tests."""

from __future__ import annotations

from typing import Any

import httpx

from hitl_emulator import DEFAULT_API_KEY

BASE_URL = "http://hitl.test"
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}

CONTENT_REVIEW_FIELDS: list[dict[str, Any]] = [
    {
        "name": "content",
        "type": "content_display",
        "label": "Content to review",
        "editable": True,
        "required": True,
    },
    {"name": "approved", "type": "boolean", "label": "Approve content", "required": True},
    {"name": "feedback", "type": "text", "label": "Feedback or comments", "required": False},
]

# One field of every type, as the reviewer's form and the result checks see them.
ALL_FIELDS: list[dict[str, Any]] = [
    {"name": "content", "type": "content_display", "label": "Content", "editable": False, "required": True},
    {"name": "approved", "type": "boolean", "label": "Approve?", "required": True},
    {"name": "feedback", "type": "text", "label": "Feedback"},
    {"name": "score", "type": "number", "label": "Score"},
    {
        "name": "verdict",
        "type": "single_select",
        "label": "Verdict",
        "options": ["approve", "reject"],
        "required": True,
    },
    {"name": "tags", "type": "multi_select", "label": "Tags", "options": ["tone", "facts", "legal"]},
    {"name": "quality", "type": "rating", "label": "Quality"},
]


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The `error` member of an error envelope, after checking the envelope's shape."""
    body = response.json()
    assert body["success"] is False
    assert set(body) == {"success", "error", "meta"}
    assert body["meta"]["request_id"].startswith("req_")
    error: dict[str, Any] = body["error"]
    return error


def data_of(response: httpx.Response, status: int = 200) -> Any:
    """The `data` member of a success envelope, after checking the status and the envelope's shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    assert body["meta"]["request_id"].startswith("req_")
    return body["data"]
