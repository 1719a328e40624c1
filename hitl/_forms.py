"""
Review forms defined in code: template fields from a class, and a completed review's result as an instance.

    @attrs.define
    class Check:
        accurate: bool                                   # boolean, required
        tone: Literal["formal", "casual"]                # single_select with those options
        tags: list[Literal["legal", "pricing"]] = []     # multi_select, optional
        score: Annotated[int, FieldType.RATING] = 3      # rating, optional
        notes: str | None = None                         # text, optional

    template = client.templates.create(name="Check", fields=fields_from(Check))
    ...
    check = result_as(review, Check)

Attrs classes and dataclasses work; pydantic models too when pydantic is installed. No I/O.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

import attrs

from hitl._exceptions import HITLError, InvalidArgumentError
from hitl._models import FieldType, PartialReview, Review, ReviewStatus, TemplateField

__all__ = ["ResultFieldError", "fields_from", "result_as"]

T = TypeVar("T")

_BY_TYPE = {bool: FieldType.BOOLEAN, str: FieldType.TEXT, int: FieldType.NUMBER, float: FieldType.NUMBER}


class ResultFieldError(HITLError, ValueError):
    """A completed review's result does not fit the class asked for; `field` names the field that does not."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, str(self)))


@attrs.frozen
class _Field:
    """One attribute of the class as a form field, and what its answers must be."""

    name: str
    label: str
    kind: FieldType
    required: bool
    python: type  # the value's class: bool, str, int or float (list for multi_select)
    options: tuple[str, ...] | None = None

    def template_field(self) -> TemplateField:
        editable = self.kind == FieldType.CONTENT_DISPLAY
        options = list(self.options) if self.options is not None else None
        return TemplateField(
            name=self.name,
            type=self.kind,
            label=self.label,
            required=self.required,
            editable=editable,
            options=options,
        )


def fields_from(cls: type) -> list[TemplateField]:
    """
    Template fields for the attributes of an attrs class, a dataclass or a pydantic model, in order.

    `bool` → boolean, `str` → text, `int`/`float` → number, `Literal["a", "b"]` → single_select with those
    options, `list[Literal[...]]` → multi_select, `Annotated[int, FieldType.RATING]` → rating (any
    `Annotated[..., FieldType.X]` picks the field type). `X | None` or a default makes a field optional.
    The label is the field's `label` metadata (`attrs.field(metadata={"label": ...})`, the same for
    dataclasses; a pydantic field's `title`), else its name in words.

    Raises:
        InvalidArgumentError: `cls` is not such a class, or an attribute's type has no form field; the
            message names the attribute.
    """
    return [field.template_field() for field in _form(cls)]


def result_as(review: Review | PartialReview, cls: type[T]) -> T:
    """
    A completed review's `result` as an instance of `cls` (the class its template came from).

    Unanswered optional fields keep their defaults (or `None`).

    Raises:
        ResultFieldError: The review is not completed, or an answer does not fit its attribute; `field`
            and the message name it.
    """
    if review.status != ReviewStatus.COMPLETED or review.result is None:
        raise ResultFieldError("result", f"review {review.id} is {review.status}: it has no result yet")
    result = review.result
    values: dict[str, Any] = {}
    for field in _form(cls):
        value = result.get(field.name)
        if value is None:
            if field.required:
                raise ResultFieldError(
                    field.name, f"result.{field.name} is missing; {cls.__name__} requires it"
                )
            continue
        values[field.name] = _fit(field, value, cls.__name__)
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:  # the class's own validation (e.g. pydantic, attrs validators)
        raise ResultFieldError("result", f"the result does not make a {cls.__name__}: {error}") from error


def _fit(field: _Field, value: object, owner: str) -> Any:
    where = f"result.{field.name} ({owner}.{field.name})"
    if field.kind == FieldType.MULTI_SELECT:
        if not isinstance(value, list) or any(item not in (field.options or ()) for item in value):
            raise ResultFieldError(field.name, f"{where} must be a list of {', '.join(field.options or ())}")
        return list(value)
    if field.options is not None:
        if value not in field.options:
            raise ResultFieldError(
                field.name, f"{where} must be one of {', '.join(field.options)}, got {value!r}"
            )
        return value
    if field.python is bool or isinstance(value, bool):
        if not (field.python is bool and isinstance(value, bool)):
            raise ResultFieldError(field.name, f"{where} must be a {field.python.__name__}, got {value!r}")
        return value
    if field.python is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise ResultFieldError(field.name, f"{where} must be an integer, got {value!r}")
        if field.kind == FieldType.RATING and not 1 <= value <= 5:
            raise ResultFieldError(field.name, f"{where} must be a rating from 1 to 5, got {value!r}")
        return value
    if field.python is float:
        if not isinstance(value, int | float):
            raise ResultFieldError(field.name, f"{where} must be a number, got {value!r}")
        return float(value)
    if not isinstance(value, field.python):
        raise ResultFieldError(field.name, f"{where} must be a {field.python.__name__}, got {value!r}")
    return value


