"""Tests for `Idempotency-Key`: replay of the first answer, conflicts, scoping and key checks."""

from __future__ import annotations

import json

import httpx
import pytest

from hitl_emulator import Emulator, EmulatorConfig
from tests.emulator._support import CONTENT_REVIEW_FIELDS, error_of

TEMPLATE = {"name": "Content Review", "fields": CONTENT_REVIEW_FIELDS}


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    """Two read-write keys, to show that idempotency keys are scoped to the API key."""
    return EmulatorConfig(api_keys=("hitl_dev_key", "other_key"))


@pytest.mark.asyncio
async def test_same_key_same_body_replays_the_first_answer(
    client: httpx.AsyncClient, hitl_emulator: Emulator
) -> None:
    """The replay has the first answer's status and exact bytes, and nothing new is created."""
    template_id = (await client.post("/v1/templates", json=TEMPLATE)).json()["data"]["id"]
    body = {"template_id": template_id, "content": {"text": "x", "metadata": {"a": 1, "b": 2}}}
    first = await client.post("/v1/reviews", json=body, headers={"Idempotency-Key": "key-1"})
    # The same JSON value written differently (key order, whitespace) is the same request.
    rewritten = json.dumps(
        {"content": {"metadata": {"b": 2, "a": 1}, "text": "x"}, "template_id": template_id}, indent=2
    )
    second = await client.post(
        "/v1/reviews",
        content=rewritten,
        headers={"Idempotency-Key": "key-1", "Content-Type": "application/json"},
    )
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(hitl_emulator.reviews()) == 1
    assert [event["event"] for event in hitl_emulator.events()] == ["review.created"]


@pytest.mark.asyncio
async def test_same_key_other_body_or_path_is_idempotency_conflict(client: httpx.AsyncClient) -> None:
    """Reusing a key for a different body, or on another operation, is 409 `idempotency_conflict`."""
    await client.post("/v1/teams", json={"name": "A"}, headers={"Idempotency-Key": "key-2"})
    for path, body in (("/v1/teams", {"name": "B"}), ("/v1/templates", TEMPLATE)):
        response = await client.post(path, json=body, headers={"Idempotency-Key": "key-2"})
        assert response.status_code == 409
        error = error_of(response)
        assert (error["code"], error["details"]["field"]) == ("idempotency_conflict", "Idempotency-Key")


@pytest.mark.asyncio
async def test_keys_are_scoped_to_the_api_key(client: httpx.AsyncClient, hitl_emulator: Emulator) -> None:
    """Another API key using the same Idempotency-Key makes its own team."""
    first = await client.post("/v1/teams", json={"name": "A"}, headers={"Idempotency-Key": "shared"})
    second = await client.post(
        "/v1/teams",
        json={"name": "A"},
        headers={"Idempotency-Key": "shared", "Authorization": "Bearer other_key"},
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["data"]["id"] != second.json()["data"]["id"]
    assert len(hitl_emulator.store.teams) == 2


@pytest.mark.asyncio
async def test_errors_are_not_remembered(client: httpx.AsyncClient) -> None:
    """A rejected request leaves its key unused, so a corrected retry with the same key goes through."""
    rejected = await client.post("/v1/teams", json={}, headers={"Idempotency-Key": "key-3"})
    assert rejected.status_code == 400
    accepted = await client.post("/v1/teams", json={"name": "Fixed"}, headers={"Idempotency-Key": "key-3"})
    assert accepted.status_code == 201


@pytest.mark.parametrize("key", ["", "k" * 256])
@pytest.mark.asyncio
async def test_bad_keys_are_validation_errors(client: httpx.AsyncClient, key: str) -> None:
    """Empty or over-long (more than 255 characters) keys are 400s naming the header."""
    response = await client.post("/v1/teams", json={"name": "A"}, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == "Idempotency-Key"


@pytest.mark.asyncio
async def test_every_post_honours_the_key(client: httpx.AsyncClient) -> None:
    """Templates, webhooks, teams and members replay too."""
    team_id = (await client.post("/v1/teams", json={"name": "T"})).json()["data"]["id"]
    posts = [
        ("/v1/templates", TEMPLATE),
        ("/v1/webhooks", {"url": "https://example.com/h", "events": ["review.created"]}),
        ("/v1/teams", {"name": "U"}),
        (f"/v1/teams/{team_id}/members", {"email": "a@company.com"}),
    ]
    for index, (path, body) in enumerate(posts):
        headers = {"Idempotency-Key": f"every-{index}"}
        first, second = [await client.post(path, json=body, headers=headers) for _ in range(2)]
        assert (
            (first.status_code, first.content) == (second.status_code, second.content) == (201, first.content)
        )


@pytest.mark.asyncio
async def test_retried_cancel_and_delete_replay_instead_of_failing(
    client: httpx.AsyncClient, hitl_emulator: Emulator
) -> None:
    """A cancel or delete retried with its key replays its success; without the key it would be 409 or 404."""
    template = (await client.post("/v1/templates", json=TEMPLATE)).json()["data"]
    review = (
        await client.post("/v1/reviews", json={"template_id": template["id"], "content": {"text": "x"}})
    ).json()["data"]
    for path in (f"/v1/reviews/{review['id']}", f"/v1/templates/{template['id']}"):
        first = await client.delete(path, headers={"Idempotency-Key": f"delete {path}"})
        retried = await client.delete(path, headers={"Idempotency-Key": f"delete {path}"})
        fresh = await client.delete(path)
        assert first.status_code == retried.status_code == 200
        assert first.content == retried.content
        assert fresh.status_code in (404, 409)
    assert [event["event"] for event in hitl_emulator.events()] == ["review.created", "review.cancelled"]


@pytest.mark.asyncio
async def test_patch_honours_the_key(client: httpx.AsyncClient, hitl_emulator: Emulator) -> None:
    """A PATCH replays with its key (one `template.updated`); the key cannot serve another PATCH."""
    template = (await client.post("/v1/templates", json=TEMPLATE)).json()["data"]
    path = f"/v1/templates/{template['id']}"
    first, second = [
        await client.patch(path, json={"name": "v2"}, headers={"Idempotency-Key": "patch"}) for _ in range(2)
    ]
    assert (first.status_code, first.content) == (second.status_code, second.content)
    other = await client.patch(path, json={"name": "v3"}, headers={"Idempotency-Key": "patch"})
    assert (other.status_code, error_of(other)["code"]) == (409, "idempotency_conflict")
    assert [event["event"] for event in hitl_emulator.events()] == ["template.updated"]
