"""
The in-memory store: every resource, its lifecycle, and the events its changes raise.

The store does no locking and no I/O. Its caller (`Emulator`) serialises access, and every operation
checks all it needs before changing anything, so a raised `ApiError` leaves the store as it was.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ._config import DEFAULT_REVIEWER
from ._errors import conflict, not_found
from ._model import (
    OPEN_STATUSES,
    EventType,
    FieldDef,
    MemberInput,
    Priority,
    ReviewChanges,
    ReviewInput,
    ReviewStatus,
    TeamInput,
    TeamRole,
    TemplateChanges,
    TemplateInput,
    WebhookChanges,
    WebhookInput,
)
from ._pagination import Page, PageRequest, paginate
from ._results import check_result
from ._validation import ReviewFilters
from ._wire import format_timestamp, new_id

__all__ = [
    "EventSink",
    "MemberRecord",
    "ReviewRecord",
    "Store",
    "TeamRecord",
    "TemplateRecord",
    "WebhookRecord",
]

EventSink = Callable[[EventType, dict[str, Any]], None]
"""Receives each event as it happens: its type and the wire form of the review or template."""


@dataclass(slots=True, kw_only=True)
class ReviewRecord:
    """A stored review."""

    seq: int
    id: str
    template_id: str
    content: dict[str, Any]
    assignees: list[str]
    priority: Priority
    due_date: str | None
    status: ReviewStatus
    form: list[FieldDef]
    """The template's fields when the review was created: the form the reviewer answers."""
    created_at: str
    updated_at: str
    result: dict[str, Any] | None = None
    reviewer: str | None = None
    completed_at: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The `Review` schema."""
        return {
            "id": self.id,
            "template_id": self.template_id,
            "content": self.content,
            "assignees": list(self.assignees),
            "priority": self.priority,
            "due_date": self.due_date,
            "status": self.status,
            "result": self.result,
            "reviewer": self.reviewer,
            "completed_at": self.completed_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(slots=True, kw_only=True)
class TemplateRecord:
    """A stored template."""

    seq: int
    id: str
    name: str
    description: str | None
    fields: list[FieldDef]
    created_at: str
    updated_at: str

    def to_wire(self) -> dict[str, Any]:
        """The `Template` schema."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "fields": [dict(item) for item in self.fields],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(slots=True, kw_only=True)
class WebhookRecord:
    """A stored webhook endpoint, secret included."""

    seq: int
    id: str
    url: str
    events: list[EventType]
    active: bool
    description: str | None
    secret: str
    created_at: str
    updated_at: str

    def to_wire(self, *, with_secret: bool = False) -> dict[str, Any]:
        """The `Webhook` schema, or `WebhookWithSecret` (only ever for the create answer)."""
        wire: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "active": self.active,
            "description": self.description,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if with_secret:
            wire["secret"] = self.secret
        return wire


@dataclass(slots=True, kw_only=True)
class MemberRecord:
    """A stored team member."""

    seq: int
    email: str
    role: TeamRole
    added_at: str

    def to_wire(self) -> dict[str, Any]:
        """The `TeamMember` schema."""
        return {"email": self.email, "role": self.role, "added_at": self.added_at}


@dataclass(slots=True, kw_only=True)
class TeamRecord:
    """A stored team and its members, keyed by lowercased email."""

    seq: int
    id: str
    name: str
    description: str | None
    created_at: str
    members: dict[str, MemberRecord] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The `Team` schema."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "created_at": self.created_at,
        }


