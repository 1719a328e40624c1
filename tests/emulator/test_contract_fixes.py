"""Tests that the emulator answers as the reference does, and the small hostile inputs it once mishandled."""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

import httpx
import pytest

from hitl_emulator import Emulator, EmulatorConfig
from tests.emulator._support import data_of, error_of
from tests.emulator.conftest import MakeReview, MakeTemplate

NESTED_CURSOR = "cur_" + base64.urlsafe_b64encode(b"[" * 1000 + b"]" * 1000).decode()


@pytest.mark.asyncio
async def test_config_route_never_shows_keys(hitl_emulator: Emulator) -> None:
    """`GET /_emulator/config` takes no key, so it must not hand out the read-write or read-only keys."""
    hitl_emulator.reset(EmulatorConfig(api_keys=("rw_secret_key",), read_only_keys=("ro_secret_key",)))
    transport = httpx.ASGITransport(app=hitl_emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hitl.test") as anonymous:
        shown = await anonymous.get("/_emulator/config")
        changed = await anonymous.patch("/_emulator/config", json={"auto_complete": 1})
    for response in (shown, changed):
        assert response.status_code == 200
        assert "rw_secret_key" not in response.text and "ro_secret_key" not in response.text
        assert "api_keys" not in data_of(response) and "read_only_keys" not in data_of(response)


def test_keys_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every configured key goes through `hmac.compare_digest`, not `==`."""
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return original(a, b)

    emulator = Emulator(EmulatorConfig(api_keys=("k1", "k2"), read_only_keys=("r1",)))
    monkeypatch.setattr("hitl_emulator._emulator.hmac.compare_digest", spy)
    found = [emulator.authenticate(key) for key in ("k1", "r1", "nope")]
    assert [(p.key, p.read_only) if p else None for p in found] == [("k1", False), ("r1", True), None]
    assert len(compared) == 9  # every configured key each time, whichever matched
    assert emulator.authenticate(None) is None


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": NESTED_CURSOR},
        {"cursor": "cur_" + base64.urlsafe_b64encode(b'{"after":' * 200 + b"1" + b"}" * 200).decode()},
        {"cursor": "cur_" + "A" * 5000},
        {"limit": "20\n"},
        {"limit": "\n20"},
        {"limit": "٢٠"},  # Arabic-Indic digits: int() reads them, the contract does not
    ],
)
@pytest.mark.asyncio
async def test_hostile_cursors_and_limits_are_400(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    """A deeply nested or oversized cursor and a limit with a trailing newline are 400s, never a 500."""
    response = await client.get("/v1/reviews", params=params)
    assert response.status_code == 400, response.text
    assert error_of(response)["code"] == "validation_error"


def test_nested_cursor_over_http_leaves_the_connection_usable(hitl_emulator_server: Any) -> None:
    """The answer after a hostile cursor, on the same keep-alive connection, is a normal answer."""
    headers = {"Authorization": f"Bearer {hitl_emulator_server.api_key}"}
    with httpx.Client(base_url=hitl_emulator_server.url, headers=headers) as http:
        assert http.get("/v1/reviews", params={"cursor": NESTED_CURSOR}).status_code == 400
        assert http.get("/v1/reviews").status_code == 200


@pytest.mark.parametrize(
    "name", ["ok\n", "ok\r\n", "\nok", "ok\x00", "OK", "1ok", "ok-ok", "ok ok", "ok\u0131", "ok\u0660"]
)
@pytest.mark.asyncio
async def test_template_field_names_are_matched_whole(client: httpx.AsyncClient, name: str) -> None:
    """A field name with a trailing newline (which `$` lets through) or any foreign character is a 400."""
    response = await client.post(
        "/v1/templates",
        json={"name": "T", "fields": [{"name": name, "type": "boolean", "label": "L"}]},
    )
    assert response.status_code == 400
    assert error_of(response)["details"]["field"] == "fields[0].name"


@pytest.mark.parametrize(
    ("field", "value"),
    [("due_date", "2024-01-20T18:00:00Z\n"), ("assignees", ["a@b.c\n"])],
)
@pytest.mark.asyncio
async def test_trailing_newlines_are_refused_in_dates_and_emails(
    client: httpx.AsyncClient, make_template: MakeTemplate, field: str, value: Any
) -> None:
    """Dates and email addresses are matched whole too."""
    template = await make_template()
    body = {"template_id": template["id"], "content": {"text": "x"}, field: value}
    response = await client.post("/v1/reviews", json=body)
    assert response.status_code == 400
    assert error_of(response)["details"]["field"].startswith(field)


@pytest.mark.asyncio
async def test_create_with_assignees_answers_created_then_assigns(
    client: httpx.AsyncClient, make_review: MakeReview
) -> None:
    """The create answer says `created`, as the reference's example; `review.assigned` follows at once."""
    review = await make_review(assignees=["reviewer@company.com"])
    assert review["status"] == "created"
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == "assigned"
    events = [event["event"] for event in data_of(await client.get("/_emulator/events"))]
    assert events == ["review.created", "review.assigned"]


@pytest.mark.asyncio
async def test_a_replayed_create_answers_created_too(
    client: httpx.AsyncClient, make_template: MakeTemplate
) -> None:
    """The idempotent replay repeats the first answer byte for byte, `created` included."""
    template = await make_template()
    body = {"template_id": template["id"], "content": {"text": "x"}, "assignees": ["a@b.co"]}
    first = await client.post("/v1/reviews", json=body, headers={"Idempotency-Key": "k1"})
    again = await client.post("/v1/reviews", json=body, headers={"Idempotency-Key": "k1"})
    assert first.content == again.content and json.loads(again.content)["data"]["status"] == "created"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/reviews", {"sort": "asc"}),
        ("/v1/reviews", {"status": "created", "expand": "template", "utm_source": "x"}),
        ("/v1/templates", {"order": "desc"}),
        ("/v1/webhooks", {"include_secret": "true"}),
    ],
)
@pytest.mark.asyncio
async def test_unknown_query_parameters_are_ignored(
    client: httpx.AsyncClient, make_review: MakeReview, path: str, params: dict[str, str]
) -> None:
    """The spec allows query parameters it does not name; the emulator ignores them, as the spec says."""
    await make_review()
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert "secret" not in response.text
