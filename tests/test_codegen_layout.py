"""The generated resources' layout: one module per tag, each operation written once, nothing left behind."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest
import yaml

from codegen._ir import SpecError, load_api
from codegen._render import render_resources
from tests.test_codegen import ROOT, copy_project, run_codegen


def test_each_operation_is_written_once_per_package_in_its_resources_module() -> None:
    """No raw-response twin is emitted: each method is defined once, in `_resources/<tag>.py`."""
    api = load_api(ROOT / "openapi.yaml")
    for package in ("hitl_async", "hitl_sync"):
        modules = sorted(p.stem for p in (ROOT / package / "_resources").glob("*.py"))
        assert modules == sorted(["__init__", "client", *(r.name for r in api.resources)])
        for resource in api.resources:
            source = (ROOT / package / "_resources" / f"{resource.name}.py").read_text()
            for op in resource.operations:
                definitions = re.findall(rf"^    (?:async )?def {op.name}\(", source, re.MULTILINE)
                assert len(definitions) == 1, f"{package} {resource.name}.{op.name}"


def test_a_tag_named_like_a_module_of_the_package_is_refused() -> None:
    """A tag called `client` would overwrite the client's module: the generator says to rename it."""
    api = load_api(ROOT / "openapi.yaml")
    renamed = attrs.evolve(api, resources=[attrs.evolve(api.resources[0], name="client")])
    with pytest.raises(SpecError, match="tag 'client' names a module of hitl_async/_resources/"):
        render_resources(renamed)


def test_a_removed_tag_leaves_no_module_behind(tmp_path: Path) -> None:
    """Dropping a tag's operations from openapi.yaml removes its module from both packages in one run."""
    tree = copy_project(tmp_path)
    spec = yaml.safe_load((tree / "openapi.yaml").read_text())
    spec["paths"] = {path: item for path, item in spec["paths"].items() if not path.startswith("/v1/teams")}
    (tree / "openapi.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    stray = tree / "hitl_async" / "_resources" / "scratch.py"
    stray.write_text('"""Not generated."""\n')

    assert "stale: hitl_async/_resources/scratch.py" in run_codegen(tree, "--check").stderr
    generated = run_codegen(tree)

    assert generated.returncode == 0, generated.stderr
    for package in ("hitl_async", "hitl_sync"):
        assert sorted(p.name for p in (tree / package / "_resources").glob("*.py")) == [
            "__init__.py",
            "client.py",
            "reviews.py",
            "templates.py",
            "webhooks.py",
        ]
    assert run_codegen(tree, "--check").returncode == 0
