"""The API's vocabulary: enum values and the shapes of checked request bodies."""

from __future__ import annotations

from typing import Any, Literal, TypedDict, get_args

__all__ = [
    "EVENT_TYPES",
    "FIELD_TYPES",
    "OPEN_STATUSES",
    "PRIORITIES",
    "REVIEW_STATUSES",
    "TEAM_ROLES",
    "EventType",
    "FieldDef",
    "FieldType",
    "MemberInput",
    "Priority",
    "ReviewChanges",
    "ReviewInput",
    "ReviewStatus",
    "TeamInput",
    "TeamRole",
    "TemplateChanges",
    "TemplateInput",
    "WebhookChanges",
    "WebhookInput",
]

ReviewStatus = Literal["created", "assigned", "in_progress", "completed", "cancelled"]
Priority = Literal["low", "medium", "high", "urgent"]
FieldType = Literal["content_display", "boolean", "text", "number", "single_select", "multi_select", "rating"]
EventType = Literal[
    "review.created",
    "review.assigned",
    "review.started",
    "review.completed",
    "review.cancelled",
    "template.updated",
]
TeamRole = Literal["admin", "reviewer", "viewer"]

REVIEW_STATUSES: tuple[ReviewStatus, ...] = get_args(ReviewStatus)
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
FIELD_TYPES: tuple[FieldType, ...] = get_args(FieldType)
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
TEAM_ROLES: tuple[TeamRole, ...] = get_args(TeamRole)

OPEN_STATUSES: frozenset[ReviewStatus] = frozenset({"created", "assigned", "in_progress"})
"""Statuses in which a review still waits for a human: it can be started, completed, changed or cancelled."""


class FieldDef(TypedDict):
    """One template field, with defaults filled in: the stored and returned form."""

    name: str
    type: FieldType
    label: str
    editable: bool
    required: bool
    options: list[str] | None


class ReviewInput(TypedDict):
    """A checked `reviews.create` body."""

    template_id: str
    content: dict[str, Any]
    assignees: list[str]
    priority: Priority
    due_date: str | None


class ReviewChanges(TypedDict, total=False):
    """A checked `reviews.update` body: only the members the client sent."""

    assignees: list[str]
    priority: Priority
    due_date: str | None
    content: dict[str, Any]


class TemplateInput(TypedDict):
    """A checked `templates.create` body."""

    name: str
    description: str | None
    fields: list[FieldDef]


class TemplateChanges(TypedDict, total=False):
    """A checked `templates.update` body."""

    name: str
    description: str | None
    fields: list[FieldDef]


class WebhookInput(TypedDict):
    """A checked `webhooks.create` body."""

    url: str
    events: list[EventType]
    active: bool
    description: str | None


class WebhookChanges(TypedDict, total=False):
    """A checked `webhooks.update` body."""

    url: str
    events: list[EventType]
    active: bool
    description: str | None


class TeamInput(TypedDict):
    """A checked `teams.create` body."""

    name: str
    description: str | None


class MemberInput(TypedDict):
    """A checked `teams.add_member` body."""

    email: str
    role: TeamRole
