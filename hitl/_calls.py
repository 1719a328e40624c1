"""
Calls of a guarded function (`approvals.require`) as JSON arguments, and back.

A call becomes the arguments the agent passed, by parameter name (defaults are left to the function, so
the reviewer sees what the agent chose). A reviewer's edit is checked against the function's signature
(names, required parameters, and plain annotations such as `int` or `str | None`) before it can run.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

__all__ = ["GuardedSignature"]

_PLAIN = (str, int, float, bool, list, dict)


class GuardedSignature:
    """The signature of a guarded function: reads its calls and checks and applies edited arguments."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self._signature = inspect.signature(func)
        try:
            hints = typing.get_type_hints(func)
        except Exception:  # forward references that do not resolve: check names only
            hints = {}
        self._types = {name: _plain_types(hint) for name, hint in hints.items() if name != "return"}

    def arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's arguments by parameter name; a call that does not fit raises `TypeError` as usual."""
        bound = self._signature.bind(*args, **kwargs)
        arguments = dict(bound.arguments)
        for name, parameter in self._signature.parameters.items():
            if parameter.kind is parameter.VAR_POSITIONAL and name in arguments:
                arguments[name] = list(arguments[name])
        return arguments

    def check(self, arguments: dict[str, Any]) -> None:
        """Raise `TypeError` naming the problem if `arguments` cannot be a call of the function."""
        parameters = self._signature.parameters
        unknown = sorted(set(arguments) - set(parameters))
        if unknown:
            raise TypeError(f"unknown argument(s) {', '.join(unknown)}")
        for name, parameter in parameters.items():
            if name not in arguments:
                if parameter.default is parameter.empty and parameter.kind not in (
                    parameter.VAR_POSITIONAL,
                    parameter.VAR_KEYWORD,
                ):
                    raise TypeError(f"missing required argument {name}")
                continue
            value = arguments[name]
            if parameter.kind is parameter.VAR_POSITIONAL and not isinstance(value, list):
                raise TypeError(f"{name} must be a list")
            if parameter.kind is parameter.VAR_KEYWORD and not isinstance(value, dict):
                raise TypeError(f"{name} must be an object")
            expected = self._types.get(name)
            plain = parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
            if expected is not None and plain and not _fits(value, expected):
                names = " or ".join("null" if t is type(None) else t.__name__ for t in expected)
                raise TypeError(f"{name} must be {names}, got {_json_type(value)}")

    def call_with(self, arguments: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Positional and keyword arguments that call the function with `arguments` (already checked)."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        positional = True
        for name, parameter in self._signature.parameters.items():
            if parameter.kind is parameter.VAR_POSITIONAL:
                args.extend(arguments.get(name, []))
            elif parameter.kind is parameter.VAR_KEYWORD:
                kwargs.update(arguments.get(name, {}))
            elif name not in arguments:
                positional = False  # later positional parameters go by name, past the default
            elif parameter.kind is parameter.KEYWORD_ONLY or (
                parameter.kind is parameter.POSITIONAL_OR_KEYWORD and not positional
            ):
                kwargs[name] = arguments[name]
            else:
                args.append(arguments[name])
        return args, kwargs


def _plain_types(hint: object) -> tuple[type, ...] | None:
    """The JSON-like classes an annotation allows, when it is that simple (`int`, `str | None`); else None."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    plain: list[type] = []
    for option in options:
        origin = typing.get_origin(option) or option
        if option is type(None):
            plain.append(type(None))
        elif origin in _PLAIN:
            plain.append(origin)
        else:
            return None
    return tuple(plain)


def _fits(value: object, expected: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in expected
    if isinstance(value, int) and float in expected:
        return True
    return any(isinstance(value, option) for option in expected if option is not bool)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", list: "an array", dict: "an object"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )
