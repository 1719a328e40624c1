"""The command line follows openapi.yaml: its subcommands and options are read from the generated methods."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hitl_sync import HITL
from tests.test_codegen import add_escalation_to_spec, copy_project, run_codegen


def test_every_generated_method_has_a_subcommand() -> None:
    """Each method of each resource is a subcommand, list_x named x, with the method's options."""
    from hitl._cli._spec import resources

    names = {r.name: sorted(op.command for op in r.operations) for r in resources(HITL)}
    assert names == {
        "reviews": ["cancel", "create", "get", "list", "update"],
        "teams": ["add-member", "create", "members"],
        "templates": ["create", "delete", "get", "list", "update"],
        "webhooks": ["create", "delete", "list", "update"],
    }


def test_a_new_operation_reaches_hitl_help(tmp_path: Path) -> None:
    """After `make generate` on a spec with `reviews.escalate`, `hitl reviews --help` lists `escalate`."""
    tree = copy_project(tmp_path)
    add_escalation_to_spec(tree / "openapi.yaml")
    generated = run_codegen(tree)
    assert generated.returncode == 0, generated.stderr

    def hitl(*argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from hitl._cli import main; sys.exit(main())", *argv],
            cwd=tree,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(tree), "PATH": ""},
            check=True,
        )
        return done.stdout

    assert "escalate" in hitl("reviews", "--help")
    assert "Escalate a review (POST /v1/reviews/{review_id}/escalate)" in hitl(
        "reviews", "escalate", "--help"
    )
