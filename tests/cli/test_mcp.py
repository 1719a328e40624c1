"""`hitl mcp` end to end: the mcp package's own client over stdio, against the loopback emulator."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import mcp_types as types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from hitl_emulator import EmulatorServer
from tests.cli.conftest import HITL


def _text(result: Any) -> str:
    assert isinstance(result, types.CallToolResult)
    return "".join(part.text for part in result.content if isinstance(part, types.TextContent))


def _server(env: dict[str, str], *extra: str) -> StdioServerParameters:
    return StdioServerParameters(command=HITL[0], args=[*HITL[1:], "mcp", *extra], env=env)


def test_agent_asks_a_human_and_gets_the_decision(
    hitl_emulator_server: EmulatorServer, env: dict[str, str]
) -> None:
    """List tools, request approval, let the emulator's reviewer decide, and read it via wait_for_decision."""
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async def scenario() -> dict[str, Any]:
        with anyio.fail_after(60):
            return await steps()

    async def steps() -> dict[str, Any]:
        async with (
            stdio_client(_server(env, "--max-wait", "1")) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            assert set(tools) == {
                "create_review",
                "request_approval",
                "get_review",
                "list_reviews",
                "cancel_review",
                "wait_for_decision",
            }
            # Schemas and descriptions come from the generated methods (and so from openapi.yaml).
            create = tools["create_review"]
            assert create.description is not None and create.description.startswith("Create a review.")
            assert create.input_schema["required"] == ["template_id", "content"]
            assert create.input_schema["properties"]["priority"]["enum"] == [
                "low",
                "medium",
                "high",
                "urgent",
            ]

            asked = await session.call_tool(
                "request_approval", {"action": "Delete 40 stale branches", "priority": "high"}
            )
            assert not asked.is_error, _text(asked)
            review = json.loads(_text(asked))
            assert review["status"] == "created" and review["priority"] == "high"
            assert review["content"]["text"] == "Delete 40 stale branches"

            pending = await session.call_tool(
                "wait_for_decision", {"review_id": review["id"]}, progress_callback=on_progress
            )
            assert json.loads(_text(pending))["decided"] is False

            # The reviewer decides, through the emulator's control API.
            completed = httpx.post(
                f"{hitl_emulator_server.url}/_emulator/reviews/{review['id']}/complete",
                json={"result": {"approved": True, "feedback": "go ahead"}},
            )
            assert completed.status_code == 200, completed.text
            decided = await session.call_tool("wait_for_decision", {"review_id": review["id"]})
            return json.loads(_text(decided))

    decision = anyio.run(scenario)
    assert decision["decided"] is True
    assert decision["review"]["status"] == "completed"
    assert decision["review"]["result"]["approved"] is True
    assert progress and progress[-1][1] == 1.0


def test_every_tool_against_the_emulator(hitl_emulator_server: EmulatorServer, env: dict[str, str]) -> None:
    """create, get, list, cancel; refusals are tool errors with the API's message; one approval template."""
    headers = {"Authorization": f"Bearer {hitl_emulator_server.api_key}"}
    template = httpx.post(
        f"{hitl_emulator_server.url}/v1/templates",
        headers=headers,
        json={"name": "T", "fields": [{"name": "ok", "type": "boolean", "label": "OK", "required": True}]},
    ).json()["data"]

    async def scenario() -> dict[str, str]:
        texts: dict[str, str] = {}
        async with stdio_client(_server(env)) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            created = await session.call_tool(
                "create_review",
                {
                    "template_id": template["id"],
                    "content": {"text": "Check"},
                    "due_date": "2030-01-01T00:00:00Z",
                },
            )
            review = json.loads(_text(created))
            assert review["due_date"] == "2030-01-01T00:00:00Z"
            fetched = json.loads(_text(await session.call_tool("get_review", {"review_id": review["id"]})))
            assert fetched["id"] == review["id"]
            cancelled = await session.call_tool("cancel_review", {"review_id": review["id"]})
            assert json.loads(_text(cancelled))["status"] == "cancelled"
            for _ in range(2):
                ok = await session.call_tool("request_approval", {"action": "Deploy", "details": "to prod"})
                assert not ok.is_error, _text(ok)
            listed = json.loads(_text(await session.call_tool("list_reviews", {"limit": 2})))
            assert len(listed["reviews"]) == 2 and listed["reviews"][0]["id"] == review["id"]
            assert listed["next_cursor"]

            for name, arguments in {
                "missing": ("get_review", {"review_id": "rev_missing"}),
                "incomplete": ("create_review", {"template_id": template["id"]}),
                "unknown": ("get_review", {"review_id": "rev_1", "verbose": True}),
                "conflict": ("cancel_review", {"review_id": review["id"]}),
            }.items():
                result = await session.call_tool(*arguments)
                assert isinstance(result, types.CallToolResult) and result.is_error, name
                texts[name] = _text(result)
        return texts

    errors = anyio.run(scenario)
    assert "review_not_found" in errors["missing"] and "request_id=req_" in errors["missing"]
    assert "content" in errors["incomplete"]
    assert "verbose" in errors["unknown"]
    assert errors["conflict"].startswith("409 conflict")
    names = [t["name"] for t in _templates(hitl_emulator_server)]
    assert names.count("Approval (hitl mcp)") == 1


def _templates(server: EmulatorServer) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{server.url}/v1/templates",
        headers={"Authorization": f"Bearer {server.api_key}"},
        params={"limit": 100},
    )
    return list(response.json()["data"])
