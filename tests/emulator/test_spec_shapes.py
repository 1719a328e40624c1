"""Tests that openapi.yaml accepts what the reference shows and its schemas carry what its prose promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
REGISTRY: Registry[Any] = Registry().with_resource("spec", Resource.opaque(SPEC))

# The reference's own answer to its create-review example, copied as printed: no `meta`.
REFERENCE_CREATED_REVIEW = {
    "success": True,
    "data": {
        "id": "rev_123",
        "template_id": "template_123",
        "content": {
            "text": "AI-generated content to review",
            "metadata": {"source": "gpt-4", "confidence": 0.95},
        },
        "assignees": ["reviewer@company.com"],
        "priority": "medium",
        "due_date": "2024-01-20T18:00:00Z",
        "status": "created",
        "created_at": "2024-01-15T10:30:00Z",
        "updated_at": "2024-01-15T10:30:00Z",
    },
}
META = {"request_id": "req_1", "timestamp": "2024-01-15T10:30:00Z"}
WEBHOOK = {
    "id": "wh_1",
    "url": "https://example.com/h",
    "events": ["review.completed"],
    "active": True,
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:00Z",
}


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=REGISTRY)


def _schema(name: str) -> dict[str, Any]:
    return {"$ref": f"spec#/components/schemas/{name}"}


def _response_schema(path: str, method: str, status: str) -> dict[str, Any]:
    schema: dict[str, Any] = SPEC["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"
    ]
    return {"$ref": "spec#/components/schemas/" + schema["$ref"].rsplit("/", 1)[1]}


def test_the_reference_create_review_answer_is_valid() -> None:
    """The spec accepts the reference's create-review response exactly as printed (no `meta`)."""
    _validator(_response_schema("/v1/reviews", "post", "201")).validate(REFERENCE_CREATED_REVIEW)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/reviews", "get"),
        ("/v1/templates", "get"),
        ("/v1/webhooks", "get"),
        ("/v1/teams/{team_id}/members", "get"),
    ],
)
def test_list_answers_must_carry_pagination(path: str, method: str) -> None:
    """A list answer without `meta`, or with `meta` but no `pagination`, does not match the spec."""
    validator = _validator(_response_schema(path, method, "200"))
    pagination = {"has_more": False, "next_cursor": None}
    assert validator.is_valid({"success": True, "data": [], "meta": {**META, "pagination": pagination}})
    assert not validator.is_valid({"success": True, "data": [], "meta": META})
    assert not validator.is_valid({"success": True, "data": []})


def test_a_webhook_secret_appears_on_create_only() -> None:
    """`secret` is required on the create answer and forbidden on every other webhook answer."""
    with_secret = {**WEBHOOK, "secret": "whsec_1"}
    assert _validator(_response_schema("/v1/webhooks", "post", "201")).is_valid(
        {"success": True, "data": with_secret}
    )
    assert not _validator(_response_schema("/v1/webhooks", "post", "201")).is_valid(
        {"success": True, "data": WEBHOOK}
    )
    updated = _validator(_response_schema("/v1/webhooks/{webhook_id}", "patch", "200"))
    assert updated.is_valid({"success": True, "data": WEBHOOK})
    assert not updated.is_valid({"success": True, "data": with_secret})
    listed = _validator(_response_schema("/v1/webhooks", "get", "200"))
    page = {**META, "pagination": {"has_more": False, "next_cursor": None}}
    assert not listed.is_valid({"success": True, "data": [with_secret], "meta": page})


def _examples() -> list[tuple[str, dict[str, Any], Any]]:
    found = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json")
                if not content or "$ref" not in content.get("schema", {}):
                    continue
                for name, example in content.get("examples", {}).items():
                    if "$ref" in example:
                        example = SPEC["components"]["examples"][example["$ref"].rsplit("/", 1)[1]]
                    schema = {
                        "$ref": "spec#/components/schemas/" + content["schema"]["$ref"].rsplit("/", 1)[1]
                    }
                    found.append((f"{method} {path} {status} {name}", schema, example["value"]))
    return found


@pytest.mark.parametrize(("where", "schema", "example"), _examples(), ids=[item[0] for item in _examples()])
def test_every_response_example_matches_its_schema(where: str, schema: dict[str, Any], example: Any) -> None:
    """The spec's own examples are valid against the schemas they illustrate."""
    errors = [error.message for error in _validator(schema).iter_errors(example)]
    assert errors == [], where
