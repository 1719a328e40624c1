"""Create, get and list round-trip through the generated methods over httpx.MockTransport."""

import json

import httpx
import pytest

from hitl_async import AsyncHITL, Page, Review, ReviewStatus
from tests.helpers import API_KEY, REVIEW, ok

pytestmark = pytest.mark.anyio


def handler(request: httpx.Request) -> httpx.Response:
    if request.method == "POST":
        return ok({**REVIEW, **json.loads(request.content)}, 201)
    if request.url.path == "/v1/reviews":
        return ok([REVIEW], pagination={"has_more": False, "next_cursor": None})
    return ok(REVIEW)


async def test_create_get_list_round_trip() -> None:
    """The three basic operations send the documented requests and return typed models."""
    async with AsyncHITL(
        api_key=API_KEY, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    ) as hitl:
        created = await hitl.reviews.create(
            template_id="template_123", content={"text": "AI-generated content to review"}, priority="high"
        )
        fetched = await hitl.reviews.get("rev_123")
        listed = [review async for review in hitl.reviews.list(status="created")]
        page = await hitl.reviews.list().first_page()

    assert isinstance(created, Review)
    assert created.priority == "high"
    assert fetched.status is ReviewStatus.CREATED
    assert [r.id for r in listed] == ["rev_123"]
    assert isinstance(page, Page)
    assert page.has_more is False
