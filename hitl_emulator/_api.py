"""
The 17 operations of the v1 API, as Starlette routes.

Each operation is a plain function that runs under the state lock: it reads and checks its input, then
changes the store, then returns its answer. The shared `_endpoint` wrapper does the asynchronous part
first (reading the body), and owns idempotency (on every POST, PATCH and DELETE), so that looking up a key,
writing, and saving the key's answer happen in one critical section.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._bodies import read_json_object
from ._errors import ApiError, validation_error
from ._idempotency import StoredAnswer, check_key, fingerprint
from ._pagination import Page, check_page_request, paginate
from ._targets import parse_deny, url_problem
from ._validation import (
    check_member_create,
    check_review_create,
    check_review_filters,
    check_review_update,
    check_team_create,
    check_template_create,
    check_template_update,
    check_webhook_create,
    check_webhook_update,
)
from ._wire import error_response, success_response

if TYPE_CHECKING:
    from ._emulator import Emulator, Principal
    from ._state import Store

__all__ = ["api_routes"]


@dataclass(frozen=True, slots=True)
class _Call:
    """What an operation gets: the store (locked), the emulator, and the request's parts."""

    emulator: Emulator
    store: Store
    body: dict[str, Any]
    path: dict[str, str]
    query: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Answer:
    data: Any
    pagination: dict[str, Any] | None = None


_Operation = Callable[[_Call], _Answer]


def _emulator_of(request: Request) -> Emulator:
    """The emulator serving this request."""
    emulator: Emulator = request.app.state.emulator
    return emulator


def _list_answer(page: Page[Any]) -> _Answer:
    return _Answer([item.to_wire() for item in page.items], page.meta())


