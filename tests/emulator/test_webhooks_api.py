"""Tests for the webhooks operations: create (secret once), list, update, delete."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator._support import data_of, error_of

HOOK = {"url": "https://example.com/hooks/hitl", "events": ["review.completed", "review.cancelled"]}


@pytest.mark.asyncio
async def test_create_returns_the_secret_once(client: httpx.AsyncClient) -> None:
    """The create answer carries `secret`; list and update never show it again."""
    created = data_of(await client.post("/v1/webhooks", json={**HOOK, "description": "Production"}), 201)
    assert created["id"].startswith("wh_")
    assert created["secret"].startswith("whsec_")
    assert (created["active"], created["description"], created["events"]) == (
        True,
        "Production",
        HOOK["events"],
    )
    listed = data_of(await client.get("/v1/webhooks"))
    assert [hook["id"] for hook in listed] == [created["id"]]
    assert "secret" not in listed[0]
    updated = data_of(
        await client.patch(f"/v1/webhooks/{created['id']}", json={"active": False, "description": None})
    )
    assert "secret" not in updated
    assert (updated["active"], updated["description"], updated["url"]) == (False, None, HOOK["url"])
    assert {
        key: value
        for key, value in created.items()
        if key not in ("secret", "updated_at", "active", "description")
    } == {key: value for key, value in updated.items() if key not in ("updated_at", "active", "description")}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["review.completed"]}, "url"),
        ({"url": "ftp://example.com/x", "events": ["review.completed"]}, "url"),
        ({"url": "/relative", "events": ["review.completed"]}, "url"),
        ({"url": "http://[::1", "events": ["review.completed"]}, "url"),
        ({"url": "https://example.com"}, "events"),
        ({"url": "https://example.com", "events": []}, "events"),
        ({"url": "https://example.com", "events": ["review.deleted"]}, "events[0]"),
        ({"url": "https://example.com", "events": ["review.created", "review.created"]}, "events"),
        ({"url": "https://example.com", "events": ["review.created"], "active": "yes"}, "active"),
        ({"url": "https://example.com", "events": ["review.created"], "secret": "mine"}, "secret"),
    ],
)
@pytest.mark.asyncio
async def test_create_validation(client: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    """Bad URLs, events and unknown members are 400s naming the field."""
    response = await client.post("/v1/webhooks", json=body)
    assert (response.status_code, error_of(response)["details"]["field"]) == (400, field)


@pytest.mark.asyncio
async def test_update_and_delete(client: httpx.AsyncClient) -> None:
    """Update replaces events and URL; delete confirms; unknown ids are `webhook_not_found`."""
    created = data_of(await client.post("/v1/webhooks", json=HOOK), 201)
    updated = data_of(
        await client.patch(
            f"/v1/webhooks/{created['id']}",
            json={"url": "http://127.0.0.1:9/x", "events": ["template.updated"]},
        )
    )
    assert (updated["url"], updated["events"]) == ("http://127.0.0.1:9/x", ["template.updated"])
    empty = await client.patch(f"/v1/webhooks/{created['id']}", json={})
    assert (empty.status_code, error_of(empty)["details"]["field"]) == (400, "body")
    assert data_of(await client.delete(f"/v1/webhooks/{created['id']}")) == {
        "id": created["id"],
        "deleted": True,
    }
    assert data_of(await client.get("/v1/webhooks")) == []
    for response in (
        await client.patch(f"/v1/webhooks/{created['id']}", json={"active": True}),
        await client.delete(f"/v1/webhooks/{created['id']}"),
    ):
        assert (response.status_code, error_of(response)["code"]) == (404, "webhook_not_found")
