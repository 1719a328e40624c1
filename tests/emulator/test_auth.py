"""Tests that every operation rejects a missing key, a wrong key and, for writes, a read-only key."""

from __future__ import annotations

import httpx
import pytest

from hitl_emulator import EmulatorConfig
from tests.emulator._support import BASE_URL, error_of

READ_ONLY_KEY = "hitl_read_only_key"

OPERATIONS: list[tuple[str, str, str, bool]] = [
    ("reviews.create", "POST", "/v1/reviews", True),
    ("reviews.list", "GET", "/v1/reviews", False),
    ("reviews.get", "GET", "/v1/reviews/rev_x", False),
    ("reviews.update", "PATCH", "/v1/reviews/rev_x", True),
    ("reviews.cancel", "DELETE", "/v1/reviews/rev_x", True),
    ("templates.create", "POST", "/v1/templates", True),
    ("templates.list", "GET", "/v1/templates", False),
    ("templates.get", "GET", "/v1/templates/tpl_x", False),
    ("templates.update", "PATCH", "/v1/templates/tpl_x", True),
    ("templates.delete", "DELETE", "/v1/templates/tpl_x", True),
    ("webhooks.create", "POST", "/v1/webhooks", True),
    ("webhooks.list", "GET", "/v1/webhooks", False),
    ("webhooks.update", "PATCH", "/v1/webhooks/wh_x", True),
    ("webhooks.delete", "DELETE", "/v1/webhooks/wh_x", True),
    ("teams.create", "POST", "/v1/teams", True),
    ("teams.list_members", "GET", "/v1/teams/team_x/members", False),
    ("teams.add_member", "POST", "/v1/teams/team_x/members", True),
]


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    """The development key plus a read-only key."""
    return EmulatorConfig(read_only_keys=(READ_ONLY_KEY,))


@pytest.fixture
def anonymous(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The in-process client without its Authorization header."""
    client.headers.pop("Authorization")
    return client


def _call(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]) -> httpx.Request:
    body = None if method in ("GET", "DELETE") else b"{}"
    return client.build_request(
        method, BASE_URL + path, content=body, headers={"Content-Type": "application/json", **headers}
    )


@pytest.mark.parametrize(
    ("operation", "method", "path", "is_write"), OPERATIONS, ids=[op[0] for op in OPERATIONS]
)
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong_key",
        "Bearer ",
        "Basic aGl0bF9kZXZfa2V5Og==",
        "hitl_dev_key",
        "Bearer hitl_dev_key_suffix",
    ],
    ids=["missing", "wrong", "empty", "basic", "no-scheme", "prefix"],
)
@pytest.mark.asyncio
async def test_missing_or_wrong_key_is_401(
    anonymous: httpx.AsyncClient,
    operation: str,
    method: str,
    path: str,
    is_write: bool,
    authorization: str | None,
) -> None:
    """No key, a wrong key or a malformed header: 401 `unauthorized`, with the rate-limit headers."""
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await anonymous.send(_call(anonymous, method, path, headers))
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response.headers["X-RateLimit-Limit"] == "1000"


@pytest.mark.parametrize(
    ("operation", "method", "path", "is_write"), OPERATIONS, ids=[op[0] for op in OPERATIONS]
)
@pytest.mark.asyncio
async def test_read_only_key_may_read_but_not_write(
    anonymous: httpx.AsyncClient, operation: str, method: str, path: str, is_write: bool
) -> None:
    """A read-only key gets 403 `insufficient_permissions` on writes and is let through on reads."""
    response = await anonymous.send(
        _call(anonymous, method, path, {"Authorization": f"Bearer {READ_ONLY_KEY}"})
    )
    if is_write:
        assert response.status_code == 403
        assert error_of(response)["code"] == "insufficient_permissions"
    else:
        assert response.status_code in (200, 404)
    assert int(response.headers["X-RateLimit-Remaining"]) == 999


@pytest.mark.asyncio
async def test_scheme_is_case_insensitive(anonymous: httpx.AsyncClient) -> None:
    """`bearer` in lower case is accepted, as RFC 6750 allows."""
    response = await anonymous.get("/v1/reviews", headers={"Authorization": "bearer hitl_dev_key"})
    assert response.status_code == 200
