"""
Comparison 1, per-call overhead: what hitl adds to a call over raw httpx doing the same work by hand.

Both sides share one `httpx.MockTransport` whose handler answers with pre-serialised bytes, so no sockets and
no server time dilute the difference. The raw side sends the very same request (method, URL, headers with
`Authorization`, JSON body, an `Idempotency-Key` on POST: checked before timing) and parses the same JSON,
`response.json()["data"]`; hitl also checks the envelope and builds models. Sync and async, `reviews.get`,
`reviews.create` and one 20-review page of `reviews.list`. Budget: hitl at most 1.25x raw.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks._data import (
    API_KEY,
    BASE_URL,
    CONTENT,
    JSON_HEADERS,
    TEMPLATE_ID,
    envelope,
    page,
    request_headers,
    review,
)
from benchmarks._harness import Report, Row, alternate, alternate_async, main, time_calls, time_calls_async
from hitl_async import AsyncHITL
from hitl_sync import HITL

BUDGET = 1.25
LIST_SIZE = 20
REVIEW_ID = "rev_00000001"
HEADERS = request_headers()
BODY = {"template_id": TEMPLATE_ID, "content": CONTENT}

_ONE = envelope(review(1))
_CREATED = envelope(review(2))
_PAGE = page(LIST_SIZE)


@dataclass(frozen=True)
class Sizes:
    rounds: int  # samples per side, alternating
    calls: int  # calls per sample
    warmup: int  # untimed calls per side first


FULL = Sizes(rounds=40, calls=100, warmup=300)
SMOKE = Sizes(rounds=2, calls=3, warmup=1)


def handler(request: httpx.Request) -> httpx.Response:
    """The fake API: a created review for POST, a page for the list, one review otherwise."""
    if request.method == "POST":
        return httpx.Response(201, content=_CREATED, headers=JSON_HEADERS)
    if request.url.path == "/v1/reviews":
        return httpx.Response(200, content=_PAGE, headers=JSON_HEADERS)
    return httpx.Response(200, content=_ONE, headers=JSON_HEADERS)


def post_headers() -> dict[str, str]:
    """What raw code must send to make a POST safe to retry, as hitl does: a fresh idempotency key."""
    return {**HEADERS, "Idempotency-Key": str(uuid.uuid4())}


def sync_calls(transport: httpx.MockTransport) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """Per operation: the hitl call and the raw httpx call doing the same."""
    client = HITL(api_key=API_KEY, base_url=BASE_URL, http_client=httpx.Client(transport=transport))
    raw = httpx.Client(transport=transport)
    url = f"{BASE_URL}/v1/reviews"
    return {
        "reviews.get": (
            lambda: client.reviews.get(REVIEW_ID),
            lambda: raw.request("GET", f"{url}/{REVIEW_ID}", headers=HEADERS).json()["data"],
        ),
        "reviews.create": (
            lambda: client.reviews.create(template_id=TEMPLATE_ID, content=CONTENT),
            lambda: raw.request("POST", url, headers=post_headers(), json=BODY).json()["data"],
        ),
        f"reviews.list ({LIST_SIZE})": (
            lambda: client.reviews.list(limit=LIST_SIZE).first_page(),
            lambda: raw.request("GET", url, params={"limit": LIST_SIZE}, headers=HEADERS).json()["data"],
        ),
    }


def async_calls(
    transport: httpx.MockTransport,
) -> dict[str, tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]]:
    """`sync_calls` for `AsyncHITL` and `httpx.AsyncClient`."""
    client = AsyncHITL(api_key=API_KEY, base_url=BASE_URL, http_client=httpx.AsyncClient(transport=transport))
    raw = httpx.AsyncClient(transport=transport)
    url = f"{BASE_URL}/v1/reviews"

    async def raw_get() -> Any:
        return (await raw.request("GET", f"{url}/{REVIEW_ID}", headers=HEADERS)).json()["data"]

    async def raw_create() -> Any:
        return (await raw.request("POST", url, headers=post_headers(), json=BODY)).json()["data"]

    async def raw_list() -> Any:
        return (await raw.request("GET", url, params={"limit": LIST_SIZE}, headers=HEADERS)).json()["data"]

    return {
        "reviews.get": (lambda: client.reviews.get(REVIEW_ID), raw_get),
        "reviews.create": (
            lambda: client.reviews.create(template_id=TEMPLATE_ID, content=CONTENT),
            raw_create,
        ),
        f"reviews.list ({LIST_SIZE})": (lambda: client.reviews.list(limit=LIST_SIZE).first_page(), raw_list),
    }


def _fingerprint(request: httpx.Request) -> tuple[Any, ...]:
    headers = {name: value for name, value in request.headers.items() if name != "idempotency-key"}
    body = json.loads(request.content) if request.content else None
    return (
        request.method,
        str(request.url),
        sorted(headers.items()),
        "idempotency-key" in request.headers,
        body,
    )


def check_same_requests() -> None:
    """Stop unless both sides put the same request on the wire for every operation (else timing is unfair)."""
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return handler(request)

    for operation, (hitl_call, raw_call) in sync_calls(httpx.MockTransport(recording)).items():
        seen.clear()
        hitl_call()
        raw_call()
        ours, theirs = (_fingerprint(request) for request in seen)
        if ours != theirs:
            raise SystemExit(
                f"{operation}: the raw request differs from hitl's, fix the benchmark:\n{ours}\n{theirs}"
            )


def _row(mode: str, operation: str, ours: float, theirs: float) -> Row:
    ratio = ours / theirs
    return Row(
        case=f"{mode} {operation}",
        hitl=f"{ours:.1f} us",
        reference=f"{theirs:.1f} us",
        ratio=ratio,
        budget=f"<= {BUDGET}x",
        ok=ratio <= BUDGET,
        note=f"{ours - theirs:+.1f} us",
    )


def measure_sync(sizes: Sizes) -> list[Row]:
    rows = []
    for operation, (hitl_call, raw_call) in sync_calls(httpx.MockTransport(handler)).items():
        for _ in range(sizes.warmup):
            hitl_call()
            raw_call()
        medians = alternate(
            {"hitl": time_calls(hitl_call, sizes.calls), "raw": time_calls(raw_call, sizes.calls)},
            sizes.rounds,
        )
        rows.append(_row("sync", operation, medians["hitl"], medians["raw"]))
    return rows


async def measure_async(sizes: Sizes) -> list[Row]:
    rows = []
    for operation, (hitl_call, raw_call) in async_calls(httpx.MockTransport(handler)).items():
        for _ in range(sizes.warmup):
            await hitl_call()
            await raw_call()
        samplers = {
            "hitl": time_calls_async(hitl_call, sizes.calls),
            "raw": time_calls_async(raw_call, sizes.calls),
        }
        medians = await alternate_async(samplers, sizes.rounds)
        rows.append(_row("async", operation, medians["hitl"], medians["raw"]))
    return rows


def run(smoke: bool) -> Report:
    sizes = SMOKE if smoke else FULL
    check_same_requests()
    report = Report("overhead", "per-call overhead over httpx.MockTransport (no sockets)", "raw httpx")
    report.rows += measure_sync(sizes)
    report.rows += asyncio.run(measure_async(sizes))  # one loop for all async samples, timed inside it
    report.notes.append(
        f"median of {sizes.rounds} alternating samples of {sizes.calls} calls per side; "
        "the same request on both sides (checked); raw parses response.json()['data']"
    )
    return report


if __name__ == "__main__":
    main(run)