class Store:
    """All resources of one emulator, in creation order."""

    def __init__(self, *, clock: Callable[[], float], publish: EventSink) -> None:
        self._clock = clock
        self._publish = publish
        self._counter = itertools.count(1)
        self.reviews: dict[str, ReviewRecord] = {}
        self.templates: dict[str, TemplateRecord] = {}
        self.webhooks: dict[str, WebhookRecord] = {}
        self.teams: dict[str, TeamRecord] = {}

    def clear(self) -> None:
        """Forget every resource."""
        self.reviews.clear()
        self.templates.clear()
        self.webhooks.clear()
        self.teams.clear()

    def _now(self) -> str:
        return format_timestamp(self._clock())

    def _next_seq(self) -> int:
        # Sequence numbers order items for pagination and survive deletions, unlike list positions.
        return next(self._counter)

    # ------------------------------------------------------------ reviews

    def review(self, review_id: str) -> ReviewRecord:
        """The review, or 404 `review_not_found`."""
        try:
            return self.reviews[review_id]
        except KeyError:
            raise not_found("review", review_id) from None

    def create_review(self, review: ReviewInput) -> ReviewRecord:
        """Store a review in `created` status (see `assign_new` for what follows when it has assignees)."""
        template = self.template(review["template_id"])
        now = self._now()
        record = ReviewRecord(
            seq=self._next_seq(),
            id=new_id("rev"),
            template_id=template.id,
            content=review["content"],
            assignees=review["assignees"],
            priority=review["priority"],
            due_date=review["due_date"],
            status="created",
            form=list(template.fields),
            created_at=now,
            updated_at=now,
        )
        self.reviews[record.id] = record
        self._publish("review.created", record.to_wire())
        return record

    def assign_new(self, record: ReviewRecord) -> None:
        """
        Assign a review just created with assignees: `assigned`, with its `review.assigned` event.

        Separate from `create_review` because the create answer shows the review as `created`, as the
        reference's own example does; the assignment follows at once.
        """
        if record.assignees and record.status == "created":
            record.status = "assigned"
            self._publish("review.assigned", record.to_wire())

    def list_reviews(self, filters: ReviewFilters, page: PageRequest) -> Page[ReviewRecord]:
        """A page of the reviews that pass every given filter."""
        return paginate((review for review in self.reviews.values() if _matches(review, filters)), page)

    def _open_review(self, review_id: str, action: str) -> ReviewRecord:
        record = self.review(review_id)
        if record.status not in OPEN_STATUSES:
            raise conflict(f"Review is already {record.status} and cannot be {action}", status=record.status)
        return record

    def update_review(self, review_id: str, changes: ReviewChanges) -> ReviewRecord:
        """
        Change an open review.

        New assignees on a review nobody has started (re)assign it, with a `review.assigned` event;
        removing every assignee puts it back to `created`.
        """
        record = self._open_review(review_id, "changed")
        reassigned = "assignees" in changes and changes["assignees"] != record.assignees
        if "assignees" in changes:
            record.assignees = changes["assignees"]
        if "priority" in changes:
            record.priority = changes["priority"]
        if "due_date" in changes:
            record.due_date = changes["due_date"]
        if "content" in changes:
            record.content = changes["content"]
        record.updated_at = self._now()
        if record.status in ("created", "assigned"):
            record.status = "assigned" if record.assignees else "created"
            if reassigned and record.assignees:
                self._publish("review.assigned", record.to_wire())
        return record

    def cancel_review(self, review_id: str) -> ReviewRecord:
        """Cancel an open review; a completed or cancelled one gives 409 `conflict`."""
        record = self._open_review(review_id, "cancelled")
        record.status = "cancelled"
        record.updated_at = self._now()
        self._publish("review.cancelled", record.to_wire())
        return record

    def start_review(self, review_id: str, reviewer: str | None = None) -> ReviewRecord:
        """A reviewer opens the review: `in_progress`, with `reviewer` set."""
        record = self._open_review(review_id, "started")
        if record.status == "in_progress":
            raise conflict("Review is already in_progress", status=record.status)
        self._start(record, reviewer)
        return record

    def _start(self, record: ReviewRecord, reviewer: str | None) -> None:
        record.status = "in_progress"
        record.reviewer = reviewer or (record.assignees[0] if record.assignees else DEFAULT_REVIEWER)
        record.updated_at = self._now()
        self._publish("review.started", record.to_wire())

    def complete_review(self, review_id: str, result: Any, reviewer: str | None = None) -> ReviewRecord:
        """
        The reviewer submits `result`, checked against the review's form.

        A review nobody has started is started first (with its `review.started` event), so a single call
        can take a fresh review to `completed`.
        """
        record = self._open_review(review_id, "completed")
        checked = check_result(record.form, result)
        if record.status != "in_progress":
            self._start(record, reviewer)
        now = self._now()
        record.status = "completed"
        record.result = checked
        record.reviewer = reviewer or record.reviewer
        record.completed_at = now
        record.updated_at = now
        self._publish("review.completed", record.to_wire())
        return record

    # ------------------------------------------------------------ templates

    def template(self, template_id: str) -> TemplateRecord:
        """The template, or 404 `template_not_found`."""
        try:
            return self.templates[template_id]
        except KeyError:
            raise not_found("template", template_id) from None

    def create_template(self, template: TemplateInput) -> TemplateRecord:
        """Store a template."""
        now = self._now()
        record = TemplateRecord(
            seq=self._next_seq(),
            id=new_id("tpl"),
            name=template["name"],
            description=template["description"],
            fields=template["fields"],
            created_at=now,
            updated_at=now,
        )
        self.templates[record.id] = record
        return record

    def update_template(self, template_id: str, changes: TemplateChanges) -> TemplateRecord:
        """Change a template and announce it with `template.updated`; open reviews keep their form."""
        record = self.template(template_id)
        if "name" in changes:
            record.name = changes["name"]
        if "description" in changes:
            record.description = changes["description"]
        if "fields" in changes:
            record.fields = changes["fields"]
        record.updated_at = self._now()
        self._publish("template.updated", record.to_wire())
        return record

    def delete_template(self, template_id: str) -> None:
        """Delete a template; reviews created from it keep their form."""
        self.template(template_id)
        del self.templates[template_id]

    # ------------------------------------------------------------ webhooks

    def webhook(self, webhook_id: str) -> WebhookRecord:
        """The webhook, or 404 `webhook_not_found`."""
        try:
            return self.webhooks[webhook_id]
        except KeyError:
            raise not_found("webhook", webhook_id) from None

    def create_webhook(self, webhook: WebhookInput) -> WebhookRecord:
        """Store a webhook with a fresh signing secret."""
        now = self._now()
        record = WebhookRecord(
            seq=self._next_seq(),
            id=new_id("wh"),
            url=webhook["url"],
            events=webhook["events"],
            active=webhook["active"],
            description=webhook["description"],
            secret=f"whsec_{secrets.token_hex(16)}",
            created_at=now,
            updated_at=now,
        )
        self.webhooks[record.id] = record
        return record

    def update_webhook(self, webhook_id: str, changes: WebhookChanges) -> WebhookRecord:
        """Change a webhook; its secret stays."""
        record = self.webhook(webhook_id)
        if "url" in changes:
            record.url = changes["url"]
        if "events" in changes:
            record.events = changes["events"]
        if "active" in changes:
            record.active = changes["active"]
        if "description" in changes:
            record.description = changes["description"]
        record.updated_at = self._now()
        return record

    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook; deliveries already under way still finish."""
        self.webhook(webhook_id)
        del self.webhooks[webhook_id]

    def subscribers(self, event: EventType) -> Iterator[WebhookRecord]:
        """The active webhooks that asked for `event`."""
        return (webhook for webhook in self.webhooks.values() if webhook.active and event in webhook.events)

    # ------------------------------------------------------------ teams

    def team(self, team_id: str) -> TeamRecord:
        """The team, or 404 `team_not_found`."""
        try:
            return self.teams[team_id]
        except KeyError:
            raise not_found("team", team_id) from None

    def create_team(self, team: TeamInput) -> TeamRecord:
        """Store a team with no members."""
        record = TeamRecord(
            seq=self._next_seq(),
            id=new_id("team"),
            name=team["name"],
            description=team["description"],
            created_at=self._now(),
        )
        self.teams[record.id] = record
        return record

    def add_member(self, team_id: str, member: MemberInput) -> MemberRecord:
        """Add a member; an email already in the team (in any letter case) gives 409 `conflict`."""
        team = self.team(team_id)
        key = member["email"].lower()
        if key in team.members:
            raise conflict(f"{member['email']} is already a member of this team", email=member["email"])
        record = MemberRecord(
            seq=self._next_seq(), email=member["email"], role=member["role"], added_at=self._now()
        )
        team.members[key] = record
        return record

    def list_members(self, team_id: str, page: PageRequest) -> Page[MemberRecord]:
        """A page of a team's members, in the order they were added."""
        return paginate(self.team(team_id).members.values(), page)


def _matches(review: ReviewRecord, filters: ReviewFilters) -> bool:
    return (
        (filters.status is None or review.status == filters.status)
        and (filters.template_id is None or review.template_id == filters.template_id)
        and (filters.assignee is None or filters.assignee in review.assignees)
        and (filters.priority is None or review.priority == filters.priority)
    )
