"""
The documentation site: a complete reference, and pages that render in a browser.

The first tests read docs/reference/ (no MkDocs needed). The browser check runs from `make docs-check`
(HITL_DOCS_CHECK=1), after `make docs` has built site/; elsewhere it is skipped.
"""

from __future__ import annotations

import ast
import functools
import http.server
import importlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import hitl_sync
from hitl_emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"
PACKAGES = ("hitl", "hitl_sync", "hitl_async", "hitl_emulator")
_DIRECTIVE = re.compile(r"^::: (\S+)$", re.MULTILINE)


def _resolve(identifier: str) -> object:
    """The object a `::: a.b.C` directive documents: the longest importable module prefix, then attributes."""
    parts = identifier.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            value = getattr(value, attribute)
        return value
    raise AssertionError(f"{identifier}: no such module")


def _documented() -> dict[str, object]:
    pages = sorted(REFERENCE.rglob("*.md"))
    identifiers = {match for page in pages for match in _DIRECTIVE.findall(page.read_text(encoding="utf-8"))}
    return {identifier: _resolve(identifier) for identifier in identifiers}


def test_every_public_name_has_a_reference_entry() -> None:
    """Each name in the `__all__` of the four packages is rendered by a `:::` directive in docs/reference/."""
    documented = _documented()
    missing = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for name in package.__all__:
            value = getattr(package, name)
            # Shared objects are documented once, under their home (`hitl_sync.Review is hitl.Review`).
            found = f"{package_name}.{name}" in documented or any(
                identifier.rsplit(".", 1)[-1] == name and obj is value
                for identifier, obj in documented.items()
            )
            if not found:
                missing.append(f"{package_name}.{name}")
    assert missing == [], "add a `::: name` entry to a page of docs/reference/ for each"


