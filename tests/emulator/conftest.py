"""Fixtures for the emulator's own tests: an in-process emulator and a raw httpx client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio

from hitl_emulator import Emulator

# The user-facing fixtures, used here exactly as a user's conftest would get them.
from hitl_emulator.pytest_plugin import (  # noqa: F401
    hitl_emulator,
    hitl_emulator_config,
    hitl_emulator_server,
    hitl_emulator_session_server,
    hitl_emulator_url,
)
from tests.emulator._support import AUTH, BASE_URL, CONTENT_REVIEW_FIELDS


@pytest_asyncio.fixture
async def client(hitl_emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    """A raw httpx client talking to the in-process emulator, authenticated with the development key."""
    transport = httpx.ASGITransport(app=hitl_emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=AUTH) as http:
        yield http


MakeTemplate = Callable[..., Awaitable[dict[str, Any]]]
MakeReview = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_template(client: httpx.AsyncClient) -> MakeTemplate:
    """Create a template (the reference's Content Review form unless `fields` is given) and return it."""

    async def make(
        fields: list[dict[str, Any]] | None = None, name: str = "Content Review"
    ) -> dict[str, Any]:
        response = await client.post(
            "/v1/templates", json={"name": name, "fields": fields or CONTENT_REVIEW_FIELDS}
        )
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    return make


@pytest.fixture
def make_review(client: httpx.AsyncClient, make_template: MakeTemplate) -> MakeReview:
    """Create a review (on a fresh template unless `template_id` is given) and return it."""

    async def make(template_id: str | None = None, **body: Any) -> dict[str, Any]:
        if template_id is None:
            template_id = (await make_template())["id"]
        payload = {"template_id": template_id, "content": {"text": "AI-generated content to review"}, **body}
        response = await client.post("/v1/reviews", json=payload)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    return make
