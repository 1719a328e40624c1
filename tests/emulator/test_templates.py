"""Tests for the templates operations: create, get, list, update, delete."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hitl_emulator import Emulator
from tests.emulator._support import CONTENT_REVIEW_FIELDS, data_of, error_of
from tests.emulator.conftest import MakeReview, MakeTemplate


@pytest.mark.asyncio
async def test_create_fills_field_defaults(client: httpx.AsyncClient) -> None:
    """A created template echoes its fields with `editable`, `required` and `options` filled in."""
    response = await client.post(
        "/v1/templates",
        json={"name": "Content Review", "description": "Review AI content", "fields": CONTENT_REVIEW_FIELDS},
    )
    template = data_of(response, 201)
    assert template["id"].startswith("tpl_")
    assert (template["name"], template["description"]) == ("Content Review", "Review AI content")
    assert template["fields"][1] == {
        "name": "approved",
        "type": "boolean",
        "label": "Approve content",
        "editable": False,
        "required": True,
        "options": None,
    }
    assert template["created_at"] == template["updated_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fields": CONTENT_REVIEW_FIELDS}, "name"),
        ({"name": "", "fields": CONTENT_REVIEW_FIELDS}, "name"),
        ({"name": "T"}, "fields"),
        ({"name": "T", "fields": []}, "fields"),
        ({"name": "T", "fields": [{"type": "text", "label": "x"}]}, "fields[0].name"),
        ({"name": "T", "fields": [{"name": "Bad Name", "type": "text", "label": "x"}]}, "fields[0].name"),
        ({"name": "T", "fields": [{"name": "a", "type": "slider", "label": "x"}]}, "fields[0].type"),
        ({"name": "T", "fields": [{"name": "a", "type": "text"}]}, "fields[0].label"),
        (
            {"name": "T", "fields": [{"name": "a", "type": "text", "label": "x", "required": "yes"}]},
            "fields[0].required",
        ),
        (
            {"name": "T", "fields": [{"name": "a", "type": "single_select", "label": "x"}]},
            "fields[0].options",
        ),
        (
            {"name": "T", "fields": [{"name": "a", "type": "multi_select", "label": "x", "options": [1]}]},
            "fields[0].options[0]",
        ),
        (
            {
                "name": "T",
                "fields": [
                    {"name": "a", "type": "text", "label": "x"},
                    {"name": "a", "type": "text", "label": "y"},
                ],
            },
            "fields[1].name",
        ),
        ({"name": "T", "fields": CONTENT_REVIEW_FIELDS, "owner": "me"}, "owner"),
        ({"name": "T", "fields": CONTENT_REVIEW_FIELDS, "description": 3}, "description"),
    ],
)
@pytest.mark.asyncio
async def test_create_validation(client: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    """Every schema or form-consistency violation is a 400 naming the field."""
    response = await client.post("/v1/templates", json=body)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["details"]["field"]) == ("validation_error", field)


@pytest.mark.asyncio
async def test_get_update_delete(
    client: httpx.AsyncClient, make_template: MakeTemplate, hitl_emulator: Emulator
) -> None:
    """Get returns it; update renames, replaces fields and raises `template.updated`; delete confirms."""
    template = await make_template()
    assert data_of(await client.get(f"/v1/templates/{template['id']}")) == template
    new_fields = [{"name": "approved", "type": "boolean", "label": "Approve", "required": True}]
    updated = data_of(
        await client.patch(
            f"/v1/templates/{template['id']}", json={"name": "v2", "description": None, "fields": new_fields}
        )
    )
    assert (updated["name"], updated["description"], [f["name"] for f in updated["fields"]]) == (
        "v2",
        None,
        ["approved"],
    )
    assert [event["event"] for event in hitl_emulator.events()] == ["template.updated"]
    deleted = data_of(await client.delete(f"/v1/templates/{template['id']}"))
    assert deleted == {"id": template["id"], "deleted": True}
    for response in (
        await client.get(f"/v1/templates/{template['id']}"),
        await client.patch(f"/v1/templates/{template['id']}", json={"name": "v3"}),
        await client.delete(f"/v1/templates/{template['id']}"),
    ):
        assert (response.status_code, error_of(response)["code"]) == (404, "template_not_found")


@pytest.mark.parametrize(
    ("body", "field"), [({}, "body"), ({"name": ""}, "name"), ({"fields": []}, "fields")]
)
@pytest.mark.asyncio
async def test_update_validation(
    client: httpx.AsyncClient, make_template: MakeTemplate, body: dict[str, Any], field: str
) -> None:
    """An empty PATCH or a bad member is a 400 naming the field."""
    template = await make_template()
    response = await client.patch(f"/v1/templates/{template['id']}", json=body)
    assert (response.status_code, error_of(response)["details"]["field"]) == (400, field)


@pytest.mark.asyncio
async def test_reviews_keep_their_form_when_the_template_changes(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview
) -> None:
    """A review is answered against the fields its template had when it was created, even after deletion."""
    template = await make_template()
    review = await make_review(template["id"])
    await client.delete(f"/v1/templates/{template['id']}")
    completed = await client.post(
        f"/_emulator/reviews/{review['id']}/complete", json={"result": {"content": "ok", "approved": False}}
    )
    assert data_of(completed)["result"] == {"content": "ok", "approved": False}
