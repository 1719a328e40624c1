"""
Fixtures for every test: the emulator's pytest plugin, registered the way users do, and a receiver.

`HITL_TESTS` picks what runs (see docs/architecture.md, "Tests"):
- unset: everything, against whatever `import hitl` finds (the source tree in `.venv`);
- `installed`: everything but SOURCE_TREE_TESTS, and the run fails unless the four packages come from the
  running interpreter's site-packages, i.e. from the installed wheel, not from a checkout;
- `minimums`: as `installed`, also without TOOL_TESTS, whose tools need newer releases than the lowest
  versions hitl declares (make test-minimums);
- `source-tree`: only SOURCE_TREE_TESTS, which read or run the checkout itself.
"""

from __future__ import annotations

import importlib
import os
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.receiver import Receiver, running_receiver

pytest_plugins = ["hitl_emulator.pytest_plugin"]

MODE = os.environ.get("HITL_TESTS", "")
# Tests of the checkout rather than of the package: the generator and the benchmarks are not shipped.
SOURCE_TREE_TESTS = frozenset(
    {
        "test_codegen.py",
        "test_codegen_drift.py",
        "test_codegen_layout.py",
        "test_codegen_spec.py",
        "test_contract_coverage.py",  # builds emulators from changed copies of the spec with codegen
        "test_spec.py",  # tests/cli/: a new operation reaches `hitl --help` after regenerating
        "test_docs_site.py",  # mkdocs.yml, the site's pages and its build
        "test_benchmarks_smoke.py",
    }
)
# Tests of third-party tools' integrations (schemathesis, the webhook recipes' frameworks, the extras).
TOOL_TESTS = frozenset(
    {
        "test_schemathesis.py",
        "test_spec_shapes.py",  # jsonschema, which arrives with schemathesis
        "test_webhook_recipes.py",
        # The optional extras' packages (mcp, the agent frameworks, pydantic for forms) need newer httpx,
        # anyio or Starlette than the lowest versions hitl declares.
        "test_mcp.py",
        "test_forms.py",
        "test_agent_examples.py",
        "test_integration_langgraph.py",
        "test_integration_openai_agents.py",
        "test_integration_pydantic_ai.py",
    }
)
PACKAGES = ("hitl", "hitl_async", "hitl_sync", "hitl_emulator")


def pytest_configure(config: pytest.Config) -> None:
    if MODE not in ("", "installed", "minimums", "source-tree"):
        raise pytest.UsageError(f"HITL_TESTS={MODE!r}: expected installed, minimums, source-tree or nothing")
    if MODE in ("installed", "minimums"):
        site_packages = Path(sysconfig.get_path("purelib")).resolve()
        for name in PACKAGES:
            origin = Path(str(importlib.import_module(name).__file__)).resolve()
            if not origin.is_relative_to(site_packages):
                raise pytest.UsageError(
                    f"HITL_TESTS={MODE}, but {name} was imported from {origin}, "
                    f"not from the installed wheel in {site_packages}"
                )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    if MODE in ("installed", "minimums") and collection_path.name in SOURCE_TREE_TESTS:
        return True
    if MODE == "minimums" and collection_path.name in TOOL_TESTS:
        return True
    if MODE == "source-tree" and collection_path.name not in SOURCE_TREE_TESTS:
        return True
    return None


@pytest.fixture
def webhook_receiver() -> Iterator[Receiver]:
    """A webhook endpoint on loopback that verifies and de-duplicates what it gets (see tests/receiver.py)."""
    with running_receiver() as receiver:
        yield receiver
