"""Tests for cursor pagination and the reviews list filters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator._support import data_of, error_of
from tests.emulator.conftest import MakeReview, MakeTemplate


async def _walk(client: httpx.AsyncClient, path: str, params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        response = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        pages.append(data_of(response))
        pagination = response.json()["meta"]["pagination"]
        assert pagination["has_more"] is (pagination["next_cursor"] is not None)
        if not pagination["has_more"]:
            return pages
        cursor = pagination["next_cursor"]


@pytest.mark.asyncio
async def test_three_pages_with_filters_oldest_first(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview
) -> None:
    """Filters combine; pages of `limit` items come oldest first and end with `next_cursor: null`."""
    first, second = (await make_template())["id"], (await make_template())["id"]
    wanted = []
    for index in range(11):
        template_id = first if index % 3 else second
        priority = "high" if index != 4 else "low"
        review = await make_review(template_id, priority=priority, assignees=["ann@company.com"])
        if template_id == first and priority == "high":
            wanted.append(review["id"])
    await client.delete(f"/v1/reviews/{wanted.pop()}")  # filtered out by status
    await make_review(first, priority="high", assignees=["bob@company.com"])
    params = {
        "template_id": first,
        "priority": "high",
        "assignee": "ann@company.com",
        "status": "assigned",
        "limit": 2,
    }
    pages = await _walk(client, "/v1/reviews", params)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [review["id"] for page in pages for review in page] == wanted


@pytest.mark.asyncio
async def test_default_limit_is_20_and_cursors_survive_deletion(
    client: httpx.AsyncClient, make_template: MakeTemplate
) -> None:
    """Without `limit` a page holds 20; deleting the item a cursor points after does not break the walk."""
    ids = [(await make_template(name=f"t{index}"))["id"] for index in range(23)]
    response = await client.get("/v1/templates")
    assert [template["id"] for template in data_of(response)] == ids[:20]
    cursor = response.json()["meta"]["pagination"]["next_cursor"]
    await client.delete(f"/v1/templates/{ids[19]}")
    rest = data_of(await client.get("/v1/templates", params={"cursor": cursor}))
    assert [template["id"] for template in rest] == ids[20:]
    everything = await _walk(client, "/v1/templates", {"limit": 100})
    assert len(everything) == 1 and len(everything[0]) == 22


@pytest.mark.asyncio
async def test_webhooks_and_members_paginate(client: httpx.AsyncClient) -> None:
    """The webhooks list and the members list use the same cursors."""
    for index in range(3):
        await client.post(
            "/v1/webhooks", json={"url": f"https://example.com/{index}", "events": ["review.created"]}
        )
    assert [len(page) for page in await _walk(client, "/v1/webhooks", {"limit": 2})] == [2, 1]
    team_id = data_of(await client.post("/v1/teams", json={"name": "T"}), 201)["id"]
    for index in range(5):
        await client.post(f"/v1/teams/{team_id}/members", json={"email": f"m{index}@company.com"})
    pages = await _walk(client, f"/v1/teams/{team_id}/members", {"limit": 2})
    assert [member["email"] for page in pages for member in page] == [
        f"m{index}@company.com" for index in range(5)
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "cur_!!!"}, "cursor"),
        ({"cursor": "cur_eyJhZnRlciI6InJldl8xMjMifQ"}, "cursor"),
        ({"status": "done"}, "status"),
        ({"priority": "asap"}, "priority"),
        ({"assignee": "nobody"}, "assignee"),
    ],
)
@pytest.mark.asyncio
async def test_bad_query_parameters(client: httpx.AsyncClient, params: dict[str, str], field: str) -> None:
    """Out-of-range limits, foreign cursors and bad filter values are 400s naming the parameter."""
    response = await client.get("/v1/reviews", params=params)
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == field
