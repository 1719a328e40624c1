"""Every `hitl` subcommand against the loopback emulator, in JSON (stdout is not a terminal here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from hitl import sign_payload
from hitl._cli._app import EXIT_FAILED, EXIT_OK, EXIT_WAIT_TIMEOUT
from hitl_emulator import EmulatorServer

FIELDS = [
    {"name": "content", "type": "content_display", "label": "Text", "editable": True, "required": True},
    {"name": "approved", "type": "boolean", "label": "Approve", "required": True},
]


def _one(result: Any) -> dict[str, Any]:
    assert result.code == EXIT_OK, result.err
    lines = result.out.splitlines()
    assert len(lines) == 1, result.out
    value: dict[str, Any] = json.loads(lines[0])
    return value


def _lines(result: Any) -> list[dict[str, Any]]:
    assert result.code == EXIT_OK, result.err
    return [json.loads(line) for line in result.out.splitlines()]


def _template(cli: Any) -> str:
    return str(_one(cli("templates", "create", "--name", "Check", "--fields", json.dumps(FIELDS)))["id"])


def test_templates(cli: Any, tmp_path: Path) -> None:
    """create (fields from @file), get, list, update, delete."""
    fields = tmp_path / "fields.json"
    fields.write_text(json.dumps(FIELDS))
    created = _one(
        cli("templates", "create", "--name", "Check", "--fields", f"@{fields}", "--description", "d")
    )
    assert [field["name"] for field in created["fields"]] == ["content", "approved"]
    assert _one(cli("templates", "get", created["id"]))["name"] == "Check"
    assert [t["id"] for t in _lines(cli("templates", "list"))] == [created["id"]]
    updated = _one(cli("templates", "update", created["id"], "--name", "Renamed", "--description", "null"))
    assert updated["name"] == "Renamed" and updated.get("description") is None
    assert _one(cli("templates", "delete", created["id"])) == {"id": created["id"], "deleted": True}


def test_reviews(cli: Any, hitl_emulator_server: EmulatorServer) -> None:
    """create, get, list (filtered), update, cancel; wait for one a reviewer completed."""
    template_id = _template(cli)
    review = _one(
        cli(
            "reviews", "create", "--template-id", template_id, "--content", '{"text": "Hello"}',
            "--assignees", "a@example.com", "--assignees", '["b@example.com"]',
            "--priority", "high", "--due-date", "2030-01-02T03:04:05Z",
        )
    )  # fmt: skip
    assert review["assignees"] == ["a@example.com", "b@example.com"]
    assert review["due_date"] == "2030-01-02T03:04:05Z"
    assert _one(cli("reviews", "get", review["id"]))["status"] == "assigned"
    assert [r["id"] for r in _lines(cli("reviews", "list", "--priority", "high"))] == [review["id"]]
    assert _lines(cli("reviews", "list", "--priority", "low")) == []
    updated = _one(cli("reviews", "update", review["id"], "--priority", "low", "--due-date", "null"))
    assert updated["priority"] == "low" and updated.get("due_date") is None

    hitl_emulator_server.emulator.complete_review(review["id"], {"approved": True, "content": "Hello"})
    done = _one(cli("reviews", "wait", review["id"], "--timeout", "5"))
    assert done["status"] == "completed" and done["result"]["approved"] is True

    other = _one(cli("reviews", "create", "--template-id", template_id, "--content", '{"text": "x"}'))
    assert _one(cli("reviews", "cancel", other["id"]))["status"] == "cancelled"


def test_create_and_wait(cli: Any, hitl_emulator_server: EmulatorServer) -> None:
    """`reviews create --wait` prints the decided review; a wait that runs out exits 5 naming the review."""
    template_id = _template(cli)
    httpx.patch(f"{hitl_emulator_server.url}/_emulator/config", json={"auto_complete": 0}).raise_for_status()
    decided = _one(
        cli("reviews", "create", "--template-id", template_id, "--content", '{"text": "a"}', "--wait")
    )
    assert decided["status"] == "completed"

    httpx.patch(
        f"{hitl_emulator_server.url}/_emulator/config", json={"auto_complete": None}
    ).raise_for_status()
    result = cli(
        "reviews", "create", "--template-id", template_id, "--content", '{"text": "b"}',
        "--wait", "--timeout", "0.3", "--poll-interval", "0.1",
    )  # fmt: skip
    assert result.code == EXIT_WAIT_TIMEOUT
    assert result.out == ""
    assert result.err.startswith("hitl: error: review rev_") and "still created" in result.err


def test_list_all_streams_every_page(cli: Any) -> None:
    """Without --all: the first page; with it: every item, one JSON line each, in order."""
    template_id = _template(cli)
    ids = [
        _one(
            cli("reviews", "create", "--template-id", template_id, "--content", json.dumps({"text": str(i)}))
        )["id"]
        for i in range(5)
    ]
    assert [r["id"] for r in _lines(cli("reviews", "list", "--limit", "2"))] == ids[:2]
    assert [r["id"] for r in _lines(cli("reviews", "list", "--limit", "2", "--all"))] == ids


def test_webhooks_and_verify(cli: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """create, list, update, delete; verify a saved delivery, and refuse a tampered one."""
    created = _one(
        cli(
            "webhooks", "create", "--url", "http://127.0.0.1:9/hook",
            "--events", "review.completed", "--events", "review.created", "--no-active",
        )
    )  # fmt: skip
    assert created["events"] == ["review.completed", "review.created"] and created["active"] is False
    assert [w["id"] for w in _lines(cli("webhooks", "list"))] == [created["id"]]
    updated = _one(cli("webhooks", "update", created["id"], "--active", "--events", '["review.cancelled"]'))
    assert updated["active"] is True and updated["events"] == ["review.cancelled"]
    assert _one(cli("webhooks", "delete", created["id"]))["deleted"] is True

    payload = {
        "id": "evt_1",
        "event": "test.ping",
        "note": "tpl_1",
        "timestamp": "2026-01-01T00:00:00Z",
    }
    body, signature = sign_payload(payload, created["secret"])
    saved = tmp_path / "body.json"
    saved.write_bytes(body)
    secret_file = tmp_path / "secret"
    secret_file.write_text(created["secret"] + "\n")
    event = _one(
        cli("webhooks", "verify", str(saved), "--signature", signature, "--secret", f"@{secret_file}")
    )
    assert event["valid"] is True and event["id"] == "evt_1" and event["event"] == "test.ping"

    monkeypatch.setenv("HITL_WEBHOOK_SECRET", created["secret"])
    saved.write_bytes(body.replace(b"tpl_1", b"tpl_2"))
    refused = cli("webhooks", "verify", str(saved), "--signature", signature)
    assert refused.code == EXIT_FAILED and refused.out == ""
    assert "does not match" in refused.err and created["secret"] not in refused.err
    stale = cli("webhooks", "verify", str(tmp_path / "missing"), "--signature", signature)
    assert stale.code == 2


def test_teams(cli: Any) -> None:
    """create, add-member, members."""
    team = _one(cli("teams", "create", "--name", "Legal"))
    member = _one(cli("teams", "add-member", team["id"], "--email", "r@example.com", "--role", "viewer"))
    assert member["role"] == "viewer"
    assert [m["email"] for m in _lines(cli("teams", "members", team["id"]))] == ["r@example.com"]


def test_emulator_command_is_the_emulators(cli: Any) -> None:
    """`hitl emulator` hands its arguments to hitl-emulator's own parser."""
    result = cli("emulator", "--help")
    assert result.code == 0
    assert "--auto-complete" in result.out and "--fault-kinds" in result.out
