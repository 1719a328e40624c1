"""
openapi.yaml read with the line of every node, validated, and checked for what hitl cannot render faithfully.

Every problem is a `SpecError` that `python -m codegen` prints as one line, `openapi.yaml:LINE: <what> — <how
to fix>`, with the line of the offending node. The checks run before openapi-python-client's parser sees the
document, so a construct the templates would render wrong (a tagged union, a typed map, an array default...)
is refused here instead of becoming silently wrong code.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml
from jsonschema_path import SchemaPath
from openapi_spec_validator.shortcuts import get_validator_cls

__all__ = ["Document", "SpecError", "check_spec", "load_spec", "merged_schema"]

Where = tuple[str | int, ...]  # a JSON pointer as parts: ("paths", "/v1/reviews", "get")


class SpecError(Exception):
    """openapi.yaml cannot be turned into hitl code faithfully: what is wrong — how to fix it."""

    def __init__(self, message: str, *, where: Sequence[str | int] = (), line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where: Where = tuple(where)
        self.line = line

    def located(self, display: str, document: Document | None = None) -> str:
        """One line: `display:LINE: message` (just `display: message` when the node cannot be found)."""
        line = self.line
        if line is None and self.where and document is not None:
            line = document.line_of(self.where)
        text = "; ".join(part.strip() for part in self.message.splitlines() if part.strip())
        return f"{display}:{line}: {text}" if line else f"{display}: {text}"


@attrs.frozen
class Document:
    """The parsed spec and the line (1-based) of every node, by JSON pointer."""

    data: dict[str, Any]
    lines: dict[Where, int]

    def line_of(self, where: Sequence[str | int]) -> int | None:
        """The line of the node at `where`, or of its nearest ancestor found."""
        parts = tuple(where)
        for end in range(len(parts), 0, -1):
            prefix = parts[:end]
            for candidate in (prefix, tuple(str(p) for p in prefix)):
                if candidate in self.lines:
                    return self.lines[candidate]
        return None

    def resolve(self, ref: str) -> Any:
        """The node a local `$ref` (`#/components/schemas/Review`) points at; `SpecError` if there is none."""
        node: Any = self.data
        for part in _pointer_parts(ref):
            key: str | int = int(part) if part.isdigit() else part  # list indexes, unquoted `200:` keys
            if isinstance(node, Mapping) and (part in node or key in node):
                node = node[part if part in node else key]
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                raise SpecError(f"$ref {ref!r} points to nothing — define it, or fix the reference")
        return node


def load_spec(path: Path) -> Document:
    """Read and parse `path`; invalid YAML is a `SpecError` naming its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8"
        raise SpecError(
            f"cannot read the spec ({reason}) — pass an existing UTF-8 file with --spec"
        ) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "cannot be parsed"
        context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and context_mark:
            problem += f" ({context} at line {context_mark.line + 1})"
        raise SpecError(
            f"invalid YAML: {problem} — fix the syntax", line=mark.line + 1 if mark else None
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or node is None:
        raise SpecError("not an OpenAPI document (the top level is not a mapping) — check the file", line=1)
    lines: dict[Where, int] = {}
    _index(node, (), lines, node.start_mark.line + 1)
    return Document(data=data, lines=lines)


# libyaml's loader when PyYAML was built with it (ten times faster); the same nodes, marks and values.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _index(node: yaml.Node, where: Where, lines: dict[Where, int], line: int) -> None:
    if where in lines:  # an alias met again: already indexed (and recursive aliases stop here)
        return
    lines[where] = line
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _index(value, (*where, str(key.value)), lines, key.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            _index(item, (*where, number), lines, item.start_mark.line + 1)


def check_spec(document: Document) -> None:
    """Refuse a document that is invalid OpenAPI, or that uses what hitl's templates cannot render."""
    _check_references(document)
    _check_operation_ids(document)
    _validate(document)
    for where, schema in _schemas(document.data):
        _check_schema(where, schema)
    for where, parameter in _parameters(document):
        _check_parameter(document, where, parameter)


def _validate(document: Document) -> None:
    """openapi-spec-validator's first error, located where it says (after our own refs and operationIds)."""
    try:
        validator = get_validator_cls(document.data)(SchemaPath.from_dict(document.data))
        error = next(iter(validator.iter_errors()), None)
    except Exception as crash:  # the validator fails on some broken documents instead of reporting them
        message = " ".join(str(crash).split())[:200]
        raise SpecError(f"openapi-spec-validator failed: {message} — fix the spec") from None
    if error is None:
        return
    message = " ".join((str(error.message).strip().splitlines() or ["?"])[0].split())
    if len(message) > 200:
        message = message[:200] + "…"
    where = tuple(error.absolute_path) or _only_default(document, error.instance)
    raise SpecError(f"invalid OpenAPI: {message} — fix the spec", where=where)


def _only_default(document: Document, value: Any) -> Where:
    """
    Where a schema's `default` is `value`, if exactly one is: the validator checks defaults against their
    schema but reports no location for them.
    """
    found = [
        (*where, "default")
        for where, schema in _schemas(document.data)
        if "default" in schema and schema["default"] == value and type(schema["default"]) is type(value)
    ]
    return found[0] if len(found) == 1 else ()


def _check_references(document: Document) -> None:
    for where, ref in _walk_refs(document.data, ()):
        if not ref.startswith("#/"):
            raise SpecError(
                f"$ref {ref!r} points outside openapi.yaml — hitl reads one file: move the definition in",
                where=where,
            )
        try:
            document.resolve(ref)
        except SpecError as error:
            raise SpecError(error.message, where=where) from None


def _walk_refs(node: Any, where: Where) -> Iterator[tuple[Where, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield (*where, key), value
            elif key not in ("example", "examples"):
                yield from _walk_refs(value, (*where, str(key)))
    elif isinstance(node, list):
        for number, item in enumerate(node):
            yield from _walk_refs(item, (*where, number))


def _operations(data: dict[str, Any]) -> Iterator[tuple[Where, dict[str, Any]]]:
    """Every operation of `paths`, with its pointer."""
    paths = data.get("paths")
    for path, item in (paths or {}).items() if isinstance(paths, dict) else ():
        for method, operation in item.items() if isinstance(item, dict) else ():
            if method in _METHODS and isinstance(operation, dict):
                yield ("paths", path, method), operation


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _check_operation_ids(document: Document) -> None:
    if not any(True for _ in _operations(document.data)):
        raise SpecError(
            "no operations under `paths` — add at least one: the client is made of them", where=("paths",)
        )
    seen: dict[str, Where] = {}
    for where, operation in _operations(document.data):
        operation_id = operation.get("operationId")
        if not isinstance(operation_id, str):
            raise SpecError(
                "operation without an operationId — add `operationId: <tag>.<method>`", where=where
            )
        if operation_id in seen:
            first = document.line_of((*seen[operation_id], "operationId"))
            raise SpecError(
                f"operationId {operation_id!r} is already used (line {first}) — give each operation its own "
                "operationId; a repeated one would silently replace the other method",
                where=(*where, "operationId"),
            )
        seen[operation_id] = where
        tags = operation.get("tags") or []
        tag, _, method = operation_id.partition(".")
        if not tags or tag != tags[0] or not method.isidentifier() or keyword.iskeyword(method):
            raise SpecError(
                f"operationId {operation_id!r} is not '<tag>.<method>' for its first tag "
                f"{tags[0] if tags else None!r} — rename it, e.g. '{tags[0] if tags else 'reviews'}.create'",
                where=(*where, "operationId"),
            )


def _schemas(data: dict[str, Any]) -> Iterator[tuple[Where, dict[str, Any]]]:
    """Every schema object of the document (components, parameters, bodies, responses, webhooks), nested."""
    components = data.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        yield from _schema_tree(("components", "schemas", name), schema)
    yield from _schemas_below(data, ())


def _schemas_below(node: Any, where: Where) -> Iterator[tuple[Where, dict[str, Any]]]:
    """Schemas under a non-schema node: the values of `schema` keys (examples are data, not schemas)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if where == ("components",) and key == "schemas":
                continue
            if key == "schema":
                yield from _schema_tree((*where, key), value)
            elif key not in ("example", "examples"):
                yield from _schemas_below(value, (*where, str(key)))
    elif isinstance(node, list):
        for number, item in enumerate(node):
            yield from _schemas_below(item, (*where, number))


def _schema_tree(where: Where, schema: Any) -> Iterator[tuple[Where, dict[str, Any]]]:
    if not isinstance(schema, dict):
        return
    yield where, schema
    for key in ("items", "not", "additionalProperties", "contains"):
        yield from _schema_tree((*where, key), schema.get(key))
    for key in ("allOf", "oneOf", "anyOf", "prefixItems"):
        for number, part in enumerate(schema.get(key) or []):
            yield from _schema_tree((*where, key, number), part)
    for key in ("properties", "patternProperties", "$defs"):
        for name, part in (schema.get(key) or {}).items():
            yield from _schema_tree((*where, key, name), part)


def _check_schema(where: Where, schema: dict[str, Any]) -> None:
    if "discriminator" in schema:
        raise SpecError(
            "`discriminator` (a tagged union) is not supported: it would become a plain dict — use one "
            "object schema with an enum field for the kind, or teach codegen tagged unions",
            where=(*where, "discriminator"),
        )
    for key in ("oneOf", "anyOf"):
        variants = schema.get(key)
        if isinstance(variants, list) and [v for v in variants if v != {"type": "null"}][1:]:
            raise SpecError(
                f"`{key}` with several non-null schemas is not supported: it would render as an untagged "
                "union — use one schema (`X or null` is fine), or teach codegen unions",
                where=(*where, key),
            )
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        raise SpecError(
            "`additionalProperties` with a value schema (a typed map) is not supported: it would become "
            "`dict[str, Any]`, losing the value type — use `additionalProperties: true` and describe the "
            "values, or named `properties`",
            where=(*where, "additionalProperties"),
        )
    default = schema.get("default")
    if isinstance(default, (list, dict)):
        kind = "an array" if isinstance(default, list) else "an object"
        raise SpecError(
            f"{kind} default ({_short(default)}) is not supported: it would be dropped — remove `default:` "
            "and say the default in `description`",
            where=(*where, "default"),
        )
    for name in schema.get("properties") or {}:
        if not str(name).isidentifier() or keyword.iskeyword(str(name)):
            raise SpecError(
                f"property {str(name)!r} is not a valid Python name (hitl keeps JSON names as attribute "
                "names) — rename it",
                where=(*where, "properties", name),
            )


def _parameters(document: Document) -> Iterator[tuple[Where, dict[str, Any]]]:
    """Every parameter of every operation (path-level ones too), `$ref`s resolved, with the pointer used."""
    for where, operation in _operations(document.data):
        item = document.data["paths"][where[1]]
        for owner, node in ((where[:2], item), (where, operation)):
            for number, parameter in enumerate(node.get("parameters") or []):
                if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
                    parameter = document.resolve(parameter["$ref"])
                if isinstance(parameter, dict):
                    yield (*owner, "parameters", number), parameter


def _check_parameter(document: Document, where: Where, parameter: dict[str, Any]) -> None:
    name, location = str(parameter.get("name")), parameter.get("in")
    schema = merged_schema(parameter.get("schema") or {}, document)
    kind = schema.get("type")
    if location == "cookie":
        raise SpecError(
            f"cookie parameter {name!r} is not supported — send it as a header or query parameter",
            where=where,
        )
    if location == "header" and name.lower() != "idempotency-key":
        raise SpecError(
            f"header parameter {name!r} is not supported (only Idempotency-Key is) — drop it, or teach "
            "codegen header arguments",
            where=where,
        )
    if location == "path" and kind not in ("string", "integer"):
        raise SpecError(
            f"path parameter {name!r} of type {kind!r} is not supported — use `type: string` or "
            "`type: integer`",
            where=where,
        )
    if location == "query" and kind == "object":
        raise SpecError(
            f"query parameter {name!r} is an object, which hitl cannot encode in a query string — use "
            "scalar parameters",
            where=where,
        )
    if location == "query" and kind == "array":
        style, explode = parameter.get("style", "form"), parameter.get("explode", True)
        if style != "form" or explode is not True:
            raise SpecError(
                f"query parameter {name!r} is an array with `style: {style}`, "
                f"`explode: {str(explode).lower()}`, but hitl sends arrays as repeated keys "
                f"({name}=a&{name}=b) — remove `style`/`explode` (the defaults, form and true, are what hitl "
                "sends)",
                where=(*where, "explode" if "explode" in parameter else "style"),
            )


def merged_schema(schema: Any, document: Document | dict[str, Any]) -> Any:
    """
    `schema` with its `$ref` and `allOf` parts merged in (its own keys win), and each of its `properties` too.

    Descriptions and `format: password` (a secret) are read from this, so a schema rewritten as `allOf` of
    others keeps them. Only one level of properties is merged: nested models are read where they are defined.
    """
    return _merge(schema, document, frozenset(), properties=True)


def _merge(
    schema: Any, document: Document | dict[str, Any], seen: frozenset[str], *, properties: bool
) -> Any:
    if not isinstance(schema, dict):
        return schema
    doc = document if isinstance(document, Document) else Document(data=document, lines={})
    parts: list[dict[str, Any]] = []
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref not in seen:
        parts.append(_merge(doc.resolve(ref), doc, seen | {ref}, properties=properties))
    for part in schema.get("allOf") or []:
        parts.append(_merge(part, doc, seen, properties=properties))
    if not parts:
        own = dict(schema)
    else:
        own = {}
        for part in parts:
            own.update({k: v for k, v in part.items() if k != "properties"})
        own.update({k: v for k, v in schema.items() if k not in ("$ref", "allOf")})
        merged_properties: dict[str, Any] = {}
        for part in [*parts, schema]:
            merged_properties.update(part.get("properties") or {})
        if merged_properties:
            own["properties"] = merged_properties
    if properties and isinstance(own.get("properties"), dict):
        own["properties"] = {
            name: _merge(prop, doc, seen, properties=False) for name, prop in own["properties"].items()
        }
    return own


def _pointer_parts(ref: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in ref.removeprefix("#/").split("/")]


def _short(value: Any) -> str:
    text = str(yaml.safe_dump(value, default_flow_style=True, width=1000)).strip()
    return text if len(text) <= 40 else text[:39] + "…"
