"""The generator: reproducible, complete, drift-detecting, and able to follow a change of openapi.yaml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen._ir import SpecError, load_api
from codegen._unasync import UnasyncError, derive

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["hitl", "hitl_async", "hitl_sync", "hitl_emulator", "codegen"]


def copy_project(tmp_path: Path) -> Path:
    """A copy of the sources the generator reads and writes, to change without touching the repository."""
    tree = tmp_path / "tree"
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", tree / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs" / "reference", tree / "docs" / "reference")  # the generated site pages
    shutil.copy(ROOT / "openapi.yaml", tree / "openapi.yaml")
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def run_codegen(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen", "--spec", str(tree / "openapi.yaml"), "--out", str(tree), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def add_escalation_to_spec(spec_path: Path) -> None:
    """A new field on Review and a new operation, `reviews.escalate`."""
    spec = yaml.safe_load(spec_path.read_text())
    spec["components"]["schemas"]["Review"]["properties"]["escalation_reason"] = {
        "type": ["string", "null"],
        "description": "Why the review was escalated.",
    }
    spec["paths"]["/v1/reviews/{review_id}/escalate"] = {
        "post": {
            "operationId": "reviews.escalate",
            "tags": ["reviews"],
            "summary": "Escalate a review",
            "description": "Moves the review to a senior reviewer.",
            "parameters": [{"$ref": "#/components/parameters/ReviewId"}],
            "responses": {
                "200": {
                    "description": "The escalated review.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ReviewEnvelope"}}
                    },
                }
            },
        }
    }
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))


def test_committed_generated_code_is_current() -> None:
    """The committed generated files are exactly what the generator makes from openapi.yaml."""
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_spec_change_reaches_both_packages(tmp_path: Path) -> None:
    """A field and an operation added to openapi.yaml appear in the models and in both clients."""
    tree = copy_project(tmp_path)
    add_escalation_to_spec(tree / "openapi.yaml")

    assert run_codegen(tree).returncode == 0
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import inspect, attrs, hitl, hitl_async, hitl_sync;"
            "assert 'escalation_reason' in attrs.fields_dict(hitl.Review);"
            "assert inspect.iscoroutinefunction(hitl_async.AsyncReviews.escalate);"
            "assert not inspect.iscoroutinefunction(hitl_sync.Reviews.escalate);"
            "assert hitl_sync.Reviews.escalate.__annotations__['return'] == 'Review';"
            "print('ok')",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": ""},
    )
    assert probe.stdout.strip() == "ok", probe.stderr
    assert run_codegen(tree, "--check").returncode == 0


def test_hand_edited_sync_file_fails_the_check(tmp_path: Path) -> None:
    """Editing a derived file by hand is caught, and so is a file the generator no longer makes."""
    tree = copy_project(tmp_path)
    client = tree / "hitl_sync" / "_client.py"
    client.write_text(client.read_text() + "\n# a hand edit\n")
    (tree / "hitl_sync" / "_orphan.py").write_text('"""Left behind by a deleted async module."""\n')

    result = run_codegen(tree, "--check")

    assert result.returncode == 1
    assert "differs: hitl_sync/_client.py" in result.stderr
    assert "stale: hitl_sync/_orphan.py" in result.stderr


def test_generation_is_reproducible(tmp_path: Path) -> None:
    """Generating twice changes nothing the second time."""
    tree = copy_project(tmp_path)
    first = run_codegen(tree)
    second = run_codegen(tree)
    assert first.returncode == second.returncode == 0
    assert second.stdout.strip().endswith(", 0 changed")


def test_derivation_renames_async_tokens() -> None:
    """`async def`, `await`, `async with` and `Async*` names become their blocking forms."""
    source = (
        "from hitl_async._backend import sleep\n\n\n"
        "async def run(client: AsyncHITL) -> None:\n"
        "    async with client:\n"
        "        await sleep(1)\n"
        "        await client.aclose()\n"
    )
    assert derive(source, "m.py") == (
        "from hitl_sync._backend import sleep\n\n\n"
        "def run(client: HITL) -> None:\n"
        "    with client:\n"
        "        sleep(1)\n"
        "        client.close()\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        "import anyio\n\nasync def f():\n    await anyio.sleep(1)\n",  # the twin would call anyio, unawaited
        'def f():\n    """Use the async client."""\n',  # the twin's docs would lie
    ],
)
def test_async_words_surviving_derivation_are_refused(source: str) -> None:
    """Code that token renames cannot make blocking is refused, naming the line, instead of derived wrong."""
    with pytest.raises(UnasyncError, match=r"m\.py: async names survive"):
        derive(source, "m.py")


def test_fields_named_like_the_structure_functions_locals_work(tmp_path: Path) -> None:
    """Fields called `object`, `data` or `item` structure through the fast path like any other."""
    tree = copy_project(tmp_path)
    spec_path = tree / "openapi.yaml"
    spec = yaml.safe_load(spec_path.read_text())
    spec["components"]["schemas"]["ReviewContent"]["properties"].update(
        {
            "object": {"type": "string", "default": "thing", "description": "A kind, with a default."},
            "data": {"type": ["object", "null"], "additionalProperties": True, "description": "Free-form."},
            "item": {"type": "array", "items": {"type": "string"}, "description": "Strings."},
        }
    )
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))

    assert run_codegen(tree).returncode == 0
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from hitl import ReviewContent;"
            "from hitl._converter import detailed_structure_hook;"
            "data = {'text': 't', 'object': 'o', 'data': {'k': 1}, 'item': ['a']};"
            "fast = ReviewContent._structure_flat(data);"
            "assert (fast.object, fast.data, fast.item) == ('o', {'k': 1}, ['a']);"
            "assert fast == detailed_structure_hook(ReviewContent)(data, ReviewContent);"
            "assert ReviewContent._structure_flat({'text': 't'}).object == 'thing';"
            "assert ReviewContent.from_dict(data).to_dict() == data;"
            "print('ok')",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": ""},
    )
    assert probe.stdout.strip() == "ok", probe.stderr


def test_a_field_shadowing_a_type_is_refused(tmp_path: Path) -> None:
    """A property named like a type the model class uses fails generation with a message, not broken code."""
    tree = copy_project(tmp_path)
    spec_path = tree / "openapi.yaml"
    spec = yaml.safe_load(spec_path.read_text())
    spec["components"]["schemas"]["ReviewContent"]["properties"]["list"] = {"type": "string"}
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))

    result = run_codegen(tree)

    assert result.returncode != 0
    assert "ReviewContent: property 'list' would shadow" in result.stderr


def add_escalated_event_to_spec(spec_path: Path) -> None:
    """A `review.escalated` webhook event with a body of its own: the review plus an escalation object."""
    spec = yaml.safe_load(spec_path.read_text())
    schemas = spec["components"]["schemas"]
    schemas["Escalation"] = {
        "type": "object",
        "description": "Why and to whom a review was escalated.",
        "required": ["level"],
        "properties": {
            "level": {"type": "integer", "description": "How far up it went."},
            "reason": {"type": ["string", "null"], "description": "Why."},
        },
    }
    schemas["ReviewEscalatedEventPayload"] = {
        "type": "object",
        "description": "The body of a `review.escalated` delivery.",
        "required": ["event", "review", "escalation", "timestamp"],
        "properties": {
            "id": {"type": "string", "description": "The event's id."},
            "event": {"type": "string", "enum": ["review.escalated"]},
            "review": {"$ref": "#/components/schemas/PartialReview"},
            "escalation": {"$ref": "#/components/schemas/Escalation"},
            "timestamp": {"type": "string", "format": "date-time", "description": "When it happened."},
        },
    }
    escalated = yaml.safe_load(yaml.safe_dump(spec["webhooks"]["review.cancelled"]))
    escalated["post"]["operationId"] = "webhook.review_escalated"
    escalated["post"]["summary"] = "A review was escalated"
    escalated["post"]["description"] = "Sent when a review is escalated to a senior reviewer."
    body = escalated["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"$ref": "#/components/schemas/ReviewEscalatedEventPayload"}
    body.pop("examples", None)
    spec["webhooks"]["review.escalated"] = escalated
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))


ESCALATED_EVENT_PROBE = """
import attrs, hitl, hitl_sync, hitl_async
from hitl import Escalation, PartialReview, ReviewEscalatedEvent, WebhookEvent

