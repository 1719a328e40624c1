"""Tests for the teams operations: create, list members, add a member."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator._support import data_of, error_of


@pytest.mark.asyncio
async def test_create_team_and_members(client: httpx.AsyncClient) -> None:
    """A team starts empty; members keep the order they were added in; the role defaults to reviewer."""
    team = data_of(
        await client.post("/v1/teams", json={"name": "Trust & Safety", "description": "Flags"}), 201
    )
    assert team["id"].startswith("team_")
    assert (team["name"], team["description"]) == ("Trust & Safety", "Flags")
    assert data_of(await client.get(f"/v1/teams/{team['id']}/members")) == []
    lead = data_of(
        await client.post(
            f"/v1/teams/{team['id']}/members", json={"email": "lead@company.com", "role": "admin"}
        ),
        201,
    )
    reviewer = data_of(
        await client.post(f"/v1/teams/{team['id']}/members", json={"email": "reviewer@company.com"}), 201
    )
    assert (lead["role"], reviewer["role"]) == ("admin", "reviewer")
    assert set(reviewer) == {"email", "role", "added_at"}
    members = await client.get(f"/v1/teams/{team['id']}/members")
    assert [member["email"] for member in data_of(members)] == ["lead@company.com", "reviewer@company.com"]
    assert members.json()["meta"]["pagination"] == {"has_more": False, "next_cursor": None}


@pytest.mark.asyncio
async def test_adding_a_member_twice_conflicts(client: httpx.AsyncClient) -> None:
    """The same email (in any letter case) cannot join a team twice: 409 `conflict`."""
    team = data_of(await client.post("/v1/teams", json={"name": "T"}), 201)
    await client.post(f"/v1/teams/{team['id']}/members", json={"email": "a@company.com"})
    again = await client.post(
        f"/v1/teams/{team['id']}/members", json={"email": "A@company.com", "role": "viewer"}
    )
    assert (again.status_code, error_of(again)["code"]) == (409, "conflict")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/teams", {}, "name"),
        ("/v1/teams", {"name": ""}, "name"),
        ("/v1/teams", {"name": "T", "members": []}, "members"),
        ("members", {}, "email"),
        ("members", {"email": "nobody"}, "email"),
        ("members", {"email": "a@b.c", "role": "owner"}, "role"),
    ],
)
@pytest.mark.asyncio
async def test_validation(client: httpx.AsyncClient, path: str, body: dict[str, Any], field: str) -> None:
    """Bad team and member bodies are 400s naming the field."""
    if path == "members":
        team = data_of(await client.post("/v1/teams", json={"name": "T"}), 201)
        path = f"/v1/teams/{team['id']}/members"
    response = await client.post(path, json=body)
    assert (response.status_code, error_of(response)["details"]["field"]) == (400, field)


@pytest.mark.asyncio
async def test_unknown_team_is_team_not_found(client: httpx.AsyncClient) -> None:
    """Listing or adding members of an unknown team is 404 `team_not_found`."""
    for response in (
        await client.get("/v1/teams/team_nope/members"),
        await client.post("/v1/teams/team_nope/members", json={"email": "a@b.c"}),
    ):
        assert (response.status_code, error_of(response)["code"]) == (404, "team_not_found")