def _form(cls: type) -> list[_Field]:
    """The class's attributes as form fields; what both public functions read."""
    if not isinstance(cls, type):
        raise InvalidArgumentError(f"expected a class (attrs, dataclass or pydantic model), got {cls!r}")
    for reader in (_attrs_attributes, _dataclass_attributes, _pydantic_attributes):
        attributes = reader(cls)
        if attributes is not None:
            break
    else:
        raise InvalidArgumentError(f"{cls.__name__} is not an attrs class, a dataclass or a pydantic model")
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as error:
        raise InvalidArgumentError(f"the annotations of {cls.__name__} do not resolve: {error}") from error
    return [
        _field(cls, name, hints.get(name, annotation), has_default, label)
        for name, annotation, has_default, label in attributes
    ]


# (name, annotation, has a default, label or None) per attribute, or None when the class is not of that kind.
_Attributes = list[tuple[str, Any, bool, str | None]]


def _attrs_attributes(cls: type) -> _Attributes | None:
    if not attrs.has(cls):
        return None
    return [
        (a.name, a.type, a.default is not attrs.NOTHING, _label(a.metadata))
        for a in attrs.fields(cls)
        if a.init
    ]


def _dataclass_attributes(cls: type) -> _Attributes | None:
    if not dataclasses.is_dataclass(cls):
        return None
    missing = dataclasses.MISSING
    return [
        (f.name, f.type, f.default is not missing or f.default_factory is not missing, _label(f.metadata))
        for f in dataclasses.fields(cls)
        if f.init
    ]


def _pydantic_attributes(cls: type) -> _Attributes | None:
    model_fields: Mapping[str, Any] | None = getattr(cls, "model_fields", None)
    if not isinstance(model_fields, Mapping) or not callable(getattr(cls, "model_validate", None)):
        return None
    return [
        (name, info.annotation, not info.is_required(), info.title) for name, info in model_fields.items()
    ]


def _label(metadata: Mapping[Any, Any]) -> str | None:
    label = metadata.get("label")
    return label if isinstance(label, str) else None


def _field(cls: type, name: str, annotation: Any, has_default: bool, label: str | None) -> _Field:
    required = not has_default
    chosen: FieldType | None = None
    if typing.get_origin(annotation) is Annotated:
        annotation, *extras = typing.get_args(annotation)
        chosen = next((extra for extra in extras if isinstance(extra, FieldType)), None)
    options = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in options:
        rest = [option for option in options if option is not type(None)]
        if len(rest) == 1:
            annotation, required = rest[0], False
    label = label or name.replace("_", " ").capitalize()
    field_type, python, choices = _kind(annotation)
    if field_type is None:
        raise InvalidArgumentError(
            f"{cls.__name__}.{name}: {annotation!r} has no form field "
            "(use bool, str, int, float, a Literal of strings, a list of one, or their optional forms)"
        )
    if chosen is not None:
        field_type = chosen
    return _Field(name=name, label=label, kind=field_type, required=required, python=python, options=choices)


def _kind(annotation: Any) -> tuple[FieldType | None, type, tuple[str, ...] | None]:
    if annotation in _BY_TYPE:
        return _BY_TYPE[annotation], annotation, None
    origin = typing.get_origin(annotation)
    if origin is Literal:
        options = typing.get_args(annotation)
        if all(isinstance(option, str) for option in options):
            return FieldType.SINGLE_SELECT, str, options
    if origin is list:
        (item,) = typing.get_args(annotation) or (None,)
        if typing.get_origin(item) is Literal and all(isinstance(o, str) for o in typing.get_args(item)):
            return FieldType.MULTI_SELECT, list, typing.get_args(item)
    return None, object, None
