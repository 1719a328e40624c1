"""How `hitl` behaves for scripts and people: exit codes, error lines, secrets, pipes and terminals."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from hitl._cli._app import EXIT_API_REFUSED, EXIT_API_UNAVAILABLE, EXIT_OK, EXIT_USAGE
from hitl_emulator import EmulatorServer
from tests.cli.conftest import HITL, run_process

SECRET_KEY = "sk_live_do_not_print_4c1d"


def test_exit_codes_and_one_line_errors(cli: Any, monkeypatch: Any) -> None:
    """4xx → 3, unreachable → 4, bad arguments → 2: each error is one stderr line, with the request id."""
    missing = cli("reviews", "get", "rev_missing")
    assert missing.code == EXIT_API_REFUSED and missing.out == ""
    assert (
        missing.err.count("\n") == 1
        and "review_not_found" in missing.err
        and "request_id=req_" in missing.err
    )
    assert "Traceback" not in missing.err

    bad_json = cli("reviews", "create", "--template-id", "tpl_x", "--content", "{nope")
    assert bad_json.code == EXIT_USAGE and "--content" in bad_json.err
    assert cli("reviews", "create", "--content", "{}").code == EXIT_USAGE  # --template-id is required
    assert cli("reviews", "list", "--priority", "someday").code == EXIT_USAGE
    assert cli("reviews", "update", "rev_1", "--due-date", "2030-01-01T00:00:00").code == EXIT_USAGE
    assert cli().code == EXIT_USAGE
    operations = cli("reviews")  # the resource's help, listing its operations
    assert operations.code == EXIT_USAGE and "wait" in operations.err and "create" in operations.err

    unreachable = cli("--base-url", "http://127.0.0.1:9", "--max-retries", "0", "reviews", "list")
    assert unreachable.code == EXIT_API_UNAVAILABLE and unreachable.err.count("\n") == 1

    monkeypatch.delenv("HITL_API_KEY")
    no_key = cli("reviews", "list")
    assert no_key.code == EXIT_USAGE and "HITL_API_KEY" in no_key.err


def test_the_key_never_appears(cli: Any) -> None:
    """Neither in the error line nor in --debug's request log and traceback."""
    for argv in (("reviews", "list"), ("--debug", "reviews", "list"), ("reviews", "get", "rev_1", "--debug")):
        result = cli("--api-key", SECRET_KEY, *argv)
        assert result.code == EXIT_API_REFUSED
        assert "unauthorized" in result.err
        assert SECRET_KEY not in result.out + result.err
    debug = cli("--api-key", SECRET_KEY, "--debug", "reviews", "list")
    assert "Traceback" in debug.err and "GET" in debug.err


def test_json_on_a_pipe(env: dict[str, str], tmp_path: Path) -> None:
    """Piped: JSON Lines that another program reads; the content argument can come from stdin (@-)."""
    fields = json.dumps([{"name": "ok", "type": "boolean", "label": "OK", "required": True}])
    template = run_process(["templates", "create", "--name", "T", "--fields", fields], env)
    template_id = json.loads(template.out)["id"]
    created = run_process(
        ["reviews", "create", "--template-id", template_id, "--content", "@-"], env, stdin='{"text": "piped"}'
    )
    assert created.code == EXIT_OK and created.err == ""
    assert json.loads(created.out)["content"] == {"text": "piped"}
    listed = run_process(["reviews", "list"], env)
    assert [json.loads(line)["id"] for line in listed.out.splitlines()] == [json.loads(created.out)["id"]]


def _on_terminal(argv: list[str], env: dict[str, str], *, timeout: float = 30) -> tuple[int, str]:
    """Run `hitl` with stdout and stderr on a pseudo-terminal; returns the exit code and what it showed."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*HITL, *argv], stdout=terminal, stderr=terminal, stdin=subprocess.DEVNULL, env=env
    )
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    return process.wait(timeout=5), shown.decode()


def test_tables_and_progress_on_a_terminal(env: dict[str, str], hitl_emulator_server: EmulatorServer) -> None:
    """On a terminal: a table for lists, field rows for one object, and a progress line while waiting."""
    fields = json.dumps([{"name": "ok", "type": "boolean", "label": "OK", "required": True}])
    template_id = json.loads(
        run_process(["templates", "create", "--name", "T", "--fields", fields], env).out
    )["id"]
    review_id = json.loads(
        run_process(
            ["reviews", "create", "--template-id", template_id, "--content", '{"text": "t"}'], env
        ).out
    )["id"]

    code, table = _on_terminal(["reviews", "list"], env)
    assert code == EXIT_OK
    assert "ID" in table and "STATUS" in table and review_id in table and "{" not in table
    code, rows = _on_terminal(["reviews", "get", review_id], env)
    assert code == EXIT_OK and "template_id" in rows and template_id in rows
    code, forced = _on_terminal(["reviews", "get", review_id, "--json"], env)
    assert json.loads(forced)["id"] == review_id

    code, waited = _on_terminal(
        ["reviews", "wait", review_id, "--timeout", "1.5", "--poll-interval", "0.5"], env
    )
    assert code == 5
    assert f"{review_id}: created, waited" in waited  # the progress line

    piped = run_process(["reviews", "wait", review_id, "--timeout", "0.5", "--poll-interval", "0.2"], env)
    assert piped.code == 5 and "waited" not in piped.err.replace("after waiting", "")
    assert piped.err.count("\n") == 1  # only the error line: no progress on a pipe


def test_clients_do_not_import_the_cli() -> None:
    """`import hitl_sync` / `import hitl_async` load neither the command line nor mcp."""
    probe = (
        "import sys, hitl, hitl_sync, hitl_async\n"
        "loaded = [m for m in sys.modules if m.startswith(('hitl._cli', 'mcp', 'argparse'))]\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
