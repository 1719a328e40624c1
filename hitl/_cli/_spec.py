"""
The API's operations as the CLI and the MCP server see them, read from the generated resource classes.

The generated methods carry everything openapi.yaml says about an operation: the signature (path ids
positional, the rest keyword-only, `NOT_GIVEN` for optional), precise type hints (enums, literals, models,
datetimes, lists) and a docstring with a summary, a description and one `Args:` line per argument. Reading
them here means a new operation reaches `hitl --help` and the MCP tool list with `make generate`, with no
hand-kept copy of its options.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import attrs

from hitl._types import NotGiven

__all__ = ["Operation", "Param", "ParamKind", "Resource", "input_schema", "resources"]

ParamKind = Literal["string", "integer", "number", "boolean", "datetime", "choice", "object", "array"]

# Options of every generated method that configure the call, not the operation: the CLI and the MCP server
# set them once, from their own flags and configuration.
_CALL_OPTIONS = frozenset({"extra_headers", "timeout", "max_retries"})
_SCALARS: dict[type, ParamKind] = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    dt.datetime: "datetime",
}
_ENDPOINT = re.compile(r"\(`(?P<method>[A-Z]+) (?P<path>/[^`]*)`\)\.?$")


@dataclass(frozen=True)
class Param:
    """One argument of an operation."""

    name: str
    kind: ParamKind
    help: str
    required: bool
    positional: bool
    #: `None` is a meaningful value (PATCH: "set to null").
    nullable: bool = False
    choices: tuple[str, ...] = ()
    #: For arrays: the kind of the items ("string" or "object").
    item_kind: ParamKind | None = None
    #: For objects (or arrays of objects): the model the value is checked against, if any.
    model: type | None = None


@dataclass(frozen=True)
class Operation:
    """One generated method: `<resource>.<name>`."""

    resource: str
    name: str
    summary: str
    description: str
    http_method: str
    path: str
    params: tuple[Param, ...]
    #: The method returns a paginator (a list operation).
    paginated: bool
    result: type | None

    @property
    def command(self) -> str:
        """The CLI name: `list_members` → `members`, `add_member` → `add-member`."""
        name = self.name.removeprefix("list_") if self.name != "list" else self.name
        return name.replace("_", "-")


@dataclass(frozen=True)
class Resource:
    """One resource (tag): its attribute name on the client, what it is, and its operations."""

    name: str
    description: str
    operations: tuple[Operation, ...]

    def operation(self, name: str) -> Operation:
        for operation in self.operations:
            if operation.name == name:
                return operation
        raise KeyError(name)


def resources(client_class: type) -> tuple[Resource, ...]:
    """The resources of a generated client class (`hitl_sync.HITL` or `hitl_async.AsyncHITL`), by name."""
    found = []
    for name, member in sorted(vars(client_class).items()):
        if name.startswith("_") or not isinstance(member, cached_property):
            continue
        resource_class = typing.get_type_hints(member.func).get("return")
        if not isinstance(resource_class, type):
            continue
        operations = tuple(
            _operation(name, method_name, method)
            for method_name, method in sorted(vars(resource_class).items())
            if not method_name.startswith("_") and inspect.isfunction(method) and _is_generated(method)
        )
        if operations:
            found.append(Resource(name, _summary(resource_class.__doc__ or ""), operations))
    return tuple(found)


def _is_generated(method: Callable[..., Any]) -> bool:
    # Generated methods name their endpoint on the docstring's first line; hand-written mixins
    # (`reviews.wait`) do not, and the CLI gives those their own commands.
    return bool(_ENDPOINT.search(_summary(method.__doc__ or "")))


def _operation(resource: str, name: str, method: Callable[..., Any]) -> Operation:
    doc = inspect.cleandoc(method.__doc__ or "")
    summary = _summary(doc)
    endpoint = _ENDPOINT.search(summary)
    assert endpoint is not None  # checked by _is_generated
    hints = typing.get_type_hints(method)
    arg_help = _arg_help(doc)
    params = []
    for param in inspect.signature(method).parameters.values():
        if param.name == "self" or param.name in _CALL_OPTIONS:
            continue
        params.append(
            _param(
                param.name,
                hints[param.name],
                arg_help.get(param.name, ""),
                required=param.default is inspect.Parameter.empty,
                positional=param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD,
            )
        )
    result = hints.get("return")
    paginated = getattr(typing.get_origin(result), "__name__", None) == "Paginator"
    if paginated:
        result = typing.get_args(result)[0]
    return Operation(
        resource=resource,
        name=name,
        summary=_ENDPOINT.sub("", summary).strip(),
        description=_description(doc),
        http_method=endpoint["method"],
        path=endpoint["path"],
        params=tuple(params),
        paginated=paginated,
        result=result if isinstance(result, type) else None,
    )


def _param(name: str, hint: Any, help: str, *, required: bool, positional: bool) -> Param:
    options = _union_members(hint)
    nullable = type(None) in options
    options = [option for option in options if option not in (NotGiven, type(None))]
    choices = _choices(options)
    if choices:
        return Param(name, "choice", help, required, positional, nullable, choices=choices)
    for option in options:
        if option in _SCALARS:
            return Param(name, _SCALARS[option], help, required, positional, nullable)
    for option in options:
        origin = typing.get_origin(option) or option
        if isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str:
            item = _param(name, typing.get_args(option)[0], help, required=required, positional=positional)
            return Param(
                name,
                "array",
                help,
                required,
                positional,
                nullable,
                choices=item.choices,
                item_kind=item.kind,
                model=item.model,
            )
    model = next((option for option in options if attrs.has(option)), None)
    if model is not None or any((typing.get_origin(o) or o) in (Mapping, dict) for o in options):
        return Param(name, "object", help, required, positional, nullable, model=model)
    raise TypeError(f"{name}: no command-line form for {hint!r}")


def _union_members(hint: Any) -> list[Any]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [member for arg in typing.get_args(hint) for member in _union_members(arg)]
    return [hint]


def _choices(options: list[Any]) -> tuple[str, ...]:
    values: list[str] = []
    for option in options:
        if typing.get_origin(option) is Literal:
            values += [str(value) for value in typing.get_args(option)]
        elif isinstance(option, type) and issubclass(option, enum.Enum):
            values += [str(member.value) for member in option]
    return tuple(dict.fromkeys(values))


def _summary(doc: str) -> str:
    return inspect.cleandoc(doc).split("\n\n", 1)[0].replace("\n", " ").strip()


def _description(doc: str) -> str:
    """The paragraphs between the summary and `Args:`, as one line each."""
    paragraphs = doc.split("\n\n")[1:]
    text = []
    for paragraph in paragraphs:
        if re.match(r"(Args|Returns|Raises):", paragraph.strip()):
            break
        text.append(" ".join(line.strip() for line in paragraph.splitlines()))
    return "\n\n".join(text)


def input_schema(params: Sequence[Param]) -> dict[str, Any]:
    """The JSON Schema of an object holding `params` as properties (an MCP tool's input schema)."""
    return {
        "type": "object",
        "properties": {param.name: _schema(param) for param in params},
        "required": [param.name for param in params if param.required],
        "additionalProperties": False,
    }


def _schema(param: Param) -> dict[str, Any]:
    schema: dict[str, Any]
    if param.kind == "array":
        item = Param(
            param.name, param.item_kind or "string", "", True, False, choices=param.choices, model=param.model
        )
        schema = {"type": "array", "items": _schema(item)}
    elif param.kind == "choice":
        schema = {"type": "string", "enum": list(param.choices)}
    elif param.kind == "datetime":
        schema = {"type": "string", "format": "date-time"}
    elif param.kind == "object":
        schema = _model_schema(param.model) if param.model is not None else {"type": "object"}
    else:
        schema = {"type": param.kind}
    if param.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if param.help:
        schema["description"] = param.help
    return schema


def _model_schema(model: type) -> dict[str, Any]:
    """A model's fields as a JSON Schema object, with the descriptions of its `Attributes:` docstring."""
    hints = typing.get_type_hints(model)
    docs = _arg_help(inspect.cleandoc(model.__doc__ or ""), "Attributes")
    fields = []
    for field in attrs.fields(model):
        try:
            fields.append(
                _param(
                    field.name,
                    hints[field.name],
                    docs.get(field.name, ""),
                    required=field.default is attrs.NOTHING,
                    positional=False,
                )
            )
        except TypeError:
            # A field with no simple JSON form (none today): any value, checked by the SDK and the API.
            fields.append(Param(field.name, "object", docs.get(field.name, ""), False, False))
    schema = input_schema(fields)
    del schema["additionalProperties"]  # the API's models are open; the SDK names unknown members
    return schema


def _arg_help(doc: str, section: str = "Args") -> dict[str, str]:
    """`Args:` (or `Attributes:`) entries: `name: text`, continuation lines indented under them."""
    match = re.search(rf"^{section}:\n((?:[ \t]+.*\n?)+)", doc, re.MULTILINE)
    if match is None:
        return {}
    found: dict[str, str] = {}
    current = None
    for line in match.group(1).splitlines():
        entry = re.match(r"^ {4}(\w+): (.*)$", line)
        if entry:
            current = entry.group(1)
            found[current] = entry.group(2).strip()
        elif current is not None:
            found[current] += " " + line.strip()
    return found
