"""The API's vocabulary: enum values (from openapi.yaml, via `_contract`) and checked request bodies."""

from __future__ import annotations

from typing import Any, TypedDict

from ._contract import (
    EVENT_TYPES,
    FIELD_TYPES,
    PRIORITIES,
    REVIEW_STATUSES,
    TEAM_ROLES,
    EventType,
    FieldType,
    Priority,
    ReviewStatus,
    TeamRole,
)

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
