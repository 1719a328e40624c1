"""Tests for the reviews operations: create, get, list, update, cancel."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator._support import data_of, error_of
from tests.emulator.conftest import MakeReview, MakeTemplate

REVIEW_KEYS = {
    "id",
    "template_id",
    "content",
    "assignees",
    "priority",
    "due_date",
    "status",
    "result",
    "reviewer",
    "completed_at",
    "created_at",
    "updated_at",
}


@pytest.mark.asyncio
async def test_create_returns_201_and_the_reference_shape(
    client: httpx.AsyncClient, make_template: MakeTemplate
) -> None:
    """A review is created with the reference's fields and defaults filled in; it answers `created`."""
    template = await make_template()
    response = await client.post(
        "/v1/reviews",
        json={
            "template_id": template["id"],
            "content": {
                "text": "AI-generated content to review",
                "metadata": {"source": "gpt-4", "confidence": 0.95},
            },
            "assignees": ["reviewer@company.com"],
            "priority": "medium",
            "due_date": "2024-01-20T19:00:00+01:00",
        },
    )
    review = data_of(response, 201)
    assert set(review) == REVIEW_KEYS
    assert review["id"].startswith("rev_")
    assert review["template_id"] == template["id"]
    assert review["content"]["metadata"] == {"source": "gpt-4", "confidence": 0.95}
    assert review["status"] == "created"
    assert review["due_date"] == "2024-01-20T18:00:00Z"
    assert review["result"] is None and review["reviewer"] is None and review["completed_at"] is None
    assert review["created_at"].endswith("Z")
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert response.headers[header].isdigit()


@pytest.mark.asyncio
async def test_create_without_assignees_stays_created_with_default_priority(make_review: MakeReview) -> None:
    """No assignees: status `created`; priority defaults to `medium`; no due date."""
    review = await make_review()
    assert (review["status"], review["priority"], review["assignees"], review["due_date"]) == (
        "created",
        "medium",
        [],
        None,
    )


