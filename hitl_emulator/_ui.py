"""
The reviewer's web page: a queue of open reviews and, per review, a form built from its template's fields.

Plain server-rendered HTML with inline styles: no JavaScript, no external assets, so it works offline and
in any browser. Every value shown is escaped; forms post back here and redirect (post/redirect/get).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ._checks import as_email
from ._errors import ApiError
from ._model import OPEN_STATUSES, FieldDef

if TYPE_CHECKING:
    from ._emulator import Emulator
    from ._state import ReviewRecord

__all__ = ["STYLE", "form_token", "ui_routes"]

_FIELD_PREFIX = "f_"
_TOKEN = "token"
_RECENT = 10
_MAX_FORM_BYTES = 256 * 1024
_MAX_FORM_FIELDS = 1000
_FORM_TYPE = "application/x-www-form-urlencoded"

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1d2733}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #dde3ea}
.badge{display:inline-block;padding:0 .45rem;border-radius:.6rem;background:#e8eef5;font-size:.85rem}
.urgent,.high{background:#fde2e1}.content{white-space:pre-wrap;background:#f6f8fa;padding:.8rem;border-radius:.4rem}
.error{background:#fde2e1;padding:.6rem .8rem;border-radius:.4rem}
.notice{background:#e3f6e8;padding:.6rem .8rem;border-radius:.4rem}
fieldset{border:1px solid #dde3ea;border-radius:.4rem;margin:.8rem 0}label{margin-right:1rem}
textarea{width:100%;min-height:6rem}button{font-size:1rem;padding:.4rem 1rem}
"""


def _page(title: str, body: str, *, status: int = 200, refresh: bool = False) -> HTMLResponse:
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{meta}'
        f"<title>{escape(title)} · HITL emulator</title><style>{STYLE}</style></head>"
        f'<body><p><a href="/ui">HITL emulator · review queue</a></p>{body}</body></html>'
    )
    return HTMLResponse(html, status_code=status)


