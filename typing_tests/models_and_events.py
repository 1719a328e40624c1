"""
How models and webhook events type for users (mypy only, never run): what the API always returns is typed
present on REST models, while webhook bodies, which may be partial, carry `PartialReview`/`PartialTemplate`.
"""

import datetime as dt
from typing import Any, assert_type

import hitl
import hitl_async
import hitl_sync
from hitl import PartialReview, PartialTemplate, Priority, Review, ReviewContent, ReviewStatus, Template


def fetched(review: Review, template: Template) -> None:
    assert_type(review.content, ReviewContent)
    assert_type(review.assignees, list[str])
    assert_type(review.priority, Priority)
    assert_type(review.status, ReviewStatus)
    assert_type(review.created_at, dt.datetime)
    assert_type(review.due_date, dt.datetime | None)
    assert_type(review.result, dict[str, Any] | None)
    assert_type(review.model_extra, dict[str, Any])
    assert_type(template.updated_at, dt.datetime)


def delivered(event: hitl.ReviewCompletedEvent, updated: hitl.TemplateUpdatedEvent) -> None:
    assert_type(event.review, PartialReview)
    assert_type(event.review.content, ReviewContent | None)
    assert_type(event.review.status, ReviewStatus)
    assert_type(updated.template, PartialTemplate)
    assert_type(hitl.ReviewCompletedEvent.event_type, str)
    assert_type(hitl_sync.ReviewCompletedEvent, type[hitl.ReviewCompletedEvent])
    assert_type(hitl_async.TemplateUpdatedEvent, type[hitl.TemplateUpdatedEvent])
