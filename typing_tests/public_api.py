"""
How the public surface types for users, in both packages. Checked by mypy (`make typecheck`), never run.

`assert_type` pins what users get back; `# type: ignore[...]` lines must stay errors (mypy's strict mode
reports an ignore that is no longer needed), so a mistyped argument keeps failing type checks.
"""

import datetime as dt
from typing import Any, assert_type

import attrs

import hitl_async
import hitl_sync
from hitl import (
    APIResponse,
    Decision,
    DecisionOutcome,
    Deletion,
    Escalation,
    Page,
    Review,
    ReviewStatus,
    TeamMember,
    Template,
    TemplateField,
    WebhookWithSecret,
)


async def async_client(hitl: hitl_async.AsyncHITL) -> None:
    created = await hitl.reviews.create(
        template_id="tpl_1",
        content={"text": "check me"},
        assignees=["reviewer@company.com"],
        priority="high",
        due_date=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    assert_type(created, Review)
    assert_type(created.status, ReviewStatus)
    assert_type(await hitl.reviews.update("rev_1", due_date=None), Review)
    assert_type(await hitl.reviews.list(status="completed").first_page(), Page[Review])
    assert_type(await hitl.reviews.list(status="completed"), Page[Review])
    async for review in hitl.reviews.list():
        assert_type(review, Review)
    raw = await hitl.reviews.with_raw_response.get("rev_1")
    assert_type(raw, APIResponse[Review])
    assert_type(raw.parse(), Review)
    assert_type(await hitl.reviews.with_raw_response.list(limit=1), APIResponse[Page[Review]])
    created_raw = hitl.webhooks.with_raw_response.create(url="https://example.com/hooks", events=[])
    assert_type(await created_raw, APIResponse[WebhookWithSecret])
    await hitl.reviews.with_raw_response.get(review_id=1)  # type: ignore[arg-type]
    assert_type(await hitl.reviews.wait("rev_1", timeout=60), Review)
    assert_type(await hitl.templates.delete("tpl_1"), Deletion)
    webhook = await hitl.webhooks.create(url="https://example.com/hooks", events=["review.completed"])
    assert_type(webhook, WebhookWithSecret)
    assert_type(await hitl.teams.add_member("team_1", email="a@b.c", role="viewer"), TeamMember)
    await hitl.reviews.create(template_id="tpl_1", content={"text": "x"}, priority="hgh")  # type: ignore[arg-type]
    await hitl.reviews.get(review_id=1)  # type: ignore[arg-type]
    async with hitl.with_options(timeout=5.0) as scoped:
        assert_type(scoped, hitl_async.AsyncHITL)


def sync_client(hitl: hitl_sync.HITL) -> None:
    assert_type(hitl.reviews.create(template_id="tpl_1", content={"text": "check me"}), Review)
    assert_type(hitl.reviews.list().first_page(), Page[Review])
    for review in hitl.reviews.list(status="completed"):
        assert_type(review, Review)
    assert_type(hitl.reviews.with_raw_response.get("rev_1").parse(), Review)
    assert_type(hitl.reviews.with_raw_response.list().parse(), Page[Review])
    hitl.reviews.with_raw_response.update("rev_1", priority="hgh")  # type: ignore[arg-type]
    assert_type(hitl.reviews.wait("rev_1"), Review)
    assert_type(hitl.templates.get("tpl_1"), Template)
    hitl.reviews.create(template_id="tpl_1", content={"text": "x"}, priority="hgh")  # type: ignore[arg-type]
    with hitl.with_options(max_retries=0) as scoped:
        assert_type(scoped, hitl_sync.HITL)


def shared_classes(error: hitl_async.ReviewNotFoundError) -> None:
    assert_type(hitl_sync.Review, type[Review])
    assert_type(hitl_sync.ReviewNotFoundError, type[hitl_async.ReviewNotFoundError])
    assert_type(error.code, str | None)
    assert_type(error.status_code, int)


async def sync_paginator_in_async_code(hitl: hitl_sync.HITL) -> None:
    await hitl.reviews.list()  # type: ignore[misc]  # only the async paginator is awaitable


async def async_approvals(hitl: hitl_async.AsyncHITL) -> None:
    decision = await hitl.approvals.request("send_email", {"to": "a@b.c"}, timeout=60, on_timeout="approve")
    assert_type(decision, Decision)
    assert_type(decision.outcome, DecisionOutcome)
    assert_type(decision.arguments, dict[str, Any])
    await hitl.approvals.request("send_email", {}, on_timeout="later")  # type: ignore[arg-type]

    @hitl.approvals.require(escalation=Escalation(after=60, priority="urgent"))
    async def send(to: str, body: str = "") -> int:
        return 1

    @hitl.approvals.require(on_reject="message")
    def archive(path: str) -> bool:
        return True

    assert_type(await send("a@b.c"), int)
    assert_type(await archive("/tmp/x"), bool | str)
    await send(to=1)  # type: ignore[arg-type]


def sync_approvals(hitl: hitl_sync.HITL, error: hitl_sync.ApprovalRejectedError) -> None:
    assert_type(hitl.approvals.request("send_email", {"to": "a@b.c"}), Decision)

    @hitl.approvals.require()
    def send(to: str) -> int:
        return 1

    assert_type(send("a@b.c"), int)
    assert_type(error.decision, Decision)
    assert_type(error.decision.to_llm_message(), str)


def forms(review: Review) -> None:
    @attrs.define
    class Check:
        accurate: bool

    assert_type(hitl_sync.fields_from(Check), list[TemplateField])
    assert_type(hitl_async.result_as(review, Check), Check)