def _emulator(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


def form_token(secret: bytes, action: str, review_id: str) -> str:
    """
    The token a reviewer form carries for `action` ("start" or "complete") on one review.

    An HMAC keyed with the emulator's own random secret: a page on another site cannot read this page
    (same-origin policy), so it cannot forge a submission even where a browser sends no `Origin`.
    """
    return hmac.new(secret, f"{action}\x00{review_id}".encode(), hashlib.sha256).hexdigest()


def _token_ok(emulator: Emulator, action: str, review_id: str, form: dict[str, list[str]]) -> bool:
    presented = (form.get(_TOKEN) or [""])[0]
    expected = form_token(emulator.form_secret, action, review_id)
    return hmac.compare_digest(expected.encode(), presented.encode("utf-8", "surrogateescape"))


def _hidden_token(emulator: Emulator, action: str, review_id: str) -> str:
    token = form_token(emulator.form_secret, action, review_id)
    return f'<input type="hidden" name="{_TOKEN}" value="{token}">'


class _FormError(Exception):
    """A submission that cannot be read as a form: answered with `status`, the review left as it was."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _badge(text: str) -> str:
    return f'<span class="badge {escape(text)}">{escape(text)}</span>'


def _row(review: ReviewRecord) -> str:
    text = str(review.content.get("text", ""))
    excerpt = text if len(text) <= 80 else text[:77] + "..."
    link = f'<a href="/ui/reviews/{quote(review.id)}">{escape(review.id)}</a>'
    return (
        f"<tr><td>{link}</td><td>{_badge(review.status)}</td><td>{_badge(review.priority)}</td>"
        f"<td>{escape(', '.join(review.assignees)) or '—'}</td><td>{escape(excerpt)}</td></tr>"
    )


def _table(reviews: list[ReviewRecord]) -> str:
    if not reviews:
        return "<p>None.</p>"
    head = "<tr><th>Review</th><th>Status</th><th>Priority</th><th>Assignees</th><th>Content</th></tr>"
    return f"<table>{head}{''.join(_row(review) for review in reviews)}</table>"


async def _queue(request: Request) -> Response:
    emulator = _emulator(request)
    with emulator.locked() as store:
        reviews = list(store.reviews.values())
    waiting = [review for review in reviews if review.status in OPEN_STATUSES]
    finished = [review for review in reviews if review.status not in OPEN_STATUSES][-_RECENT:]
    done = request.query_params.get("done")
    notice = f'<p class="notice">Review {escape(done)} completed.</p>' if done else ""
    body = (
        f"<h1>Review queue</h1>{notice}<p>{len(waiting)} review(s) waiting for a human. "
        "This page refreshes every 5 seconds.</p>"
        f"{_table(waiting)}<h2>Recently finished</h2>{_table(list(reversed(finished)))}"
    )
    return _page("Review queue", body, refresh=True)


def _input(field: FieldDef, review: ReviewRecord, previous: dict[str, list[str]]) -> str:
    name = _FIELD_PREFIX + field["name"]
    required = " required" if field["required"] else ""
    chosen = previous.get(name, [])
    options = field["options"] or []
    match field["type"]:
        case "content_display":
            text = chosen[0] if chosen else str(review.content.get("text", ""))
            if field["editable"]:
                return f'<textarea name="{name}"{required}>{escape(text)}</textarea>'
            return f'<div class="content">{escape(text)}</div>'
        case "boolean":
            return "".join(
                f'<label><input type="radio" name="{name}" value="{value}"{required}'
                f"{' checked' if value in chosen else ''}> {label}</label>"
                for value, label in (("true", "Yes"), ("false", "No"))
            )
        case "text":
            return f'<textarea name="{name}"{required}>{escape(chosen[0] if chosen else "")}</textarea>'
        case "number":
            value = escape(chosen[0] if chosen else "")
            return f'<input type="number" step="any" name="{name}" value="{value}"{required}>'
        case "rating":
            return "".join(
                f'<label><input type="radio" name="{name}" value="{score}"{required}'
                f"{' checked' if str(score) in chosen else ''}> {score}</label>"
                for score in range(1, 6)
            )
        case "single_select":
            return "".join(
                f'<label><input type="radio" name="{name}" value="{escape(option)}"{required}'
                f"{' checked' if option in chosen else ''}> {escape(option)}</label>"
                for option in options
            )
        case "multi_select":
            return "".join(
                f'<label><input type="checkbox" name="{name}" value="{escape(option)}"'
                f"{' checked' if option in chosen else ''}> {escape(option)}</label>"
                for option in options
            )
        case _:
            # A field type the spec gained after this page was written: a text box still lets it be answered.
            return f'<textarea name="{name}"{required}>{escape(chosen[0] if chosen else "")}</textarea>'


def _review_page(
    emulator: Emulator,
    review: ReviewRecord,
    *,
    error: str | None = None,
    previous: dict[str, list[str]] | None = None,
) -> Response:
    previous = previous or {}
    metadata = review.content.get("metadata")
    parts = [
        f"<h1>Review {escape(review.id)}</h1>",
        f'<p class="error">{escape(error)}</p>' if error else "",
        f"<p>{_badge(review.status)} {_badge(review.priority)} template {escape(review.template_id)}"
        f"{' · due ' + escape(review.due_date) if review.due_date else ''}"
        f"{' · reviewer ' + escape(review.reviewer) if review.reviewer else ''}</p>",
        f'<h2>Content</h2><div class="content">{escape(str(review.content.get("text", "")))}</div>',
    ]
    if metadata:
        parts.append(f'<h2>Metadata</h2><pre class="content">{escape(json.dumps(metadata, indent=2))}</pre>')
    action = f"/ui/reviews/{quote(review.id)}"
    if review.status in ("created", "assigned"):
        parts.append(
            f'<form method="post" action="{action}/start">{_hidden_token(emulator, "start", review.id)}'
            "<button>Start review</button></form>"
        )
    if review.status in OPEN_STATUSES:
        fieldsets = "".join(
            f"<fieldset><legend>{escape(field['label'])}{' *' if field['required'] else ''}</legend>"
            f"{_input(field, review, previous)}</fieldset>"
            for field in review.form
        )
        reviewer = (
            previous.get("reviewer") or [review.reviewer or (review.assignees[0] if review.assignees else "")]
        )[0]
        parts.append(
            f'<h2>Your review</h2><form method="post" action="{action}/complete">'
            f"{_hidden_token(emulator, 'complete', review.id)}{fieldsets}"
            f'<p><label>Reviewer email <input type="email" name="reviewer" value="{escape(reviewer)}">'
            "</label></p>"
            "<button>Complete review</button></form>"
        )
    else:
        result = json.dumps(review.result, indent=2) if review.result is not None else "—"
        parts.append(f'<h2>Result</h2><pre class="content">{escape(result)}</pre>')
    return _page(f"Review {review.id}", "".join(parts), status=400 if error else 200)


async def _show(request: Request) -> Response:
    emulator = _emulator(request)
    with emulator.locked() as store:
        review = store.reviews.get(request.path_params["review_id"])
        if review is None:
            return _page("Not found", "<h1>No such review</h1>", status=404)
        return _review_page(emulator, review)


async def _form(request: Request) -> dict[str, list[str]]:
    """
    The submitted form, read with a cap: at most 256 KiB, checked chunk by chunk, so an oversized body is
    refused without being held in memory.

    Raises:
        _FormError: 415 for another content type, 413 past the cap, 400 for bytes that are not UTF-8 or
            too many fields. Never an empty form standing in for an unreadable one.
    """
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != _FORM_TYPE:
        raise _FormError(415, f"The form must be sent as {_FORM_TYPE}, as a browser does.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > _MAX_FORM_BYTES:
            raise _FormError(
                413, f"The form is larger than {_MAX_FORM_BYTES // 1024} KiB; nothing was saved."
            )
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("utf-8")
        return parse_qs(text, keep_blank_values=True, max_num_fields=_MAX_FORM_FIELDS)
    except UnicodeDecodeError:
        raise _FormError(400, "The form is not valid UTF-8; nothing was saved.") from None
    except ValueError:
        raise _FormError(
            400, f"The form has more than {_MAX_FORM_FIELDS} fields; nothing was saved."
        ) from None


def _refusal(title: str, message: str, status: int) -> Response:
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>", status=status)


_STALE_FORM = "This form is stale or did not come from this emulator's page: reload the review and try again."


def _answer(field: FieldDef, values: list[str]) -> Any:
    """Turn one field's submitted strings into the JSON value `check_result` expects; `None` if blank."""
    present = [value for value in values if value != ""]
    match field["type"]:
        case "multi_select":
            return present or None
        case "boolean":
            return None if not present else present[0] == "true"
        case "number" | "rating":
            if not present:
                return None
            try:
                number = float(present[0])
            except ValueError:
                return present[0]  # not a number: the result check will say so
            if not math.isfinite(number):
                return present[0]
            return int(number) if number.is_integer() else number
        case _:
            return present[0] if present else None


async def _start(request: Request) -> Response:
    emulator = _emulator(request)
    review_id = request.path_params["review_id"]
    try:
        form = await _form(request)
    except _FormError as error:
        return _refusal("Cannot start", error.message, error.status)
    if not _token_ok(emulator, "start", review_id, form):
        return _refusal("Cannot start", _STALE_FORM, 403)
    try:
        emulator.start_review(review_id)
    except ApiError as error:
        return _page(
            "Cannot start",
            f"<h1>Cannot start this review</h1><p>{escape(error.message)}</p>",
            status=error.status,
        )
    return RedirectResponse(f"/ui/reviews/{quote(review_id)}", status_code=303)


async def _complete(request: Request) -> Response:
    emulator = _emulator(request)
    review_id = request.path_params["review_id"]
    try:
        form = await _form(request)
    except _FormError as error:
        return _refusal("Not saved", error.message, error.status)
    with emulator.locked() as store:
        review = store.reviews.get(review_id)
        if review is None:
            return _page("Not found", "<h1>No such review</h1>", status=404)
        if not _token_ok(emulator, "complete", review_id, form):
            return _refusal("Not saved", _STALE_FORM, 403)
        result = {}
        for field in review.form:
            value = _answer(field, form.get(_FIELD_PREFIX + field["name"], []))
            if value is not None:
                result[field["name"]] = value
        reviewer = (form.get("reviewer") or [""])[0].strip() or None
        try:
            if reviewer is not None:
                as_email(reviewer, "reviewer")
            emulator.complete_review(review_id, result, reviewer=reviewer)
        except ApiError as error:
            details = error.details or {}
            where = f" ({details['field']}: {details['issue']})" if "field" in details else ""
            return _review_page(emulator, review, error=f"{error.message}{where}", previous=form)
    return RedirectResponse(f"/ui?done={quote(review_id)}", status_code=303)


def ui_routes() -> list[BaseRoute]:
    """The `/ui` routes."""
    return [
        Route("/ui", _queue, methods=["GET"]),
        Route("/ui/reviews/{review_id}", _show, methods=["GET"]),
        Route("/ui/reviews/{review_id}/start", _start, methods=["POST"]),
        Route("/ui/reviews/{review_id}/complete", _complete, methods=["POST"]),
    ]
