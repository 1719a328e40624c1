"""
The generator is reproducible by construction: valid Python 3.11 whatever the formatter does, only with the
pinned tools, and a drift check that sees every difference (stray files, CRLF, the tree it is pointed at) and
shows it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import codegen._render
import codegen._tools
from codegen.__main__ import main
from codegen._ir import load_api
from codegen._render import render_models, render_resources
from codegen._tools import ToolError, check_syntax, check_tools, installed_versions, pinned_versions
from tests.test_codegen import ROOT, copy_project, run_codegen


def test_templates_make_valid_python_without_the_formatter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a "formatter" that changes nothing, the rendered modules still compile on Python 3.11."""
    identity = tmp_path / "ruff"
    identity.write_text("#!/bin/sh\ncat\n")
    identity.chmod(0o755)
    monkeypatch.setattr(codegen._render, "RUFF", identity)
    api = load_api(ROOT / "openapi.yaml")

    sources = {"_models.py": render_models(api)} | render_resources(api)
    assert len(sources) > 2
    for name, source in sources.items():
        compile(source, name, "exec", dont_inherit=True)


def test_source_invalid_on_python_3_11_is_refused() -> None:
    """A nested same-quote f-string (valid only from 3.12) is caught before anything is written."""
    with pytest.raises(ToolError) as caught:
        check_syntax('path = f"/v1/{segment("id")}"\n', "hitl_async/_resources.py")
    assert str(caught.value).startswith(
        "hitl_async/_resources.py:1: generated code is not valid Python 3.11 ("
    )
    assert str(caught.value).endswith(") — fix the template or renderer in codegen/")


def test_other_tool_versions_are_refused(tmp_path: Path) -> None:
    """The generator runs only with the pinned versions, and says which it found and which it needs."""
    pins = ROOT / "requirements" / "dev.txt"
    assert installed_versions() == pinned_versions(pins)
    check_tools(pins)

    other = tmp_path / "dev.txt"
    text = pins.read_text(encoding="utf-8")
    other.write_text(text.replace("ruff==0.17.5", "ruff==0.18.0"), encoding="utf-8")
    with pytest.raises(ToolError) as caught:
        check_tools(other)
    assert str(caught.value) == (
        "codegen runs only with the tools pinned in dev.txt; it needs ruff==0.18.0 (found 0.17.5) — "
        "run `make install` (or `pip install -r requirements/dev.txt`) in the virtualenv that runs codegen"
    )

    found = {**pinned_versions(pins), "unasync": "0.5.0", "tokenize-rt": None}
    with pytest.raises(
        ToolError, match=r"unasync==0\.6\.0 \(found 0\.5\.0\), tokenize-rt==6\.2\.0 \(found none\)"
    ):
        check_tools(pins, found)


def test_generate_refuses_to_run_with_another_ruff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make generate` under another ruff stops before writing anything, in one line."""
    found = {**pinned_versions(ROOT / "requirements" / "dev.txt"), "ruff": "0.18.0"}
    monkeypatch.setattr(codegen._tools, "installed_versions", lambda: found)

    assert main(["--out", str(tmp_path), "--spec", str(ROOT / "openapi.yaml")]) == 1
    assert list(tmp_path.iterdir()) == []
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "codegen runs only with the tools pinned in dev.txt; it needs ruff==0.17.5 (found 0.18.0) — "
        "run `make install` (or `pip install -r requirements/dev.txt`) in the virtualenv that runs codegen\n"
    )


def check(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m codegen --check --out tree`, with the spec it defaults to (the tree's own)."""
    return subprocess.run(
        [sys.executable, "-m", "codegen", "--check", "--out", str(tree), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_generate_removes_a_stray_file_of_any_kind(tmp_path: Path) -> None:
    """A non-`.py` file in a derived directory fails the check, and `make generate` removes it."""
    tree = copy_project(tmp_path)
    (tree / "hitl_sync" / "notes.txt").write_text("left behind\n")

    assert "stale: hitl_sync/notes.txt (no longer generated)" in check(tree).stderr
    assert run_codegen(tree).stdout.strip().endswith(", 1 changed")
    assert not (tree / "hitl_sync" / "notes.txt").exists()
    assert check(tree).returncode == 0


def test_only_sources_are_derived(tmp_path: Path) -> None:
    """An editor's leftovers in `hitl_async/` are not copied into `hitl_sync/` as if generated."""
    tree = copy_project(tmp_path)
    client = (tree / "hitl_async" / "_client.py").read_text()
    (tree / "hitl_async" / "_client.py.orig").write_text(client)
    (tree / "hitl_async" / ".#_client.py").write_text(client)

    assert run_codegen(tree).stdout.strip().endswith(", 0 changed")
    assert sorted(p.name for p in (tree / "hitl_sync").iterdir() if "_client" in p.name) == ["_client.py"]
    assert check(tree).returncode == 0


def test_crlf_line_endings_are_reported_and_fixed(tmp_path: Path) -> None:
    tree = copy_project(tmp_path)
    derived = tree / "hitl_sync" / "_client.py"
    derived.write_bytes(derived.read_bytes().replace(b"\n", b"\r\n"))

    result = check(tree)
    assert result.returncode == 1
    assert "CRLF line endings: hitl_sync/_client.py (generated files use LF)" in result.stderr
    assert run_codegen(tree).stdout.strip().endswith(", 1 changed")
    assert b"\r" not in derived.read_bytes()


def test_check_derives_from_the_tree_it_checks(tmp_path: Path) -> None:
    """`--out DIR --check` compares DIR with what DIR's own sources make, not the generator's checkout."""
    tree = copy_project(tmp_path)
    source = tree / "hitl_async" / "_client.py"
    source.write_text(source.read_text() + '\n\ndef added() -> None:\n    """New in this tree."""\n')

    result = check(tree)

    assert result.returncode == 1
    assert "differs: hitl_sync/_client.py (hand-edited, or stale)" in result.stderr
    assert "+def added() -> None:" in result.stderr


def test_check_shows_a_short_diff(tmp_path: Path) -> None:
    """Each differing file shows a unified diff, capped so a large drift stays readable."""
    tree = copy_project(tmp_path)
    derived = tree / "hitl_sync" / "_pagination.py"
    derived.write_text(derived.read_text() + "# a hand edit\n" + "".join(f"x{n} = {n}\n" for n in range(100)))

    result = check(tree)

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    start = lines.index("  differs: hitl_sync/_pagination.py (hand-edited, or stale)")
    assert lines[start + 1 : start + 3] == [
        "    --- on disk/hitl_sync/_pagination.py",
        "    +++ generated/hitl_sync/_pagination.py",
    ]
    assert "    -# a hand edit" in lines
    assert lines[start + 21].startswith("    ... (")
    assert len(lines) < 40
