"""
openapi.yaml → a small intermediate representation (IR) that our templates render.

openapi-python-client's parser does the OpenAPI work (references, properties, enums, parameters, bodies,
responses); this module only reads its result and decides the Python types hitl uses. The parser's own
type strings are not used: they bake in its `Unset` type, which hitl does not have.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import yaml
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.errors import GeneratorError
from openapi_python_client.parser.properties import (
    AnyProperty,
    BooleanProperty,
    ConstProperty,
    DateProperty,
    DateTimeProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    ListProperty,
    ModelProperty,
    NoneProperty,
    Property,
    StringProperty,
    UnionProperty,
)

from codegen._spec import SpecError, merged_schema

__all__ = [
    "API",
    "Enum",
    "Event",
    "EventPayload",
    "Field",
    "Model",
    "Operation",
    "Param",
    "Resource",
    "SpecError",
    "load_api",
]


@attrs.frozen
class Enum:
    name: str
    description: str
    members: list[tuple[str, str]]  # (PYTHON_NAME, "value")
    terminal: list[str] = attrs.Factory(list)  # `x-hitl-terminal`: the values after which nothing changes


@attrs.frozen
class Field:
    name: str
    output_type: str  # as a model attribute / in responses
    input_type: str  # as a method argument: also accepts dicts for models and literals for enums
    required: bool
    nullable: bool
    default: str | None  # Python source of the schema default, if any
    description: str
    secret: bool
    encoder: str | None  # name of the hitl._encode function that makes the JSON value, None for plain values


@attrs.frozen
class Model:
    name: str
    description: str
    fields: list[Field]
    depends_on: frozenset[str]


@attrs.frozen
class Param:
    name: str
    location: str  # "path" | "query"
    field: Field


@attrs.frozen
class Operation:
    resource: str
    name: str
    http_method: str
    path: str
    summary: str
    description: str
    path_params: list[Param]
    query_params: list[Param]
    body_fields: list[Field]
    body_required: bool
    idempotent_key: bool  # accepts an Idempotency-Key header
    result: str  # model name of `data`
    paginated: bool  # `data` is a list: the method returns a paginator
    error_statuses: list[str]


@attrs.frozen
class Resource:
    name: str  # attribute on the client: "reviews"
    class_name: str  # "Reviews" (the async class is "Async" + this)
    description: str
    operations: list[Operation]


@attrs.frozen
class EventPayload:
    """The body schema of one or more webhook events."""

    name: str  # the schema: "ReviewEventPayload"
    description: str
    fields: list[Field]  # what the body carries besides `id`, `event` and `timestamp`
    base: str | None  # the events' common base class when several events share the schema


@attrs.frozen
class Event:
    """One event of the `webhooks:` section."""

    type: str  # "review.completed"
    class_name: str  # "ReviewCompletedEvent"
    summary: str
    description: str
    payload: EventPayload


@attrs.frozen
class API:
    title: str
    version: str
    description: str
    enums: list[Enum]
    models: list[Model]
    resources: list[Resource]
    events: list[Event] = attrs.Factory(list)


# Envelopes are unwrapped by the client, so they get no Python class.
_ENVELOPE = re.compile(r"Envelope$")


def load_api(spec_path: Path) -> API:
    """Parse `spec_path` with openapi-python-client and build the IR; raises `SpecError` on any problem."""
    raw = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    config = Config.from_sources(ConfigFile(), MetaType.NONE, spec_path, "utf-8", True, None)
    data = GeneratorData.from_dict(raw, config=config)
    if isinstance(data, GeneratorError):
        raise SpecError(
            f"openapi-python-client cannot read it: {data.header} {data.detail or ''} — fix the spec"
        )
    problems = [f"{e.header}: {e.detail}" for e in data.errors]
    for collection in data.endpoint_collections_by_tag.values():
        problems += [f"{e.header}: {e.detail}" for e in collection.parse_errors]
    if problems:
        raise SpecError("openapi-python-client cannot parse: " + "; ".join(problems) + " — fix the spec")

    raw_schemas = raw.get("components", {}).get("schemas", {})
    enums = [
        _enum(e, raw_schemas.get(e.class_info.name, {}))
        for e in sorted(data.enums, key=lambda e: e.class_info.name)
        if isinstance(e, EnumProperty)
    ]
    models = _sort_models(
        [
            _model(m, merged_schema(raw_schemas.get(m.class_info.name, {}), raw))
            for m in data.models
            if _is_emitted(m)
        ]
    )
    tag_docs = {t["name"]: t.get("description", "") for t in raw.get("tags", [])}
    resources = []
    for tag, collection in sorted(data.endpoint_collections_by_tag.items()):
        operations = []
        for endpoint in collection.endpoints:
            try:
                operations.append(_operation(str(tag), endpoint, raw))
            except SpecError as error:  # located at the operation, unless it knows better
                where = error.where or ("paths", _raw(endpoint.path), str(endpoint.method).lower())
                raise SpecError(error.message, where=where) from None
        resources.append(
            Resource(
                name=str(tag),
                class_name=_pascal(str(tag)),
                description=_text(tag_docs.get(str(tag), "")),
                operations=operations,
            )
        )
    events = _events(raw, {m.class_info.name: m for m in data.models})
    models, enums = _reachable(models, enums, resources, events)
    info = raw.get("info", {})
    return API(
        title=info.get("title", ""),
        version=str(info.get("version", "")),
        description=_text(info.get("description", "")),
        enums=enums,
        models=models,
        resources=resources,
        events=events,
    )


def _reachable(
    models: list[Model], enums: list[Enum], resources: list[Resource], events: list[Event]
) -> tuple[list[Model], list[Enum]]:
    """
    The models and enums a user meets: results of operations, argument types, what webhook events carry,
    and what those contain.

    Request-body schemas (`ReviewCreate`...) become keyword arguments, envelopes are unwrapped, and webhook
    bodies become the typed events of `hitl._events`: none of them needs a class, and every class costs
    import time.
    """
    by_name = {m.name: m for m in models}
    argument_types = [
        field.input_type
        for resource in resources
        for op in resource.operations
        for field in op.body_fields + [p.field for p in op.query_params]
    ]
    carried_types = [field.output_type for event in events for field in event.payload.fields]
    wanted = {op.result for resource in resources for op in resource.operations}
    wanted |= {word for text in carried_types for word in _words(text) if word in by_name}
    wanted |= {word for text in argument_types for word in _words(text) if word in by_name}
    pending = list(wanted)
    while pending:
        for dependency in by_name[pending.pop()].depends_on:
            if dependency not in wanted:
                wanted.add(dependency)
                pending.append(dependency)
    kept = [m for m in models if m.name in wanted]
    used_words = {w for m in kept for f in m.fields for w in _words(f.output_type)}
    used_words |= {w for text in argument_types + carried_types for w in _words(text)}
    return kept, [e for e in enums if e.name in used_words]


def _words(type_text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", type_text))


def _is_emitted(model: ModelProperty) -> bool:
    return not _ENVELOPE.search(model.class_info.name) and not _is_free_form(model)


def _is_free_form(prop: ModelProperty) -> bool:
    return not (prop.required_properties or prop.optional_properties)


def _enum(prop: EnumProperty, raw_schema: dict[str, Any]) -> Enum:
    members = [(key, str(value)) for key, value in prop.values.items()]
    terminal = raw_schema.get("x-hitl-terminal", [])
    values = [value for _, value in members]
    if not isinstance(terminal, list) or any(value not in values for value in terminal):
        raise SpecError(
            f"schema {prop.class_info.name}: x-hitl-terminal must list values of its enum {values}, "
            f"got {terminal!r}"
        )
    return Enum(
        name=prop.class_info.name,
        description=_text(raw_schema.get("description", "")),
        members=members,
        terminal=[str(value) for value in terminal],
    )


# What every webhook body carries, read by hand-written code in hitl/_webhooks.py; the other properties of
# a body become fields of its event class, beside the fields of `hitl._eventbase.WebhookEvent`.
_EVENT_ENVELOPE = {"id", "event", "timestamp"}
_EVENT_BASE_FIELDS = {"type", "raw", "body", "event_type"}


def _events(raw: dict[str, Any], parsed: dict[str, ModelProperty]) -> list[Event]:
    """The `webhooks:` section: one event per entry, whose body is a `$ref` to an object schema."""
    raw_schemas = raw.get("components", {}).get("schemas", {})
    found: list[tuple[str, dict[str, Any], str]] = []
    for event_type, item in (raw.get("webhooks") or {}).items():
        where = f"webhooks: {event_type}"
        operation = item.get("post") if isinstance(item, dict) else None
        schema = (
            (operation or {}).get("requestBody", {}).get("content", {}).get("application/json", {})
        ).get("schema", {})
        reference = schema.get("$ref", "") if isinstance(schema, dict) else ""
        if not reference.startswith("#/components/schemas/"):
            raise SpecError(f"{where}: needs a `post` whose application/json body $refs a components schema")
        found.append((str(event_type), operation, reference.rsplit("/", 1)[-1]))

    users: dict[str, list[str]] = {}
    for event_type, _, schema_name in found:
        users.setdefault(schema_name, []).append(event_type)
    payloads = {
        name: _event_payload(name, parsed.get(name), raw_schemas.get(name, {}), types)
        for name, types in users.items()
    }
    return [
        Event(
            type=event_type,
            class_name=_pascal(event_type) + "Event",
            summary=_text(operation.get("summary", "")),
            description=_text(operation.get("description", "")),
            payload=payloads[schema_name],
        )
        for event_type, operation, schema_name in found
    ]


def _event_payload(
    name: str, prop: ModelProperty | None, raw_schema: dict[str, Any], event_types: list[str]
) -> EventPayload:
    where = f"webhooks: {', '.join(event_types)}: schema {name}"
    if prop is None or not isinstance(prop, ModelProperty):
        raise SpecError(f"{where}: must be an object schema")
    properties = {
        _raw(p.name): p for p in (prop.required_properties or []) + (prop.optional_properties or [])
    }
    event = properties.get("event")
    timestamp = properties.get("timestamp")
    if event is None or not event.required or timestamp is None or not timestamp.required:
        raise SpecError(f"{where}: needs the required properties `event` and `timestamp`")
    if not isinstance(timestamp, DateTimeProperty):
        raise SpecError(f"{where}: `timestamp` must be a `format: date-time` string")
    allowed = (
        [str(v) for v in event.values.values()]
        if isinstance(event, EnumProperty)
        else [str(event.value.python_code)[1:-1]]
        if isinstance(event, ConstProperty)
        else None
    )
    missing = [t for t in event_types if allowed is not None and t not in allowed]
    if missing:
        raise SpecError(f"{where}: its `event` property does not allow {missing}; add them to its enum")
    clashes = sorted(_EVENT_BASE_FIELDS & set(properties))
    if clashes:
        raise SpecError(f"{where}: properties {clashes} clash with the fields every event class has")
    raw_properties = raw_schema.get("properties", {})
    fields = [
        _field(p, raw_properties.get(key, {})) for key, p in properties.items() if key not in _EVENT_ENVELOPE
    ]
    shared = len(event_types) > 1
    return EventPayload(
        name=name,
        description=_text(raw_schema.get("description", "")),
        fields=fields,
        base=_pascal(name.removesuffix("Payload").removesuffix("Event")) + "WebhookEvent" if shared else None,
    )


def _model(prop: ModelProperty, raw_schema: dict[str, Any]) -> Model:
    raw_properties = raw_schema.get("properties", {})
    fields = [
        _field(p, raw_properties.get(_raw(p.name), {}))
        for p in (prop.required_properties or []) + (prop.optional_properties or [])
    ]
    return Model(
        name=prop.class_info.name,
        description=_text(raw_schema.get("description") or raw_schema.get("title") or ""),
        fields=fields,
        depends_on=frozenset(
            _referenced_models(prop.required_properties or [], prop.optional_properties or [])
        ),
    )


def _referenced_models(*groups: Iterable[Property]) -> Iterable[str]:
    for group in groups:
        for prop in group:
            yield from _model_names(prop)


def _model_names(prop: Property) -> Iterable[str]:
    if isinstance(prop, ModelProperty) and _is_emitted(prop):
        yield prop.class_info.name
    elif isinstance(prop, ListProperty):
        yield from _model_names(prop.inner_property)
    elif isinstance(prop, UnionProperty):
        for inner in prop.inner_properties:
            yield from _model_names(inner)


def _sort_models(models: list[Model]) -> list[Model]:
    """Order models so each comes after the models its fields use (annotations stay resolvable at runtime)."""
    by_name = {m.name: m for m in models}
    ordered: list[Model] = []
    placed: set[str] = set()

    def place(model: Model, path: tuple[str, ...]) -> None:
        if model.name in placed:
            return
        if model.name in path:
            raise SpecError(f"schemas reference each other in a cycle: {' -> '.join((*path, model.name))}")
        for dependency in sorted(model.depends_on):
            place(by_name[dependency], (*path, model.name))
        placed.add(model.name)
        ordered.append(model)

    for model in sorted(models, key=lambda m: m.name):
        place(model, ())
    return ordered


def _field(prop: Property, raw_property: dict[str, Any] | None = None) -> Field:
    json_name = _raw(prop.name)
    # JSON names are kept as attribute names (`type`, `id` included: they only shadow builtins inside the
    # class body), so `to_dict()` needs no renaming table.
    if not json_name.isidentifier() or keyword.iskeyword(json_name):
        raise SpecError(
            f"property {json_name!r} is not a valid Python name; hitl keeps JSON names as attribute names"
        )
    raw_property = raw_property or {}
    parsed_description = getattr(prop, "description", None)
    description = _text(
        raw_property.get("description") or (_raw(parsed_description) if parsed_description else "")
    )
    nullable = _is_nullable(prop)
    return Field(
        name=json_name,
        output_type=_output_type(prop),
        input_type=_input_type(prop),
        required=prop.required,
        nullable=nullable,
        default=_default(prop),
        description=description,
        # `format: password` marks secrets (the webhook signing secret): kept out of reprs.
        secret=raw_property.get("format") == "password",
        encoder=_encoder(prop),
    )


def _is_nullable(prop: Property) -> bool:
    return isinstance(prop, UnionProperty) and any(isinstance(p, NoneProperty) for p in prop.inner_properties)


def _non_null(prop: Property) -> list[Property]:
    if isinstance(prop, UnionProperty):
        return [p for p in prop.inner_properties if not isinstance(p, NoneProperty)]
    return [prop]


_SCALARS: dict[type[Property], str] = {
    StringProperty: "str",
    IntProperty: "int",
    FloatProperty: "float",
    BooleanProperty: "bool",
    DateTimeProperty: "dt.datetime",
    DateProperty: "dt.date",
    AnyProperty: "Any",
}


def _output_type(prop: Property) -> str:
    if isinstance(prop, UnionProperty):
        parts = [_output_type(p) for p in prop.inner_properties]
        return " | ".join(dict.fromkeys(parts))
    if isinstance(prop, NoneProperty):
        return "None"
    if isinstance(prop, EnumProperty):
        return prop.class_info.name
    if isinstance(prop, ModelProperty):
        return "dict[str, Any]" if _is_free_form(prop) else prop.class_info.name
    if isinstance(prop, ListProperty):
        return f"list[{_output_type(prop.inner_property)}]"
    if isinstance(prop, ConstProperty):
        return f"Literal[{prop.value.python_code}]"
    for kind, name in _SCALARS.items():
        if isinstance(prop, kind):
            return name
    raise SpecError(f"property {_raw(prop.name)!r}: unsupported schema ({type(prop).__name__})")


def _input_type(prop: Property) -> str:
    """Argument types are wider than attribute types: enums take their literal strings, models take dicts."""
    if isinstance(prop, UnionProperty):
        parts = [_input_type(p) for p in prop.inner_properties]
        return " | ".join(dict.fromkeys(parts))
    if isinstance(prop, EnumProperty):
        literals = ", ".join(repr(str(v)) for v in prop.values.values())
        return f"{prop.class_info.name} | Literal[{literals}]"
    if isinstance(prop, ModelProperty) and not _is_free_form(prop):
        return f"{prop.class_info.name} | Mapping[str, Any]"
    if isinstance(prop, ModelProperty):
        return "Mapping[str, Any]"
    if isinstance(prop, ListProperty):
        return f"Sequence[{_input_type(prop.inner_property)}]"
    return _output_type(prop)


def _encoder(prop: Property) -> str | None:
    """The `hitl._encode` helper that turns an argument into JSON, or None when it is JSON already."""
    inner = _non_null(prop)
    if len(inner) != 1:
        return "encode_any"
    only = inner[0]
    if isinstance(only, DateTimeProperty):
        return "encode_datetime"
    if isinstance(only, ModelProperty) and not _is_free_form(only):
        return "encode_model"
    if isinstance(only, ListProperty):
        item = only.inner_property
        if isinstance(item, ModelProperty) and not _is_free_form(item):
            return "encode_model_list"
        return "encode_list"
    if isinstance(only, ModelProperty):
        return "encode_mapping"
    return None


def _default(prop: Property) -> str | None:
    default = getattr(prop, "default", None)
    # Enum defaults come as `ClassName.MEMBER`, which resolves inside the generated models module.
    return None if default is None else default.python_code.as_unembedded_code()


def _operation(tag: str, endpoint: Any, raw: dict[str, Any]) -> Operation:
    raw_operation = raw["paths"][_raw(endpoint.path)][str(endpoint.method).lower()]
    operation_id = raw_operation.get("operationId", "")
    resource, _, method = operation_id.partition(".")
    if resource != tag or not method.isidentifier():
        raise SpecError(
            f"{str(endpoint.method).upper()} {_raw(endpoint.path)}: operationId must be '<tag>.<method>' "
            f"with tag {tag!r}, got {operation_id!r}"
        )
    documented = _parameter_docs(raw, _raw(endpoint.path), raw_operation)
    path_params = [
        Param(_raw(p.name), "path", _field(p, documented.get(_raw(p.name)))) for p in endpoint.path_parameters
    ]
    query_params = [
        Param(_raw(p.name), "query", _field(p, documented.get(_raw(p.name))))
        for p in endpoint.query_parameters
    ]
    header_names = {_raw(p.name).lower() for p in endpoint.header_parameters}
    unknown_headers = header_names - {"idempotency-key"}
    if unknown_headers:
        raise SpecError(
            f"{operation_id}: header parameters other than Idempotency-Key: {sorted(unknown_headers)}"
        )

    body_fields: list[Field] = []
    body_required = False
    for body in endpoint.bodies:
        if body.content_type != "application/json" or not isinstance(body.prop, ModelProperty):
            raise SpecError(
                f"{operation_id}: the request body is not an application/json object — $ref a named object "
                "schema under application/json"
            )
        raw_properties = merged_schema(
            raw.get("components", {}).get("schemas", {}).get(body.prop.class_info.name, {}), raw
        )
        body_fields = [
            _field(p, raw_properties.get("properties", {}).get(_raw(p.name), {}))
            for p in (body.prop.required_properties or []) + (body.prop.optional_properties or [])
        ]
        body_required = True

    result, paginated = _result(operation_id, endpoint)
    statuses = sorted(
        str(code) for code in raw_operation.get("responses", {}) if not str(code).startswith("2")
    )
    return Operation(
        resource=tag,
        name=method,
        http_method=str(endpoint.method).upper(),
        path=_raw(endpoint.path),
        summary=_text(raw_operation.get("summary", "")),
        description=_text(raw_operation.get("description", "")),
        path_params=path_params,
        query_params=query_params,
        body_fields=body_fields,
        body_required=body_required,
        idempotent_key="idempotency-key" in header_names,
        result=result,
        paginated=paginated,
        error_statuses=statuses,
    )


def _parameter_docs(
    raw: dict[str, Any], path: str, raw_operation: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The raw parameter objects of an operation (path-level ones too) by name, `$ref`s resolved."""
    shared = raw.get("components", {}).get("parameters", {})
    found: dict[str, dict[str, Any]] = {}
    for parameter in [*raw["paths"][path].get("parameters", []), *raw_operation.get("parameters", [])]:
        if "$ref" in parameter:
            parameter = shared.get(parameter["$ref"].rsplit("/", 1)[-1], {})
        if "name" in parameter:
            found[parameter["name"]] = parameter
    return found


def _result(operation_id: str, endpoint: Any) -> tuple[str, bool]:
    """The model inside the success envelope's `data`, and whether `data` is a list."""
    successes = [r for r in endpoint.responses if str(r.status_code.pattern).startswith("2")]
    if len(successes) != 1 or not isinstance(successes[0].prop, ModelProperty):
        raise SpecError(
            f"{operation_id}: an operation needs exactly one 2xx response with a body — give it one, whose "
            "application/json schema $refs an envelope"
        )
    envelope = successes[0].prop
    data = next((p for p in (envelope.required_properties or []) if _raw(p.name) == "data"), None)
    if isinstance(data, ListProperty) and isinstance(data.inner_property, ModelProperty):
        return data.inner_property.class_info.name, True
    if isinstance(data, ModelProperty) and not _is_free_form(data):
        return data.class_info.name, False
    raise SpecError(
        f"{operation_id}: the 2xx envelope has no required `data` model — make `data` $ref a model schema, "
        "or be an array of one"
    )


def _raw(value: Any) -> str:
    """The text of the parser's `UntrustedString` (it keeps spec text apart until it is made safe)."""
    getter = getattr(value, "get_untrusted_value", None)
    return str(getter() if getter else value)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""
