"""
Comparison 3, decoding: a 100-review list page, from the response's bytes to a list of models.

hitl decodes the way its client does, through `_parse_page` (`json.loads`, envelope checks, then the cattrs
converter per item into attrs `Review`s). The reference is pydantic v2 with models of the same shape (nested
content, enums, timezone-aware datetimes, the envelope with `meta.pagination`), decoding the bytes with
`model_validate_json`, its fastest path. `json.loads` + `model_validate` and `json.loads` alone are shown for
information. Budget: hitl no slower than pydantic. pydantic is not a runtime dependency; without it the
comparison says so and is skipped.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks._data import JSON_HEADERS, page
from benchmarks._harness import Report, Row, alternate, main, time_calls
from hitl import Review
from hitl_async._client import _parse_page

PAGE_SIZE = 100
PYDANTIC_PIN = "pydantic==2.14.4"


@dataclass(frozen=True)
class Sizes:
    rounds: int
    calls: int
    warmup: int


FULL = Sizes(rounds=32, calls=20, warmup=50)
SMOKE = Sizes(rounds=4, calls=1, warmup=1)


def pydantic_page() -> type[Any]:
    """The pydantic models of a list response, defined on demand: importing this module needs no pydantic."""
    from pydantic import BaseModel

    class Status(enum.StrEnum):
        CREATED = "created"
        ASSIGNED = "assigned"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        CANCELLED = "cancelled"

    class Priority(enum.StrEnum):
        LOW = "low"
        MEDIUM = "medium"
        HIGH = "high"
        URGENT = "urgent"

    class Content(BaseModel):
        text: str
        metadata: dict[str, Any] | None = None

    class PydanticReview(BaseModel):
        id: str
        template_id: str
        status: Status
        content: Content | None = None
        assignees: list[str] | None = None
        priority: Priority | None = None
        due_date: dt.datetime | None = None
        result: dict[str, Any] | None = None
        reviewer: str | None = None
        completed_at: dt.datetime | None = None
        created_at: dt.datetime | None = None
        updated_at: dt.datetime | None = None

    class Pagination(BaseModel):
        has_more: bool
        next_cursor: str | None

    class Meta(BaseModel):
        request_id: str
        timestamp: dt.datetime
        pagination: Pagination | None = None

    class PydanticPage(BaseModel):
        success: bool
        data: list[PydanticReview]
        meta: Meta

    return PydanticPage


def run(smoke: bool) -> Report:
    sizes = SMOKE if smoke else FULL
    report = Report("decoding", f"a {PAGE_SIZE}-review list page, bytes -> models", "pydantic v2")
    try:
        model = pydantic_page()
    except ImportError:
        report.skipped = f"pydantic is not installed (the bench extra: pip install '{PYDANTIC_PIN}')"
        return report
    body = page(PAGE_SIZE)
    response = httpx.Response(200, content=body, headers=JSON_HEADERS)
    sides: dict[str, Callable[[], list[Any]]] = {
        "hitl": lambda: _parse_page(response, Review).items,
        "pydantic json": lambda: model.model_validate_json(body).data,
        "pydantic python": lambda: model.model_validate(json.loads(body)).data,
        "json.loads": lambda: json.loads(body)["data"],
    }
    ours, theirs = sides["hitl"](), sides["pydantic json"]()
    if len(ours) != PAGE_SIZE or [r.id for r in ours] != [r.id for r in theirs]:
        raise SystemExit("the two decoders disagree about the page")
    for _ in range(sizes.warmup):
        for side in sides.values():
            side()
    medians = alternate({name: time_calls(side, sizes.calls) for name, side in sides.items()}, sizes.rounds)
    hitl_us = medians["hitl"]

    def row(name: str, budget: bool) -> Row:
        ratio = hitl_us / medians[name]
        return Row(
            f"vs {name}",
            f"{hitl_us:.0f} us",
            f"{medians[name]:.0f} us",
            ratio,
            "<= 1.00x" if budget else "",
            ratio <= 1.0 if budget else None,
            f"{hitl_us / PAGE_SIZE:.2f} vs {medians[name] / PAGE_SIZE:.2f} us/review",
        )

    report.rows += [row("pydantic json", True), row("pydantic python", False), row("json.loads", False)]
    report.notes.append(
        f"median of {sizes.rounds} alternating samples of {sizes.calls} pages per side; "
        "pydantic json = Page.model_validate_json(bytes), python = Page.model_validate(json.loads(bytes))"
    )
    return report


if __name__ == "__main__":
    main(run)
