"""Base classes of the generated models in `hitl._models`: `Model` (attrs classes) and `OpenEnum` (enums)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self, cast

from hitl._converter import converter

__all__ = ["Model", "OpenEnum", "extra_repr"]


class Model:
    """
    Base of every API model: plain attrs classes with `to_dict()` and `from_dict()`.

    Every model also has `model_extra`: the fields of the JSON object that this SDK version does not know
    (added to the API after it was released), by name, as they came. `to_dict()` writes them back.
    """

    __slots__ = ()

    # The model's flat structure function, set by `hitl._models` for each generated class: the fast path of
    # the converter's hook for models (see `hitl._converter`). `None`: the detailed cattrs path only.
    _structure_flat: ClassVar[Callable[[Any], Any] | None] = None

    def to_dict(self) -> dict[str, Any]:
        """
        The JSON-ready dict the API would send for this object: unset optional fields left out, the fields of
        `model_extra` included.
        """
        return cast(dict[str, Any], converter.unstructure(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build the model from API JSON data; fields this SDK version does not know go to `model_extra`."""
        return converter.structure(data, cls)


def extra_repr(extra: Mapping[str, Any]) -> str:
    """How `repr()` shows `model_extra`: names only, since an unknown field may hold a secret."""
    return "{" + ", ".join(f"{key!r}: ..." for key in extra) + "}"


class OpenEnum(enum.StrEnum):
    """
    A string enum that accepts values it does not know.

    The API may add statuses, priorities or event types at any time; a response carrying one must still parse.
    An unknown value becomes a member-like instance that compares equal to its string and is not one of the
    declared members, so `status == "escalated"` works and `status in ReviewStatus` stays honest.
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member


def _structure_open_enum(value: Any, type_: type[OpenEnum]) -> OpenEnum:
    # A dict lookup for the known values: calling the class costs several times as much.
    member = type_._value2member_map_.get(value) if value.__class__ is str else None
    return member if member is not None else type_(value)  # type: ignore[return-value]


# Without this the `str` hook of `hitl._converter` would catch the enums (they subclass `str`) and return
# plain strings.
converter.register_structure_hook(OpenEnum, _structure_open_enum)
