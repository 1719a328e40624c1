"""
Request checks, one function per request body and query, mirroring openapi.yaml's schemas.

Each returns the body in its stored form (defaults filled in, timestamps normalised) or raises a 400
`validation_error` whose `details` name the first offending field, as the reference shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from ._checks import (
    MISSING,
    as_bool,
    as_choice,
    as_datetime,
    as_email,
    as_email_list,
    as_object,
    as_string,
    as_url,
    no_unknown_keys,
    required,
)
from ._contract import BODY_MEMBERS, DEFAULTS
from ._errors import validation_error
from ._model import (
    EVENT_TYPES,
    FIELD_TYPES,
    PRIORITIES,
    REVIEW_STATUSES,
    TEAM_ROLES,
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

__all__ = [
    "ReviewFilters",
    "check_member_create",
    "check_review_create",
    "check_review_filters",
    "check_review_update",
    "check_team_create",
    "check_template_create",
    "check_template_update",
    "check_webhook_create",
    "check_webhook_update",
]

# Used with `fullmatch`: `$` would let a trailing newline through ("ok\n"), a name no form can answer.
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
_SELECT_TYPES = frozenset({"single_select", "multi_select"})


def _optional_text(value: Any, field: str) -> str | None:
    return None if value is None else as_string(value, field)


def _not_empty(body: Mapping[str, Any]) -> None:
    # Update bodies declare `minProperties: 1`: an empty PATCH is almost always a client bug.
    if not body:
        raise validation_error("body", "must contain at least one field to change")


# ---------------------------------------------------------------- reviews


def _content(value: Any, field: str) -> dict[str, Any]:
    content = as_object(value, field)
    as_string(required(content, "text", f"{field}."), f"{field}.text")
    if "metadata" in content:
        as_object(content["metadata"], f"{field}.metadata")
    # ReviewContent is open (no `additionalProperties: false`): other members are kept as sent.
    return content


def check_review_create(body: Mapping[str, Any]) -> ReviewInput:
    """Check a `ReviewCreate` body."""
    no_unknown_keys(body, BODY_MEMBERS["ReviewCreate"])
    due_date = body.get("due_date", MISSING)
    return {
        "template_id": as_string(required(body, "template_id"), "template_id"),
        "content": _content(required(body, "content"), "content"),
        "assignees": as_email_list(body.get("assignees", []), "assignees"),
        "priority": cast(
            Priority,
            as_choice(body.get("priority", DEFAULTS["ReviewCreate.priority"]), "priority", PRIORITIES),
        ),
        "due_date": None if due_date is MISSING else as_datetime(due_date, "due_date"),
    }


def check_review_update(body: Mapping[str, Any]) -> ReviewChanges:
    """Check a `ReviewUpdate` body; `due_date: null` clears the due date."""
    no_unknown_keys(body, BODY_MEMBERS["ReviewUpdate"])
    _not_empty(body)
    changes: ReviewChanges = {}
    if "assignees" in body:
        changes["assignees"] = as_email_list(body["assignees"], "assignees")
    if "priority" in body:
        changes["priority"] = cast(Priority, as_choice(body["priority"], "priority", PRIORITIES))
    if "due_date" in body:
        changes["due_date"] = None if body["due_date"] is None else as_datetime(body["due_date"], "due_date")
    if "content" in body:
        changes["content"] = _content(body["content"], "content")
    return changes


# ---------------------------------------------------------------- templates


def _field(value: Any, field: str) -> FieldDef:
    item = as_object(value, field)
    name = as_string(required(item, "name", f"{field}."), f"{field}.name")
    if not _FIELD_NAME.fullmatch(name):
        raise validation_error(
            f"{field}.name", "must start with a lowercase letter and use only a-z, 0-9 and _"
        )
    field_type = as_choice(required(item, "type", f"{field}."), f"{field}.type", FIELD_TYPES)
    options = item.get("options")
    if options is not None:
        if not isinstance(options, list):
            raise validation_error(f"{field}.options", "must be an array of strings or null")
        options = [as_string(option, f"{field}.options[{index}]") for index, option in enumerate(options)]
    if field_type in _SELECT_TYPES and not options:
        raise validation_error(f"{field}.options", f"a {field_type} field needs at least one option")
    # TemplateField is open: members it does not declare are ignored, not stored.
    return {
        "name": name,
        "type": cast(Any, field_type),
        "label": as_string(required(item, "label", f"{field}."), f"{field}.label"),
        "editable": as_bool(item.get("editable", False), f"{field}.editable"),
        "required": as_bool(item.get("required", False), f"{field}.required"),
        "options": options,
    }


def _fields(value: Any) -> list[FieldDef]:
    if not isinstance(value, list) or not value:
        raise validation_error("fields", "must be a non-empty array of fields")
    fields = [_field(item, f"fields[{index}]") for index, item in enumerate(value)]
    seen: set[str] = set()
    for index, item in enumerate(fields):
        if item["name"] in seen:
            raise validation_error(f"fields[{index}].name", f"duplicate field name {item['name']!r}")
        seen.add(item["name"])
    return fields


def check_template_create(body: Mapping[str, Any]) -> TemplateInput:
    """Check a `TemplateCreate` body."""
    no_unknown_keys(body, BODY_MEMBERS["TemplateCreate"])
    return {
        "name": as_string(required(body, "name"), "name", min_length=1),
        "description": _optional_text(body.get("description"), "description"),
        "fields": _fields(required(body, "fields")),
    }


def check_template_update(body: Mapping[str, Any]) -> TemplateChanges:
    """Check a `TemplateUpdate` body; `fields` replaces the whole list."""
    no_unknown_keys(body, BODY_MEMBERS["TemplateUpdate"])
    _not_empty(body)
    changes: TemplateChanges = {}
    if "name" in body:
        changes["name"] = as_string(body["name"], "name", min_length=1)
    if "description" in body:
        changes["description"] = _optional_text(body["description"], "description")
    if "fields" in body:
        changes["fields"] = _fields(body["fields"])
    return changes


# ---------------------------------------------------------------- webhooks


def _events(value: Any) -> list[EventType]:
    if not isinstance(value, list) or not value:
        raise validation_error("events", "must be a non-empty array of event types")
    events = [
        cast(EventType, as_choice(item, f"events[{index}]", EVENT_TYPES)) for index, item in enumerate(value)
    ]
    if len(set(events)) != len(events):
        raise validation_error("events", "must not repeat an event type")
    return events


def check_webhook_create(body: Mapping[str, Any]) -> WebhookInput:
    """Check a `WebhookCreate` body."""
    no_unknown_keys(body, BODY_MEMBERS["WebhookCreate"])
    return {
        "url": as_url(required(body, "url"), "url"),
        "events": _events(required(body, "events")),
        "active": as_bool(body.get("active", DEFAULTS["WebhookCreate.active"]), "active"),
        "description": _optional_text(body.get("description"), "description"),
    }


def check_webhook_update(body: Mapping[str, Any]) -> WebhookChanges:
    """Check a `WebhookUpdate` body."""
    no_unknown_keys(body, BODY_MEMBERS["WebhookUpdate"])
    _not_empty(body)
    changes: WebhookChanges = {}
    if "url" in body:
        changes["url"] = as_url(body["url"], "url")
    if "events" in body:
        changes["events"] = _events(body["events"])
    if "active" in body:
        changes["active"] = as_bool(body["active"], "active")
    if "description" in body:
        changes["description"] = _optional_text(body["description"], "description")
    return changes


# ---------------------------------------------------------------- teams


def check_team_create(body: Mapping[str, Any]) -> TeamInput:
    """Check a `TeamCreate` body."""
    no_unknown_keys(body, BODY_MEMBERS["TeamCreate"])
    return {
        "name": as_string(required(body, "name"), "name", min_length=1),
        "description": _optional_text(body.get("description"), "description"),
    }


def check_member_create(body: Mapping[str, Any]) -> MemberInput:
    """Check a `TeamMemberCreate` body; the role defaults to `reviewer`."""
    no_unknown_keys(body, BODY_MEMBERS["TeamMemberCreate"])
    return {
        "email": as_email(required(body, "email"), "email"),
        "role": cast(
            TeamRole, as_choice(body.get("role", DEFAULTS["TeamMemberCreate.role"]), "role", TEAM_ROLES)
        ),
    }


# ---------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewFilters:
    """The filters of `reviews.list`; `None` means "any"."""

    status: ReviewStatus | None
    template_id: str | None
    assignee: str | None
    priority: Priority | None


def check_review_filters(query: Mapping[str, str]) -> ReviewFilters:
    """Check the filters of `reviews.list` (unknown query parameters are ignored, as the spec says)."""
    status = query.get("status")
    priority = query.get("priority")
    assignee = query.get("assignee")
    return ReviewFilters(
        status=None if status is None else cast(ReviewStatus, as_choice(status, "status", REVIEW_STATUSES)),
        template_id=query.get("template_id"),
        assignee=None if assignee is None else as_email(assignee, "assignee"),
        priority=None if priority is None else cast(Priority, as_choice(priority, "priority", PRIORITIES)),
    )
