"""
Tests that the emulator cannot silently disagree with openapi.yaml: every operation has a route, and every
enum value the spec allows is accepted. The enum sets, body members and bounds come from the spec through
the generated `hitl_emulator/_contract.py`; these tests prove that path with a changed copy of the spec.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.applications import Starlette
from starlette.routing import Route

from codegen._emulator import render_contract
from hitl_emulator import Emulator, create_app
from tests.emulator._support import data_of

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
_METHODS = ("get", "put", "post", "patch", "delete")


def missing_routes(spec: dict[str, Any], app: Starlette) -> list[str]:
    """One line per spec operation the app has no route for, saying what to do about it."""
    served = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
    }
    return [
        f"openapi.yaml has {item[method].get('operationId', '?')} ({method.upper()} {path}) but the emulator "
        "has no route for it: add one in hitl_emulator/_api.py (api_routes), with a test in tests/emulator/"
        for path, item in spec["paths"].items()
        for method in _METHODS
        if method in item and (method.upper(), path) not in served
    ]


def _enum(name: str) -> list[str]:
    values: list[str] = SPEC["components"]["schemas"][name]["enum"]
    return values


def test_every_operation_in_the_spec_has_a_route() -> None:
    """The emulator serves every operation of openapi.yaml (a documented 404 is not an implementation)."""
    assert missing_routes(SPEC, create_app()) == []


def test_an_operation_without_a_route_fails_the_check_and_says_what_to_do() -> None:
    """A spec that gains an operation the emulator lacks makes the check fail, naming it."""
    grown = copy.deepcopy(SPEC)
    grown["paths"]["/v1/reviews/{review_id}/escalate"] = {"post": {"operationId": "reviews.escalate"}}
    assert missing_routes(grown, create_app()) == [
        "openapi.yaml has reviews.escalate (POST /v1/reviews/{review_id}/escalate) but the emulator has no "
        "route for it: add one in hitl_emulator/_api.py (api_routes), with a test in tests/emulator/"
    ]


@pytest.mark.parametrize("priority", _enum("Priority"))
@pytest.mark.asyncio
async def test_every_priority_is_accepted(
    client: httpx.AsyncClient, make_template: Any, priority: str
) -> None:
    """reviews.create and reviews.update take every `Priority` of the spec."""
    template = await make_template()
    body = {"template_id": template["id"], "content": {"text": "x"}, "priority": priority}
    review = data_of(await client.post("/v1/reviews", json=body), 201)
    data_of(await client.patch(f"/v1/reviews/{review['id']}", json={"priority": priority}))
    data_of(await client.get("/v1/reviews", params={"priority": priority}))


@pytest.mark.parametrize("status", _enum("ReviewStatus"))
@pytest.mark.asyncio
async def test_every_status_filter_is_accepted(client: httpx.AsyncClient, status: str) -> None:
    """reviews.list filters by every `ReviewStatus` of the spec."""
    data_of(await client.get("/v1/reviews", params={"status": status}))


@pytest.mark.parametrize("field_type", _enum("FieldType"))
@pytest.mark.asyncio
async def test_every_field_type_is_accepted(client: httpx.AsyncClient, field_type: str) -> None:
    """templates.create takes a field of every `FieldType` of the spec (selects with their options)."""
    field = {"name": "f", "type": field_type, "label": "F", "options": ["a", "b"]}
    data_of(await client.post("/v1/templates", json={"name": "T", "fields": [field]}), 201)


@pytest.mark.parametrize("event", _enum("WebhookEventType"))
@pytest.mark.asyncio
async def test_every_event_type_is_accepted(client: httpx.AsyncClient, event: str) -> None:
    """webhooks.create takes every `WebhookEventType` of the spec."""
    body = {"url": "http://127.0.0.1:9/hook", "events": [event]}
    data_of(await client.post("/v1/webhooks", json=body), 201)


@pytest.mark.parametrize("role", _enum("TeamRole"))
@pytest.mark.asyncio
async def test_every_role_is_accepted(client: httpx.AsyncClient, role: str) -> None:
    """teams.add_member takes every `TeamRole` of the spec."""
    team = data_of(await client.post("/v1/teams", json={"name": "T"}), 201)
    data_of(await client.post(f"/v1/teams/{team['id']}/members", json={"email": "a@b.co", "role": role}), 201)


_PROBE = """
import json, httpx, asyncio
from hitl_emulator import create_app

async def main():
    transport = httpx.ASGITransport(app=create_app())
    headers = {"Authorization": "Bearer hitl_dev_key"}
    async with httpx.AsyncClient(transport=transport, base_url="http://hitl.test", headers=headers) as client:
        fields = [{"name": "ok", "type": "boolean", "label": "OK"}]
        template = (await client.post("/v1/templates", json={"name": "T", "fields": fields})).json()["data"]
        review = {"template_id": template["id"], "content": {"text": "x"}, "priority": "critical"}
        hook = {"url": "http://127.0.0.1:9/hook", "events": ["review.escalated"]}
        answers = [await client.post("/v1/reviews", json=review)]
        answers.append(await client.post("/v1/webhooks", json=hook))
        print(json.dumps([answer.status_code for answer in answers]))

asyncio.run(main())
"""


def _probe(package_parent: Path | None, cwd: Path) -> list[int]:
    # Run outside the checkout, so that only PYTHONPATH (or the installed package) decides what is imported.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if package_parent is not None:
        env["PYTHONPATH"] = str(package_parent)
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, cwd=cwd, env=env
    )
    statuses: list[int] = json.loads(completed.stdout)
    return statuses


def test_an_emulator_built_from_a_changed_spec_accepts_its_new_values(tmp_path: Path) -> None:
    """
    A spec copy with `priority: critical` and event `review.escalated`: the emulator of today refuses both,
    and one whose `_contract.py` is generated from that copy accepts both, with no other change.
    """
    grown = copy.deepcopy(SPEC)
    grown["components"]["schemas"]["Priority"]["enum"].append("critical")
    grown["components"]["schemas"]["WebhookEventType"]["enum"].append("review.escalated")
    spec_copy = tmp_path / "openapi.yaml"
    spec_copy.write_text(yaml.safe_dump(grown, sort_keys=False), encoding="utf-8")
    rebuilt = tmp_path / "site"
    shutil.copytree(
        ROOT / "hitl_emulator", rebuilt / "hitl_emulator", ignore=shutil.ignore_patterns("__pycache__")
    )
    (rebuilt / "hitl_emulator" / "_contract.py").write_text(render_contract(spec_copy), encoding="utf-8")
    assert _probe(None, tmp_path) == [400, 400]
    assert _probe(rebuilt, tmp_path) == [201, 201]


def test_the_emulator_imports_its_vocabulary_from_the_contract() -> None:
    """The checks use the generated sets themselves, not copies that could drift."""
    from hitl_emulator import _contract, _model

    assert _model.PRIORITIES is _contract.PRIORITIES and _model.EVENT_TYPES is _contract.EVENT_TYPES
    assert isinstance(Emulator().app, Starlette)