assert hitl_sync.ReviewEscalatedEvent is hitl_async.ReviewEscalatedEvent is ReviewEscalatedEvent
assert issubclass(ReviewEscalatedEvent, WebhookEvent)
assert attrs.fields_dict(ReviewEscalatedEvent)["escalation"].type is Escalation
review = {"id": "rev_1", "template_id": "t", "status": "assigned"}
escalation = {"level": 2, "reason": "unsure"}
payload = hitl.make_event_payload("review.escalated", review=review, escalation=escalation)
event = hitl.construct_event(*hitl.sign_payload(payload, "whsec_x"), "whsec_x")
assert type(event) is ReviewEscalatedEvent, type(event)
assert isinstance(event.review, PartialReview) and event.review.id == "rev_1"
assert event.escalation == Escalation(level=2, reason="unsure")
del payload["escalation"]
try:
    hitl.construct_event(*hitl.sign_payload(payload, "whsec_x"), "whsec_x")
except hitl.WebhookPayloadError as error:
    assert "escalation" in str(error), error
else:
    raise AssertionError("a missing escalation was accepted")
print("ok")
"""


def test_a_new_webhook_event_is_typed(tmp_path: Path) -> None:
    """A webhook event added to openapi.yaml becomes a typed event with its payload model, everywhere."""
    tree = copy_project(tmp_path)
    add_escalated_event_to_spec(tree / "openapi.yaml")

    assert run_codegen(tree).returncode == 0
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            ESCALATED_EVENT_PROBE,
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": ""},
    )
    assert probe.stdout.strip() == "ok", probe.stderr
    assert run_codegen(tree, "--check").returncode == 0
    # The exports and the lazily loaded names follow without a hand edit.
    exports = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_exports.py"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": ""},
    )
    assert exports.returncode == 0, exports.stdout


def _spec_with(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    change(spec)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def _add_webhook_with_a_review_body(spec: dict[str, Any]) -> None:
    spec["webhooks"]["review.escalated"] = spec["webhooks"]["review.cancelled"]


def _drop_timestamp(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ReviewEventPayload"]["required"].remove("timestamp")


def _mark_an_unknown_status_terminal(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ReviewStatus"]["x-hitl-terminal"] = ["completed", "done"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_add_webhook_with_a_review_body, "does not allow ['review.escalated']; add them to its enum"),
        (_drop_timestamp, "needs the required properties `event` and `timestamp`"),
        (_mark_an_unknown_status_terminal, "x-hitl-terminal must list values of its enum"),
    ],
    ids=["event-not-in-enum", "no-timestamp", "unknown-terminal-value"],
)
def test_webhook_and_enum_markers_that_cannot_be_generated_are_refused(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    """A webhook body or an `x-hitl-terminal` marker the generator cannot honour fails with what to fix."""
    with pytest.raises(SpecError, match=re.escape(message)):
        load_api(_spec_with(tmp_path, change))