@pytest.mark.asyncio
async def test_create_for_a_missing_template_is_template_not_found(client: httpx.AsyncClient) -> None:
    """A review of a template that does not exist gets 404 `template_not_found`."""
    response = await client.post("/v1/reviews", json={"template_id": "tpl_missing", "content": {"text": "x"}})
    assert response.status_code == 404
    assert error_of(response)["code"] == "template_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": {"text": "x"}}, "template_id"),
        ({"template_id": "t"}, "content"),
        ({"template_id": "t", "content": {}}, "content.text"),
        ({"template_id": "t", "content": {"text": 5}}, "content.text"),
        ({"template_id": "t", "content": {"text": "x", "metadata": []}}, "content.metadata"),
        ({"template_id": "t", "content": {"text": "x"}, "priority": "asap"}, "priority"),
        ({"template_id": "t", "content": {"text": "x"}, "assignees": "a@b.c"}, "assignees"),
        ({"template_id": "t", "content": {"text": "x"}, "assignees": ["not-an-email"]}, "assignees[0]"),
        ({"template_id": "t", "content": {"text": "x"}, "due_date": "tomorrow"}, "due_date"),
        ({"template_id": "t", "content": {"text": "x"}, "due_date": "2024-01-20T18:00:00"}, "due_date"),
        ({"template_id": "t", "content": {"text": "x"}, "due_date": "2024-13-20T18:00:00Z"}, "due_date"),
        ({"template_id": "t", "content": {"text": "x"}, "due_date": "0001-01-01T00:00:00+01:00"}, "due_date"),
        ({"template_id": "t", "content": {"text": "x"}, "due_date": None}, "due_date"),
        ({"template_id": "t", "content": {"text": "x"}, "colour": "red"}, "colour"),
    ],
)
@pytest.mark.asyncio
async def test_create_validation_names_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    """Every schema violation is a 400 `validation_error` whose details name the field and the issue."""
    response = await client.post("/v1/reviews", json=body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["details"]["field"] == field
    assert error["details"]["issue"]


@pytest.mark.asyncio
async def test_get_returns_the_review_and_404_for_unknown_ids(
    client: httpx.AsyncClient, make_review: MakeReview
) -> None:
    """`GET /v1/reviews/{id}` returns what create returned; an unknown id is `review_not_found`."""
    review = await make_review()
    assert data_of(await client.get(f"/v1/reviews/{review['id']}")) == review
    missing = await client.get("/v1/reviews/rev_nope")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "review_not_found"


@pytest.mark.asyncio
async def test_update_changes_fields_and_reassigns(
    client: httpx.AsyncClient, make_review: MakeReview
) -> None:
    """PATCH changes only what it names; adding assignees assigns; `due_date: null` clears it."""
    review = await make_review(due_date="2024-01-20T18:00:00Z")
    updated = data_of(
        await client.patch(
            f"/v1/reviews/{review['id']}",
            json={"assignees": ["lead@company.com"], "priority": "urgent", "due_date": None},
        )
    )
    assert updated["assignees"] == ["lead@company.com"]
    assert (updated["priority"], updated["status"], updated["due_date"]) == ("urgent", "assigned", None)
    assert updated["content"] == review["content"]
    unassigned = data_of(await client.patch(f"/v1/reviews/{review['id']}", json={"assignees": []}))
    assert unassigned["status"] == "created"
    recontent = data_of(await client.patch(f"/v1/reviews/{review['id']}", json={"content": {"text": "v2"}}))
    assert recontent["content"] == {"text": "v2"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"priority": "now"}, "priority"),
        ({"status": "completed"}, "status"),
        ({"due_date": 5}, "due_date"),
    ],
)
@pytest.mark.asyncio
async def test_update_validation(
    client: httpx.AsyncClient, make_review: MakeReview, body: dict[str, object], field: str
) -> None:
    """An empty PATCH, a bad value or a read-only field is a 400 naming the field."""
    review = await make_review()
    response = await client.patch(f"/v1/reviews/{review['id']}", json=body)
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == field


@pytest.mark.asyncio
async def test_update_unknown_review_is_404(client: httpx.AsyncClient) -> None:
    """PATCH of an unknown review is `review_not_found`."""
    response = await client.patch("/v1/reviews/rev_nope", json={"priority": "low"})
    assert (response.status_code, error_of(response)["code"]) == (404, "review_not_found")


@pytest.mark.asyncio
async def test_cancel_returns_the_cancelled_review_then_conflicts(
    client: httpx.AsyncClient, make_review: MakeReview
) -> None:
    """DELETE cancels and returns the review; cancelling or changing it again is 409 `conflict`."""
    review = await make_review()
    cancelled = data_of(await client.delete(f"/v1/reviews/{review['id']}"))
    assert (cancelled["id"], cancelled["status"]) == (review["id"], "cancelled")
    again = await client.delete(f"/v1/reviews/{review['id']}")
    assert again.status_code == 409
    assert error_of(again) | {"message": ""} == {
        "code": "conflict",
        "message": "",
        "details": {"status": "cancelled"},
    }
    change = await client.patch(f"/v1/reviews/{review['id']}", json={"priority": "low"})
    assert (change.status_code, error_of(change)["code"]) == (409, "conflict")
    missing = await client.delete("/v1/reviews/rev_nope")
    assert (missing.status_code, error_of(missing)["code"]) == (404, "review_not_found")


@pytest.mark.asyncio
async def test_cancelling_a_completed_review_conflicts(
    client: httpx.AsyncClient, make_review: MakeReview
) -> None:
    """A completed review can no longer be cancelled."""
    review = await make_review()
    completed = await client.post(
        f"/_emulator/reviews/{review['id']}/complete", json={"result": {"content": "ok", "approved": True}}
    )
    assert data_of(completed)["status"] == "completed"
    response = await client.delete(f"/v1/reviews/{review['id']}")
    assert response.status_code == 409
    assert error_of(response)["details"] == {"status": "completed"}
