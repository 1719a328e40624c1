"""Every API operation through the client, against the emulator over real loopback HTTP."""

import pytest

from hitl_async import (
    AsyncHITL,
    AuthenticationError,
    ConflictError,
    Deletion,
    InsufficientPermissionsError,
    Page,
    Review,
    ReviewNotFoundError,
    ReviewStatus,
    TeamMember,
    TeamNotFoundError,
    Template,
    TemplateNotFoundError,
    ValidationError,
    WebhookNotFoundError,
)
from hitl_emulator import EmulatorConfig, EmulatorServer

pytestmark = pytest.mark.anyio

READ_ONLY_KEY = "hitl_read_only_key"
FIELDS = [
    {
        "name": "content",
        "type": "content_display",
        "label": "Content to review",
        "editable": True,
        "required": True,
    },
    {"name": "approved", "type": "boolean", "label": "Approve content", "required": True},
    {"name": "feedback", "type": "text", "label": "Feedback or comments", "required": False},
]


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    return EmulatorConfig(read_only_keys=(READ_ONLY_KEY,))


def connect(server: EmulatorServer, api_key: str | None = None) -> AsyncHITL:
    return AsyncHITL(api_key=api_key or server.api_key, base_url=server.url, max_retries=0)


async def make_template(hitl: AsyncHITL) -> Template:
    return await hitl.templates.create(name="Content Review", description="Check AI output", fields=FIELDS)


async def test_templates_operations(hitl_emulator_server: EmulatorServer) -> None:
    """templates.create, get, list, update and delete."""
    async with connect(hitl_emulator_server) as hitl:
        template = await make_template(hitl)
        fetched = await hitl.templates.get(template.id)
        updated = await hitl.templates.update(template.id, description="Check AI output carefully")
        listed = [t.id async for t in hitl.templates.list()]
        deleted = await hitl.templates.delete(template.id)
        with pytest.raises(TemplateNotFoundError):
            await hitl.templates.get(template.id)

    assert fetched == template
    assert [f.name for f in fetched.fields] == ["content", "approved", "feedback"]
    assert updated.description == "Check AI output carefully"
    assert listed == [template.id]
    assert deleted == Deletion(id=template.id, deleted=True)


async def test_reviews_operations(hitl_emulator_server: EmulatorServer) -> None:
    """reviews.create, get, list (with a filter), update and cancel."""
    async with connect(hitl_emulator_server) as hitl:
        template = await make_template(hitl)
        review = await hitl.reviews.create(
            template_id=template.id,
            content={"text": "AI-generated content to review", "metadata": {"source": "gpt-4"}},
            assignees=["reviewer@company.com"],
            priority="medium",
        )
        fetched = await hitl.reviews.get(review.id)
        urgent = await hitl.reviews.update(review.id, priority="urgent")
        assigned = [r.id async for r in hitl.reviews.list(status="assigned", priority="urgent")]
        cancelled = await hitl.reviews.cancel(review.id)
        with pytest.raises(ConflictError):
            await hitl.reviews.cancel(review.id)
        with pytest.raises(ReviewNotFoundError):
            await hitl.reviews.get("rev_missing")

    assert fetched.id == review.id
    assert fetched.status is ReviewStatus.ASSIGNED
    assert fetched.content is not None and fetched.content.metadata == {"source": "gpt-4"}
    assert urgent.priority == "urgent"
    assert assigned == [review.id]
    assert cancelled.status is ReviewStatus.CANCELLED


async def test_review_for_missing_template(hitl_emulator_server: EmulatorServer) -> None:
    """A review for a template that does not exist raises the code's own error class."""
    async with connect(hitl_emulator_server) as hitl:
        with pytest.raises(TemplateNotFoundError) as caught:
            await hitl.reviews.create(template_id="tpl_missing", content={"text": "x"})
    assert caught.value.status_code == 404
    assert caught.value.request_id


async def test_pagination_across_pages(hitl_emulator_server: EmulatorServer) -> None:
    """Iteration follows cursors across pages; first_page() and pages() see the same items."""
    async with connect(hitl_emulator_server) as hitl:
        template = await make_template(hitl)
        created = [
            (await hitl.reviews.create(template_id=template.id, content={"text": f"item {i}"})).id
            for i in range(7)
        ]
        everything = [r.id async for r in hitl.reviews.list(limit=3)]
        first = await hitl.reviews.list(limit=3).first_page()
        sizes = [len(page.items) async for page in hitl.reviews.list(limit=3).pages()]
        resumed = [r.id async for r in hitl.reviews.list(limit=3, cursor=first.next_cursor)]

    assert everything == created
    assert isinstance(first, Page) and first.has_more
    assert sizes == [3, 3, 1]
    assert resumed == created[3:]


