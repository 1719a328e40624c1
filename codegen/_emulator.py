"""
openapi.yaml -> hitl_emulator/_contract.py: what the emulator derives from the spec rather than keeping.

Reads the YAML directly (the emulator needs names, values and bounds, not the client's models), and fails
with a message naming the schema or parameter when something it relies on is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import yaml

from codegen._render import HEADER, format_source

__all__ = ["ENUMS", "render_contract"]

# Spec enum schema -> (Python alias, tuple constant) in hitl_emulator/_contract.py.
ENUMS = {
    "ReviewStatus": ("ReviewStatus", "REVIEW_STATUSES"),
    "Priority": ("Priority", "PRIORITIES"),
    "FieldType": ("FieldType", "FIELD_TYPES"),
    "WebhookEventType": ("EventType", "EVENT_TYPES"),
    "TeamRole": ("TeamRole", "TEAM_ROLES"),
}
_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
_TEMPLATE = Path(__file__).resolve().parent / "templates" / "emulator_contract.py.jinja"


class ContractError(Exception):
    """openapi.yaml lacks something the emulator derives from it; the message says what."""


def _lookup(spec: dict[str, Any], *path: str) -> Any:
    node: Any = spec
    for part in path:
        if not isinstance(node, dict) or part not in node:
            raise ContractError(f"openapi.yaml: {'.'.join(path)} is missing; the emulator derives from it")
        node = node[part]
    return node


def _request_bodies(spec: dict[str, Any]) -> list[str]:
    names: set[str] = set()
    for item in _lookup(spec, "paths").values():
        for method in _METHODS:
            body = item.get(method, {}).get("requestBody")
            if body is None:
                continue
            schema = body.get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in schema:
                names.add(schema["$ref"].rsplit("/", 1)[1])
    return sorted(names)


def _context(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = _lookup(spec, "components", "schemas")
    enums = []
    for schema, (alias, constant) in ENUMS.items():
        values = _lookup(spec, "components", "schemas", schema, "enum")
        enums.append({"schema": schema, "alias": alias, "constant": constant, "members": values})
    operations = [
        (method.upper(), path, item[method].get("operationId", ""))
        for path, item in _lookup(spec, "paths").items()
        for method in _METHODS
        if method in item
    ]
    bodies, defaults = [], []
    for name in _request_bodies(spec):
        properties = schemas[name].get("properties", {})
        bodies.append((name, list(properties)))
        defaults.extend(
            (f"{name}.{member}", value["default"])
            for member, value in properties.items()
            if isinstance(value, dict) and "default" in value
        )
    limit = _lookup(spec, "components", "parameters", "Limit", "schema")
    idempotency = _lookup(spec, "components", "parameters", "IdempotencyKey", "schema")
    return {
        "header": HEADER,
        "enums": enums,
        "operations": operations,
        "bodies": bodies,
        "defaults": defaults,
        "limit": {key: limit[key] for key in ("minimum", "maximum", "default")},
        "idempotency_max": idempotency["maxLength"],
    }


def render_contract(spec_path: Path) -> str:
    """The source of `hitl_emulator/_contract.py` for the spec at `spec_path`."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    environment = jinja2.Environment(
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["py"] = repr  # Python literals: `True`, not JSON's `true`
    source = environment.from_string(_TEMPLATE.read_text(encoding="utf-8")).render(**_context(spec))
    return format_source(source)