def _endpoint(
    operation: _Operation,
    *,
    status: int = 200,
    takes_body: bool = False,
    idempotent: bool = False,
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        emulator = _emulator_of(request)
        request_id: str = request.state.request_id
        principal: Principal = request.state.principal
        try:
            body = await read_json_object(request, limit=emulator.config.max_body_bytes) if takes_body else {}
            key = request.headers.get("idempotency-key") if idempotent else None
            if key is not None:
                check_key(key)
            call_fingerprint = fingerprint(request.method, request.url.path, body)
            with emulator.locked() as store:
                if key is not None:
                    stored = emulator.idempotency.lookup(principal.key, key, call_fingerprint)
                    if stored is not None:
                        return Response(
                            stored.body,
                            status_code=stored.status,
                            media_type="application/json",
                            headers={"Idempotent-Replayed": "true"},
                        )
                call = _Call(emulator, store, body, dict(request.path_params), dict(request.query_params))
                answer = operation(call)
                response = success_response(
                    status,
                    answer.data,
                    request_id=request_id,
                    now=emulator.now(),
                    pagination=answer.pagination,
                )
                if key is not None:
                    emulator.idempotency.save(
                        principal.key, key, StoredAnswer(call_fingerprint, status, bytes(response.body))
                    )
                return response
        except ApiError as error:
            return error_response(error, request_id=request_id, now=emulator.now())

    return endpoint


# ---------------------------------------------------------------- reviews


def _create_review(call: _Call) -> _Answer:
    record = call.store.create_review(check_review_create(call.body))
    data = record.to_wire()
    # Answer with the review as created (`created`, as the reference shows); assignment and auto-completion,
    # if any, happen after the answer is fixed.
    call.store.assign_new(record)
    call.emulator.review_created(record)
    return _Answer(data)


def _list_reviews(call: _Call) -> _Answer:
    filters = check_review_filters(call.query)
    return _list_answer(call.store.list_reviews(filters, check_page_request(call.query)))


def _get_review(call: _Call) -> _Answer:
    return _Answer(call.store.review(call.path["review_id"]).to_wire())


def _update_review(call: _Call) -> _Answer:
    changes = check_review_update(call.body)
    return _Answer(call.store.update_review(call.path["review_id"], changes).to_wire())


def _cancel_review(call: _Call) -> _Answer:
    return _Answer(call.store.cancel_review(call.path["review_id"]).to_wire())


# ---------------------------------------------------------------- templates


def _create_template(call: _Call) -> _Answer:
    return _Answer(call.store.create_template(check_template_create(call.body)).to_wire())


def _list_templates(call: _Call) -> _Answer:
    return _list_answer(_paginate(call.store.templates.values(), call.query))


def _get_template(call: _Call) -> _Answer:
    return _Answer(call.store.template(call.path["template_id"]).to_wire())


def _update_template(call: _Call) -> _Answer:
    changes = check_template_update(call.body)
    return _Answer(call.store.update_template(call.path["template_id"], changes).to_wire())


def _delete_template(call: _Call) -> _Answer:
    call.store.delete_template(call.path["template_id"])
    return _Answer({"id": call.path["template_id"], "deleted": True})


# ---------------------------------------------------------------- webhooks


def _check_target(call: _Call, url: str) -> None:
    problem = url_problem(url, parse_deny(call.emulator.config.webhook_deny))
    if problem is not None:
        raise validation_error("url", f"cannot receive deliveries: {problem}")


def _create_webhook(call: _Call) -> _Answer:
    webhook = check_webhook_create(call.body)
    _check_target(call, webhook["url"])
    # The only answer that ever shows the secret.
    return _Answer(call.store.create_webhook(webhook).to_wire(with_secret=True))


def _list_webhooks(call: _Call) -> _Answer:
    return _list_answer(_paginate(call.store.webhooks.values(), call.query))


def _update_webhook(call: _Call) -> _Answer:
    changes = check_webhook_update(call.body)
    if "url" in changes:
        _check_target(call, changes["url"])
    return _Answer(call.store.update_webhook(call.path["webhook_id"], changes).to_wire())


def _delete_webhook(call: _Call) -> _Answer:
    call.store.delete_webhook(call.path["webhook_id"])
    return _Answer({"id": call.path["webhook_id"], "deleted": True})


# ---------------------------------------------------------------- teams


def _create_team(call: _Call) -> _Answer:
    return _Answer(call.store.create_team(check_team_create(call.body)).to_wire())


def _list_members(call: _Call) -> _Answer:
    page = check_page_request(call.query)
    return _list_answer(call.store.list_members(call.path["team_id"], page))


def _add_member(call: _Call) -> _Answer:
    member = check_member_create(call.body)
    return _Answer(call.store.add_member(call.path["team_id"], member).to_wire())


def _paginate(items: Iterable[Any], query: dict[str, str]) -> Page[Any]:
    return paginate(items, check_page_request(query))


_Endpoint = Callable[[Request], Awaitable[Response]]


def _by_method(**endpoints: _Endpoint) -> _Endpoint:
    # One route per path, so a wrong method gets a 405 whose Allow header lists every method of the path.
    table = {method.upper(): endpoint for method, endpoint in endpoints.items()}
    if "GET" in table:
        table["HEAD"] = table["GET"]  # Starlette answers HEAD on every GET route

    async def endpoint(request: Request) -> Response:
        return await table[request.method](request)

    return endpoint


def api_routes() -> list[BaseRoute]:
    """The v1 routes; each expects the gateway to have set `request.state.request_id` and `.principal`."""

    # Every write takes an Idempotency-Key, so a retried cancel or delete whose answer was lost replays
    # that answer instead of failing with 409 or 404.
    def create(operation: _Operation) -> _Endpoint:
        return _endpoint(operation, status=201, takes_body=True, idempotent=True)

    def update(operation: _Operation) -> _Endpoint:
        return _endpoint(operation, takes_body=True, idempotent=True)

    def delete(operation: _Operation) -> _Endpoint:
        return _endpoint(operation, idempotent=True)

    def read(operation: _Operation) -> _Endpoint:
        # Unknown query parameters are ignored, as openapi.yaml allows (docs/emulator.md says why).
        return _endpoint(operation)

    def route(path: str, **endpoints: _Endpoint) -> Route:
        return Route(path, _by_method(**endpoints), methods=[method.upper() for method in endpoints])

    return [
        route("/v1/reviews", post=create(_create_review), get=read(_list_reviews)),
        route(
            "/v1/reviews/{review_id}",
            get=read(_get_review),
            patch=update(_update_review),
            delete=delete(_cancel_review),
        ),
        route("/v1/templates", post=create(_create_template), get=read(_list_templates)),
        route(
            "/v1/templates/{template_id}",
            get=read(_get_template),
            patch=update(_update_template),
            delete=delete(_delete_template),
        ),
        route("/v1/webhooks", post=create(_create_webhook), get=read(_list_webhooks)),
        route("/v1/webhooks/{webhook_id}", patch=update(_update_webhook), delete=delete(_delete_webhook)),
        route("/v1/teams", post=create(_create_team)),
        route("/v1/teams/{team_id}/members", get=read(_list_members), post=create(_add_member)),
    ]