async def test_webhooks_operations(hitl_emulator_server: EmulatorServer) -> None:
    """webhooks.create (secret shown once), list (no secret), update and delete."""
    async with connect(hitl_emulator_server) as hitl:
        created = await hitl.webhooks.create(url="http://127.0.0.1:9/hooks", events=["review.completed"])
        listed = [w async for w in hitl.webhooks.list()]
        updated = await hitl.webhooks.update(
            created.id, active=False, events=["review.completed", "review.cancelled"]
        )
        deleted = await hitl.webhooks.delete(created.id)
        with pytest.raises(WebhookNotFoundError):
            await hitl.webhooks.delete(created.id)

    assert created.secret and created.secret not in repr(created)
    assert [w.id for w in listed] == [created.id]
    assert not hasattr(listed[0], "secret")
    assert updated.active is False
    assert updated.events == ["review.completed", "review.cancelled"]
    assert deleted.deleted is True


async def test_teams_operations(hitl_emulator_server: EmulatorServer) -> None:
    """teams.create, add_member (409 on a repeat) and list_members."""
    async with connect(hitl_emulator_server) as hitl:
        team = await hitl.teams.create(name="Trust & Safety", description="Reviews flagged content")
        member = await hitl.teams.add_member(team.id, email="reviewer@company.com", role="reviewer")
        with pytest.raises(ConflictError):
            await hitl.teams.add_member(team.id, email="reviewer@company.com")
        members = [m async for m in hitl.teams.list_members(team.id)]
        with pytest.raises(TeamNotFoundError):
            await hitl.teams.add_member("team_missing", email="someone@company.com")

    assert isinstance(member, TeamMember)
    assert member.role == "reviewer"
    assert members == [member]


async def test_invalid_input_comes_back_as_validation_error(hitl_emulator_server: EmulatorServer) -> None:
    """The server's 400 `validation_error` names the field and the issue."""
    async with connect(hitl_emulator_server) as hitl:
        with pytest.raises(ValidationError) as caught:
            await hitl.webhooks.create(url="not a url", events=["review.completed"])
    assert caught.value.code == "validation_error"
    assert caught.value.details is not None and caught.value.details["field"] == "url"


async def test_wrong_and_read_only_keys(hitl_emulator_server: EmulatorServer) -> None:
    """A wrong key gets 401; a read-only key may read but not write (403 insufficient_permissions)."""
    async with connect(hitl_emulator_server, "hitl_wrong_key") as stranger:
        with pytest.raises(AuthenticationError):
            await stranger.templates.list().first_page()
    async with connect(hitl_emulator_server, READ_ONLY_KEY) as reader:
        page = await reader.templates.list().first_page()
        with pytest.raises(InsufficientPermissionsError):
            await reader.teams.create(name="Not allowed")
    assert page.items == []


async def test_wait_returns_the_human_decision(hitl_emulator_server: EmulatorServer) -> None:
    """reviews.wait polls until the reviewer has completed the review, then returns it with the result."""
    emulator = hitl_emulator_server.emulator
    async with connect(hitl_emulator_server) as hitl:
        template = await make_template(hitl)
        review = await hitl.reviews.create(template_id=template.id, content={"text": "Ship it?"})
        emulator.start_review(review.id, reviewer="reviewer@company.com")
        emulator.complete_review(
            review.id, {"approved": True, "content": "Ship it!", "feedback": "Looks good"}
        )
        decided = await hitl.reviews.wait(review.id, timeout=5, poll_interval=0.01)

    assert isinstance(decided, Review)
    assert decided.status is ReviewStatus.COMPLETED
    assert decided.result == {"approved": True, "content": "Ship it!", "feedback": "Looks good"}
    assert decided.reviewer == "reviewer@company.com"


async def test_create_and_wait_with_auto_complete(hitl_emulator_server: EmulatorServer) -> None:
    """create_and_wait returns once the emulator's unattended reviewer has decided."""
    hitl_emulator_server.emulator.configure(auto_complete=0.05)
    async with connect(hitl_emulator_server) as hitl:
        template = await make_template(hitl)
        decided = await hitl.reviews.create_and_wait(
            template_id=template.id, content={"text": "Ship it?"}, timeout=5, poll_interval=0.01
        )
    assert decided.status is ReviewStatus.COMPLETED
    assert decided.result is not None and decided.result["approved"] is True
