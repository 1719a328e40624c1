"""Tests that bad bytes, odd unicode and unknown routes get documented 4xx envelopes, never a crash."""

from __future__ import annotations

import json

import httpx
import pytest

from hitl_emulator import EmulatorConfig, run_in_thread
from tests.emulator._support import AUTH, CONTENT_REVIEW_FIELDS, data_of, error_of

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("content", "headers", "issue"),
    [
        (b'{"name": ', JSON, "is not valid JSON"),
        (b"{'name': 'T'}", JSON, "is not valid JSON"),
        (b'{"name": "T"}', {"Content-Type": "text/plain"}, "Content-Type"),
        (b"name=T", {"Content-Type": "application/x-www-form-urlencoded"}, "Content-Type"),
        (b'{"name": "T"}', {}, "Content-Type"),
        (b"", JSON, "is required"),
        (b"   ", JSON, "is required"),
        (b'["name"]', JSON, "must be a JSON object"),
        (b'"T"', JSON, "must be a JSON object"),
        (b"null", JSON, "must be a JSON object"),
        (b'{"name": NaN}', JSON, "is not valid JSON"),
        (b'{"name": Infinity}', JSON, "is not valid JSON"),
        (b'{"name": ' + b"9" * 5000 + b"}", JSON, "is not valid JSON"),
        (b'{"name": "\xff\xfe"}', JSON, "UTF-8"),
        (b'\xef\xbb\xbf{"name": "T"}', JSON, "is not valid JSON"),
        (b'{"name": "\\ud800"}', JSON, "surrogate"),
        (b'{"\\udfff": "T"}', JSON, "surrogate"),
        (b'{"description": ' + b"[" * 3000 + b"]" * 3000 + b', "name": "T"}', JSON, "nests deeper"),
        (b'{"description": ' + b"[" * 70 + b"]" * 70 + b', "name": "T"}', JSON, "nests deeper"),
    ],
)
@pytest.mark.asyncio
async def test_bad_bodies_are_validation_errors(
    client: httpx.AsyncClient, content: bytes, headers: dict[str, str], issue: str
) -> None:
    """Malformed, mistyped, non-object, non-UTF-8, non-JSON-number and absurdly nested bodies are 400s."""
    response = await client.post("/v1/teams", content=content, headers=headers)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert issue in error["details"]["issue"] or issue in error["message"]


@pytest.mark.asyncio
async def test_a_huge_body_is_refused_with_the_limit(client: httpx.AsyncClient) -> None:
    """A body over the 1 MiB cap is a 400 that states the limit."""
    huge = json.dumps({"name": "x" * (1024 * 1024)})
    response = await client.post("/v1/teams", content=huge, headers=JSON)
    assert response.status_code == 400
    assert error_of(response)["details"] == {
        "field": "body",
        "issue": "is larger than the limit of 1048576 bytes",
    }


def test_a_huge_body_over_http_leaves_the_connection_usable() -> None:
    """Over real HTTP the refusal arrives whole, and the next request on the same client works."""
    config = EmulatorConfig(max_body_bytes=1000)
    with run_in_thread(config) as server, httpx.Client(base_url=server.url, headers=AUTH) as client:
        response = client.post("/v1/teams", content=b'{"name": "' + b"x" * 200_000 + b'"}', headers=JSON)
        assert (response.status_code, error_of(response)["details"]["field"]) == (400, "body")
        assert client.post("/v1/teams", json={"name": "ok"}).status_code == 201


