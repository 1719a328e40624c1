"""`hitl reviews create-many`: JSON Lines in, one outcome per item out, in order; progress on a TTY only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hitl._cli._app import EXIT_API_REFUSED, EXIT_API_UNAVAILABLE, EXIT_OK, EXIT_USAGE
from tests.cli.conftest import run_process
from tests.cli.test_behaviour import _on_terminal

FIELDS = json.dumps([{"name": "ok", "type": "boolean", "label": "OK", "required": True}])


def _template(cli: Any) -> str:
    created = cli("templates", "create", "--name", "Batch", "--fields", FIELDS)
    assert created.code == EXIT_OK, created.err
    return str(json.loads(created.out)["id"])


def _items(template_id: str, count: int, *, keyed: bool = False) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {"template_id": template_id, "content": {"text": f"item {n}"}} for n in range(count)
    ]
    if keyed:
        for n, item in enumerate(items):
            item["key"] = f"row-{n}"
    return items


def _jsonl(items: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(item) + "\n" for item in items)


def _review_count(cli: Any) -> int:
    listed = cli("reviews", "list", "--all")
    assert listed.code == EXIT_OK, listed.err
    return len(listed.out.splitlines())


def test_from_a_file_in_input_order(cli: Any, tmp_path: Path) -> None:
    """Each line's review, in the order of the lines (blank lines skipped), as `reviews create` prints it."""
    items = _items(_template(cli), 5)
    path = tmp_path / "items.jsonl"
    path.write_text(_jsonl(items[:2]) + "\n" + _jsonl(items[2:]))
    result = cli("reviews", "create-many", str(path), "--concurrency", "3")
    assert result.code == EXIT_OK and result.err == ""
    reviews = [json.loads(line) for line in result.out.splitlines()]
    assert [review["content"]["text"] for review in reviews] == [f"item {n}" for n in range(5)]
    assert all(review["id"].startswith("rev_") and review["status"] == "created" for review in reviews)
    assert _review_count(cli) == 5


def test_from_stdin_with_a_refused_item(cli: Any, env: dict[str, str]) -> None:
    """An item the API refuses gets its error line in its place, the others are created, and the code is 3."""
    items = _items(_template(cli), 3)
    items[1]["template_id"] = "tpl_missing"
    result = run_process(["reviews", "create-many", "-"], env, stdin=_jsonl(items))
    assert result.code == EXIT_API_REFUSED and result.err == ""
    first, refused, last = (json.loads(line) for line in result.out.splitlines())
    assert first["content"] == {"text": "item 0"} and last["content"] == {"text": "item 2"}
    assert refused["index"] == 1 and refused["line"] == 2
    assert refused["error"]["status"] == 404 and refused["error"]["request_id"].startswith("req_")
    assert "not_found" in refused["error"]["code"]
    assert _review_count(cli) == 2

    rejected = run_process(
        ["reviews", "create-many", "-"], env, stdin=json.dumps({**items[0], "content": "x"})
    )
    assert rejected.code == EXIT_API_REFUSED  # a value the client rejects is the item's error too
    assert json.loads(rejected.out)["error"]["type"] == "InvalidArgumentError"


def test_unreachable_is_code_4(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(_jsonl(_items("tpl_x", 2)))
    result = cli(
        "--base-url", "http://127.0.0.1:9", "--max-retries", "0", "reviews", "create-many", str(path)
    )
    assert result.code == EXIT_API_UNAVAILABLE
    errors = [json.loads(line) for line in result.out.splitlines()]
    assert [error["index"] for error in errors] == [0, 1]
    assert errors[0]["error"]["type"] == "APIConnectionError"


def test_a_bad_line_is_named_and_nothing_is_sent(cli: Any, tmp_path: Path) -> None:
    """Not JSON, not an object, a bad field, a repeated key, a date without a zone: code 2, the line named."""
    template_id = _template(cli)
    good = json.dumps({"template_id": template_id, "content": {"text": "fine"}, "key": "a"})
    other = json.dumps({"template_id": template_id, "content": {"text": "fine"}, "key": "b"})
    path = tmp_path / "items.jsonl"
    for bad, words in (
        ("{nope", "not JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"template_id": template_id}), "content"),
        (json.dumps({"template_id": template_id, "content": {}, "colour": "red"}), "colour"),
        (json.dumps({"template_id": template_id, "content": {}, "key": "a"}), "repeats the key"),
        (
            json.dumps({"template_id": template_id, "content": {}, "due_date": "2030-01-01T00:00"}),
            "time zone",
        ),
    ):
        path.write_text(f"{good}\n\n{bad}\n{other}\n")
        result = cli("reviews", "create-many", str(path))
        assert result.code == EXIT_USAGE, (bad, result.err)
        assert "line 3" in result.err and words in result.err and result.out == ""
    assert cli("reviews", "create-many", str(tmp_path / "absent.jsonl")).code == EXIT_USAGE
    assert cli("reviews", "create-many", str(path), "--concurrency", "0").code == EXIT_USAGE
    assert _review_count(cli) == 0


def test_a_run_again_with_keys_creates_nothing_new(cli: Any, tmp_path: Path) -> None:
    """Keyed items: the second run prints the same reviews and the API holds no more of them."""
    path = tmp_path / "items.jsonl"
    path.write_text(_jsonl(_items(_template(cli), 4, keyed=True)))
    first = cli("reviews", "create-many", str(path))
    second = cli("reviews", "create-many", str(path))
    assert first.code == second.code == EXIT_OK
    ids = [json.loads(line)["id"] for line in first.out.splitlines()]
    assert [json.loads(line)["id"] for line in second.out.splitlines()] == ids
    assert _review_count(cli) == 4


def test_progress_on_a_terminal_only(cli: Any, env: dict[str, str], tmp_path: Path) -> None:
    """On a terminal: a progress line on stderr and a table; on a pipe: JSON Lines only, nothing on stderr."""
    items = _items(_template(cli), 3)
    items[2]["template_id"] = "tpl_missing"
    path = tmp_path / "items.jsonl"
    path.write_text(_jsonl(items))
    code, shown = _on_terminal(["reviews", "create-many", str(path)], env)
    assert code == EXIT_API_REFUSED
    assert "3/3 done, 1 failed" in shown  # the progress line
    assert "STATUS" in shown and "failed" in shown and "{" not in shown  # the table
    piped = run_process(["reviews", "create-many", str(path)], env)
    assert piped.code == EXIT_API_REFUSED and piped.err == ""
    assert len(piped.out.splitlines()) == 3
