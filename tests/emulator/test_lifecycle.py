"""Tests for the review lifecycle through the control API, result checks, auto-completion and reset."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from hitl_emulator import DEFAULT_REVIEWER, ApiError, Emulator
from tests.emulator._support import ALL_FIELDS, data_of, error_of
from tests.emulator.conftest import MakeReview, MakeTemplate

VALID = {
    "approved": True,
    "verdict": "reject",
    "feedback": "Fix facts",
    "score": 0.5,
    "tags": ["facts"],
    "quality": 2,
}


@pytest.mark.asyncio
async def test_full_lifecycle_with_events(
    client: httpx.AsyncClient, make_review: MakeReview, hitl_emulator: Emulator
) -> None:
    """created → assigned → in_progress → completed, with one event per step, in order."""
    review = await make_review(assignees=["ann@company.com", "bob@company.com"])
    assert review["status"] == "created"  # the create answer, as the reference shows it
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == "assigned"
    started = data_of(await client.post(f"/_emulator/reviews/{review['id']}/start"))
    assert (started["status"], started["reviewer"]) == ("in_progress", "ann@company.com")
    completed = data_of(
        await client.post(
            f"/_emulator/reviews/{review['id']}/complete",
            json={
                "result": {"approved": True, "content": "Revised", "feedback": "Great"},
                "reviewer": "bob@company.com",
            },
        )
    )
    assert completed["status"] == "completed"
    assert completed["result"] == {"approved": True, "content": "Revised", "feedback": "Great"}
    assert completed["reviewer"] == "bob@company.com"
    assert completed["completed_at"] == completed["updated_at"]
    assert data_of(await client.get(f"/v1/reviews/{review['id']}")) == completed
    events = [(event["event"], event["subject_id"]) for event in hitl_emulator.events()]
    assert events == [
        (name, review["id"])
        for name in ("review.created", "review.assigned", "review.started", "review.completed")
    ]


@pytest.mark.asyncio
async def test_start_rules(client: httpx.AsyncClient, make_review: MakeReview) -> None:
    """A named reviewer is kept; starting twice, after the end, or an unknown review is refused."""
    review = await make_review()
    started = data_of(
        await client.post(f"/_emulator/reviews/{review['id']}/start", json={"reviewer": "eve@company.com"})
    )
    assert started["reviewer"] == "eve@company.com"
    twice = await client.post(f"/_emulator/reviews/{review['id']}/start")
    assert (twice.status_code, error_of(twice)["code"]) == (409, "conflict")
    missing = await client.post("/_emulator/reviews/rev_nope/start")
    assert (missing.status_code, error_of(missing)["code"]) == (404, "review_not_found")
    bad = await client.post(f"/_emulator/reviews/{review['id']}/start", json={"reviewer": "eve"})
    assert (bad.status_code, error_of(bad)["details"]["field"]) == (400, "reviewer")


@pytest.mark.asyncio
async def test_complete_starts_first_and_defaults(
    make_template: MakeTemplate, make_review: MakeReview, hitl_emulator: Emulator
) -> None:
    """Completing an unstarted review starts it; with no result an approving one is made up."""
    template = await make_template(ALL_FIELDS)
    review = await make_review(template["id"])
    completed = hitl_emulator.complete_review(review["id"])
    assert completed["reviewer"] == DEFAULT_REVIEWER
    assert completed["result"] == {
        "approved": True,
        "feedback": "Approved automatically by the HITL emulator.",
        "score": 1,
        "verdict": "approve",
        "tags": ["tone"],
        "quality": 5,
    }
    assert [event["event"] for event in hitl_emulator.events()][-2:] == ["review.started", "review.completed"]
    with pytest.raises(ApiError) as raised:
        hitl_emulator.complete_review(review["id"], VALID)
    assert (raised.value.status, raised.value.code) == (409, "conflict")


@pytest.mark.parametrize(
    ("result", "field"),
    [
        ([], "result"),
        ({**VALID, "extra": 1}, "result.extra"),
        ({key: value for key, value in VALID.items() if key != "approved"}, "result.approved"),
        ({**VALID, "approved": None}, "result.approved"),
        ({**VALID, "approved": "yes"}, "result.approved"),
        ({**VALID, "feedback": 3}, "result.feedback"),
        ({**VALID, "score": "high"}, "result.score"),
        ({**VALID, "score": True}, "result.score"),
        ({**VALID, "verdict": "maybe"}, "result.verdict"),
        ({**VALID, "tags": "facts"}, "result.tags"),
        ({**VALID, "tags": ["facts", "style"]}, "result.tags"),
        ({**VALID, "tags": ["facts", "facts"]}, "result.tags"),
        ({**VALID, "quality": 6}, "result.quality"),
        ({**VALID, "quality": 0}, "result.quality"),
        ({**VALID, "quality": 4.5}, "result.quality"),
        ({**VALID, "quality": True}, "result.quality"),
        ({**VALID, "content": 7}, "result.content"),
    ],
)
@pytest.mark.asyncio
async def test_result_is_checked_against_the_fields(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview, result: Any, field: str
) -> None:
    """Required fields, types, ratings 1-5, select options and unknown keys are all checked."""
    review = await make_review((await make_template(ALL_FIELDS))["id"])
    response = await client.post(f"/_emulator/reviews/{review['id']}/complete", json={"result": result})
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == field
    unchanged = data_of(await client.get(f"/v1/reviews/{review['id']}"))
    assert (unchanged["status"], unchanged["result"]) == ("created", None)


@pytest.mark.asyncio
async def test_valid_results_pass(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview
) -> None:
    """Optional fields may be left out or `null`; a read-only display field needs no answer."""
    review = await make_review((await make_template(ALL_FIELDS))["id"])
    minimal = {"approved": False, "verdict": "approve", "tags": None}
    response = await client.post(f"/_emulator/reviews/{review['id']}/complete", json={"result": minimal})
    assert data_of(response)["result"] == minimal


@pytest.mark.asyncio
async def test_auto_complete_immediately(
    client: httpx.AsyncClient, make_review: MakeReview, hitl_emulator: Emulator
) -> None:
    """`auto_complete=0`: the create answer shows the new review, and it is completed right after."""
    await client.patch("/_emulator/config", json={"auto_complete": 0})
    review = await make_review(assignees=["ann@company.com"])
    assert review["status"] == "created"
    stored = data_of(await client.get(f"/v1/reviews/{review['id']}"))
    assert (stored["status"], stored["reviewer"]) == ("completed", "ann@company.com")
    assert stored["result"] == {
        "content": "AI-generated content to review",
        "approved": True,
        "feedback": "Approved automatically by the HITL emulator.",
    }


@pytest.mark.asyncio
async def test_auto_complete_after_a_delay(
    client: httpx.AsyncClient, make_review: MakeReview, hitl_emulator: Emulator
) -> None:
    """`auto_complete=0.05`: the review completes on its own shortly after; a cancelled one is left alone."""
    hitl_emulator.configure(auto_complete=0.05)
    review = await make_review()
    cancelled = await make_review()
    await client.delete(f"/v1/reviews/{cancelled['id']}")
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == "created"
    for _ in range(200):
        await asyncio.sleep(0.01)
        if data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == "completed":
            break
    else:
        pytest.fail("the review was not auto-completed")
    assert data_of(await client.get(f"/v1/reviews/{cancelled['id']}"))["status"] == "cancelled"


@pytest.mark.asyncio
async def test_reset_and_stats(client: httpx.AsyncClient, make_review: MakeReview) -> None:
    """Stats count what exists; reset forgets it all (and the idempotency keys)."""
    await make_review(assignees=["ann@company.com"])
    await client.post("/v1/teams", json={"name": "T"}, headers={"Idempotency-Key": "k"})
    stats = data_of(await client.get("/_emulator/stats"))
    assert (stats["reviews"], stats["templates"], stats["teams"], stats["reviews_by_status"]) == (
        1,
        1,
        1,
        {"assigned": 1},
    )
    assert data_of(await client.post("/_emulator/reset")) == {"reset": True}
    assert data_of(await client.get("/v1/reviews")) == []
    assert data_of(await client.get("/_emulator/events")) == []
    again = await client.post("/v1/teams", json={"name": "Other"}, headers={"Idempotency-Key": "k"})
    assert again.status_code == 201


@pytest.mark.asyncio
async def test_config_round_trip_and_validation(client: httpx.AsyncClient) -> None:
    """The control API shows and changes settings, and refuses nonsense with 400s."""
    config = data_of(await client.get("/_emulator/config"))
    assert (config["auto_complete"], config["faults"]["rate"]) == (None, 0.0)
    changed = data_of(
        await client.patch(
            "/_emulator/config",
            json={
                "faults": {"rate": 0.5, "kinds": ["500"], "phase": "after"},
                "duplicate_deliveries": True,
                "auto_complete": 1.5,
            },
        )
    )
    assert changed["faults"] | {"seed": 0} == {
        "rate": 0.5,
        "kinds": ["500"],
        "phase": "after",
        "delay_seconds": 0.5,
        "retry_after_seconds": 1,
        "seed": 0,
    }
    assert (changed["duplicate_deliveries"], changed["auto_complete"]) == (True, 1.5)
    for body, field in [
        ({"faults": {"rate": 2}}, "faults"),
        ({"faults": {"kinds": ["404"]}}, "faults"),
        ({"faults": {"phase": "during"}}, "faults"),
        ({"faults": {"seed": "x"}}, "faults.seed"),
        ({"auto_complete": -1}, "body"),
        ({"rate_limit_per_minute": 0}, "body"),
        ({"clock": 1}, "clock"),
    ]:
        response = await client.patch("/_emulator/config", json=body)
        assert (response.status_code, error_of(response)["details"]["field"]) == (400, field), body