@pytest.mark.parametrize(
    "text",
    [
        "nul\x00inside",
        "emoji 🧑‍⚖️ and RTL ‏שלום‎",
        "\u2028line\u2029separators",
        "zero\u200bwidth",
        "\U0010ffff",
        "",
    ],
)
@pytest.mark.asyncio
async def test_odd_but_valid_unicode_round_trips(client: httpx.AsyncClient, text: str) -> None:
    """Valid JSON strings, NUL and astral characters included, are stored and returned unchanged."""
    template = data_of(
        await client.post("/v1/templates", json={"name": "T", "fields": CONTENT_REVIEW_FIELDS}), 201
    )
    created = await client.post(
        "/v1/reviews",
        json={"template_id": template["id"], "content": {"text": text, "metadata": {text: [text]}}},
    )
    review = data_of(created, 201)
    assert review["content"] == {"text": text, "metadata": {text: [text]}}
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["content"]["text"] == text
    page = await client.get("/ui/reviews/" + review["id"])
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/reviews/rev%00x", 404, "review_not_found"),
        ("GET", "/v1/reviews/" + "r" * 5000, 404, "review_not_found"),
        ("GET", "/v1/reviews/%F0%9F%A7%91", 404, "review_not_found"),
        ("GET", "/v1/reviews/%ff%fe", 404, "review_not_found"),
        ("GET", "/v1/reviews?status=%00", 400, "validation_error"),
        ("GET", "/v1/reviews?limit=%00", 400, "validation_error"),
        ("GET", "/v1/reviews?cursor=%ff", 400, "validation_error"),
        ("GET", "/v1/reviews?assignee=a%00@b.c", 400, "validation_error"),
        ("GET", "/v1/reviews?template_id=%00", 200, None),
        ("GET", "/v1/reviews/", 404, "not_found"),
        ("GET", "/v1", 404, "not_found"),
        ("GET", "/nowhere", 404, "not_found"),
        ("GET", "/_emulator/nowhere", 404, "not_found"),
        ("PUT", "/v1/reviews/rev_x", 405, "method_not_allowed"),
        ("GET", "/v1/webhooks/wh_x", 405, "method_not_allowed"),
        ("OPTIONS", "/v1/reviews", 405, "method_not_allowed"),
    ],
)
@pytest.mark.asyncio
async def test_odd_paths_and_queries(
    client: httpx.AsyncClient, method: str, path: str, status: int, code: str | None
) -> None:
    """Odd ids are simply unknown, odd filters are 400s, and unknown routes or methods get envelopes."""
    response = await client.request(method, path)
    assert response.status_code == status
    if code is not None:
        assert error_of(response)["code"] == code
    if status == 405:
        assert response.headers["Allow"]


@pytest.mark.asyncio
async def test_wrong_types_everywhere_are_400(client: httpx.AsyncClient) -> None:
    """Every body member given a value of the wrong JSON type is a 400, never a 500."""
    template = data_of(
        await client.post("/v1/templates", json={"name": "T", "fields": CONTENT_REVIEW_FIELDS}), 201
    )
    team = data_of(await client.post("/v1/teams", json={"name": "T"}), 201)
    review = data_of(
        await client.post("/v1/reviews", json={"template_id": template["id"], "content": {"text": "x"}}), 201
    )
    bodies = {
        ("POST", "/v1/reviews"): {
            "template_id": template["id"],
            "content": {"text": "x"},
            "assignees": [],
            "priority": "low",
        },
        ("PATCH", f"/v1/reviews/{review['id']}"): {
            "assignees": [],
            "priority": "low",
            "content": {"text": "y"},
        },
        ("POST", "/v1/templates"): {"name": "T", "description": "d", "fields": CONTENT_REVIEW_FIELDS},
        ("PATCH", f"/v1/templates/{template['id']}"): {"name": "T", "description": "d"},
        ("POST", "/v1/webhooks"): {
            "url": "https://e.com",
            "events": ["review.created"],
            "active": True,
            "description": "d",
        },
        ("POST", "/v1/teams"): {"name": "T", "description": "d"},
        ("POST", f"/v1/teams/{team['id']}/members"): {"email": "a@b.c", "role": "admin"},
    }
    wrong_values: list[object] = [None, 1, 1.5, True, "s", [], {}, [None], {"x": None}]
    for (method, path), body in bodies.items():
        for key in body:
            for value in wrong_values:
                response = await client.request(method, path, json={**body, key: value})
                assert response.status_code in (200, 201, 400, 404, 409), (
                    method,
                    path,
                    key,
                    value,
                    response.text,
                )
