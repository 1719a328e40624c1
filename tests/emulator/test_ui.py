"""Tests for the reviewer web page: the queue, the per-review form, and submitting it."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.emulator._support import ALL_FIELDS, data_of
from tests.emulator.conftest import MakeReview, MakeTemplate

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_TOKEN = re.compile(
    r'action="/ui/reviews/[^"]+/(start|complete)"><input type="hidden" name="token" value="([0-9a-f]+)">'
)


async def form_tokens(client: httpx.AsyncClient, review_id: str) -> dict[str, str]:
    """The tokens the review's page puts in its forms, by action, as a browser would send them back."""
    page = (await client.get(f"/ui/reviews/{review_id}")).text
    return {action: token for action, token in _TOKEN.findall(page)}


async def submit(client: httpx.AsyncClient, review_id: str, action: str, form: str = "") -> httpx.Response:
    """Post one of the page's forms with its token, as the browser does."""
    token = (await form_tokens(client, review_id))[action]
    body = f"token={token}&{form}" if form else f"token={token}"
    return await client.post(f"/ui/reviews/{review_id}/{action}", content=body, headers=FORM)


@pytest.mark.asyncio
async def test_queue_lists_open_reviews(client: httpx.AsyncClient, make_review: MakeReview) -> None:
    """The queue shows waiting reviews with links, and finished ones apart; `/` leads there."""
    waiting = await make_review(priority="urgent", assignees=["ann@company.com"])
    done = await make_review()
    await client.delete(f"/v1/reviews/{done['id']}")
    page = await client.get("/ui")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    open_part, finished_part = page.text.split("Recently finished")
    assert f'href="/ui/reviews/{waiting["id"]}"' in open_part
    assert done["id"] in finished_part and done["id"] not in open_part
    assert "<script" not in page.text and "http://" not in page.text.replace('http-equiv="refresh"', "")
    home = await client.get("/", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (307, "/ui")


@pytest.mark.asyncio
async def test_form_is_built_from_the_template(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview
) -> None:
    """Each field type gets its control; content is escaped, never interpreted."""
    template = await make_template(ALL_FIELDS)
    review = await make_review(
        template["id"], content={"text": "<script>alert(1)</script>", "metadata": {"model": "gpt-4"}}
    )
    page = (await client.get(f"/ui/reviews/{review['id']}")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert '"model": "gpt-4"' in page.replace("&quot;", '"')
    assert 'type="radio" name="f_approved" value="true"' in page
    assert '<textarea name="f_feedback">' in page
    assert 'type="number" step="any" name="f_score"' in page
    assert 'name="f_verdict" value="reject"' in page
    assert 'type="checkbox" name="f_tags" value="legal"' in page
    assert 'name="f_quality" value="5"' in page
    assert 'action="/ui/reviews/' + review["id"] + '/start"' in page


@pytest.mark.asyncio
async def test_start_and_submit_the_form(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview
) -> None:
    """Starting redirects back; submitting turns form strings into typed answers and completes the review."""
    review = await make_review((await make_template(ALL_FIELDS))["id"], assignees=["ann@company.com"])
    started = await submit(client, review["id"], "start")
    assert (started.status_code, started.headers["location"]) == (303, f"/ui/reviews/{review['id']}")
    form = (
        "f_approved=false&f_feedback=Needs+work&f_score=2.5&f_verdict=reject&f_tags=tone&f_tags=legal"
        "&f_quality=3&reviewer=ann%40company.com"
    )
    submitted = await submit(client, review["id"], "complete", form)
    assert (submitted.status_code, submitted.headers["location"]) == (303, f"/ui?done={review['id']}")
    completed = data_of(await client.get(f"/v1/reviews/{review['id']}"))
    assert completed["status"] == "completed"
    assert completed["result"] == {
        "approved": False,
        "feedback": "Needs work",
        "score": 2.5,
        "verdict": "reject",
        "tags": ["tone", "legal"],
        "quality": 3,
    }
    shown = (await client.get(f"/ui/reviews/{review['id']}")).text
    assert "Needs work" in shown and "<form" not in shown


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ("f_verdict=approve", "result.approved"),
        ("f_approved=true&f_verdict=approve&f_quality=9", "result.quality"),
        ("f_approved=true&f_verdict=approve&f_score=lots", "result.score"),
        ("f_approved=true&f_verdict=approve&reviewer=not-an-email", "reviewer"),
    ],
)
@pytest.mark.asyncio
async def test_invalid_submissions_show_the_error(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview, form: str, message: str
) -> None:
    """A bad submission re-renders the form with the reason and leaves the review open."""
    review = await make_review((await make_template(ALL_FIELDS))["id"])
    response = await submit(client, review["id"], "complete", form)
    assert response.status_code == 400
    assert message in response.text and "<form" in response.text
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == "created"


@pytest.mark.asyncio
async def test_unknown_or_finished_reviews(client: httpx.AsyncClient, make_review: MakeReview) -> None:
    """Unknown reviews are 404 pages; starting a cancelled one explains why not."""
    assert (await client.get("/ui/reviews/rev_nope")).status_code == 404
    assert (await client.post("/ui/reviews/rev_nope/complete", content="", headers=FORM)).status_code == 404
    review = await make_review()
    tokens = await form_tokens(client, review["id"])
    await client.delete(f"/v1/reviews/{review['id']}")
    refused = await client.post(
        f"/ui/reviews/{review['id']}/start", content=f"token={tokens['start']}", headers=FORM
    )
    assert refused.status_code == 409 and "cancelled" in refused.text