def _operations() -> list[tuple[str, str]]:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    return [
        tuple(operation["operationId"].split(".", 1))  # type: ignore[misc]
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def _code_blocks(section: str, tab: str) -> list[str]:
    """The Python blocks of one tab (`=== "Sync"`) of a section, de-indented."""
    after = section.split(f'=== "{tab}"', 1)[1].split("\n=== ", 1)[0]
    return [
        "\n".join(line.removeprefix("    ") for line in block.splitlines())
        for block in re.findall(r"```python\n(.*?)\n\s*```", after, re.DOTALL)
    ]


@pytest.mark.parametrize(("tag", "method"), _operations())
def test_every_operation_has_a_sync_and_an_async_example(tag: str, method: str) -> None:
    """Each operation of openapi.yaml has a section with a sync and an async example that compile."""
    page = (REFERENCE / "resources" / f"{tag}.md").read_text(encoding="utf-8")
    sections = {
        match.group(1): text
        for text in page.split("\n## ")[1:]
        if (match := re.search(r"\{ #([\w-]+) \}", text.splitlines()[0]))
    }
    section = sections[f"{tag}-{method}"]
    [sync] = _code_blocks(section, "Sync")
    [asynchronous] = _code_blocks(section, "Async")
    call = f"hitl.{tag}.{method}("
    assert call in sync and f"await {call}" not in sync
    assert f"await {call}" in asynchronous or "async for " in asynchronous
    for source in (sync, asynchronous):
        ast.parse(source)  # a complete program, not a fragment
    assert f"::: hitl_sync.{tag.title().replace('_', '')}.{method}" in section


def _examples() -> Iterator[object]:
    """Every example of the resource pages, as `pytest.param(source, id="reviews-create-sync")`."""
    for page in sorted((REFERENCE / "resources").glob("*.md")):
        for section in page.read_text(encoding="utf-8").split("\n## ")[1:]:
            anchor = re.search(r"\{ #([\w-]+) \}", section.splitlines()[0])
            if anchor:
                for tab in ("Sync", "Async"):
                    for source in _code_blocks(section, tab):
                        yield pytest.param(source, id=f"{anchor.group(1)}-{tab.lower()}")


# Where deliveries to the examples' webhooks go: a closed port on loopback, never another host.
_HOOK_URL = "http://127.0.0.1:9/hooks"


@pytest.mark.parametrize("source", list(_examples()))
def test_reference_examples_run_against_the_emulator(
    source: str,
    hitl_emulator_server: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each example runs as shown, with the spec's placeholder ids swapped for objects that exist."""
    monkeypatch.setenv("HITL_BASE_URL", hitl_emulator_server.url)
    monkeypatch.setenv("HITL_API_KEY", hitl_emulator_server.api_key)
    with hitl_sync.HITL() as client:
        template = client.templates.create(
            name="Docs",
            fields=[{"name": "approved", "type": "boolean", "label": "Approve?", "required": True}],
        )
        ids = {
            "template_id": template.id,
            "review_id": client.reviews.create(template_id=template.id, content={"text": "Docs"}).id,
            "webhook_id": client.webhooks.create(url=_HOOK_URL, events=["template.updated"]).id,
            "team_id": client.teams.create(name="Docs").id,
        }
        client.teams.add_member(ids["team_id"], email="docs@example.com", role="viewer")  # a member to list
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    for parameter in spec["components"]["parameters"].values():
        if parameter.get("name") in ids and "example" in parameter:
            source = source.replace(json.dumps(parameter["example"]), json.dumps(ids[parameter["name"]]))
    source = re.sub(r'\btemplate_id="[^"]*"', f"template_id={json.dumps(ids['template_id'])}", source)
    source = re.sub(r'\burl="[^"]*"', f"url={json.dumps(_HOOK_URL)}", source)

    exec(compile(source, "example", "exec"), {"__name__": "__main__"})

    assert capsys.readouterr().out.strip(), "the example printed nothing"


def test_the_site_lists_every_reference_page() -> None:
    """mkdocs.yml's navigation names every page under docs/, generated ones included."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(nav: object) -> Iterator[str]:
        if isinstance(nav, str):
            yield nav
        elif isinstance(nav, list):
            for item in nav:
                yield from pages(item)
        elif isinstance(nav, dict):
            for item in nav.values():
                yield from pages(item)

    listed = set(pages(config["nav"]))
    on_disk = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert on_disk - listed == set()


# The browser check: Debian's Chromium, headless, against site/ served on loopback.
_CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def site_url() -> Iterator[str]:
    site = ROOT / "site"
    if not (site / "index.html").exists():
        pytest.fail("site/ is not built: run `make docs` first")
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _chromium(*arguments: str) -> str:
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.fail("no chromium on PATH: install Debian's package (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as profile:
        completed = subprocess.run(
            [executable, *_CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


@pytest.mark.skipif(os.environ.get("HITL_DOCS_CHECK") != "1", reason="run by `make docs-check`")
@pytest.mark.parametrize("page", ["", "reference/resources/reviews/"])
def test_pages_render_in_chromium(site_url: str, page: str) -> None:
    """The home page and a reference page run Material's script: navigation, search box and code blocks."""
    dom = _chromium("--dump-dom", site_url + page)
    html_tag = re.search(r"<html[^>]*>", dom)
    assert html_tag and re.search(r'class="[^"]*\bjs\b', html_tag.group(0)), "the theme's script did not run"
    nav = re.findall(r'class="md-nav__link[^"]*"[^>]*>\s*(?:<span[^>]*>)?\s*([^<]+?)\s*<', dom)
    assert {"Guides", "Reference"} <= set(nav), nav[:20]
    assert 'class="md-search__input' in dom
    assert 'class="highlight"' in dom and "md-code__button" in dom, "no code block, or no copy button on it"


@pytest.mark.skipif(os.environ.get("HITL_DOCS_CHECK") != "1", reason="run by `make docs-check`")
def test_screenshot_of_a_reference_page(site_url: str) -> None:
    """A screenshot of a reference page (site/screenshot.png; docs/images/site.png is a kept copy)."""
    target = ROOT / "site" / "screenshot.png"
    target.unlink(missing_ok=True)
    _chromium(
        "--window-size=1280,900",
        "--hide-scrollbars",
        f"--screenshot={target}",
        site_url + "reference/resources/reviews/",
    )
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000, "an empty or blank screenshot"
