"""A reviewer's answers: checked against the template's fields, or made up for auto-completion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._checks import MISSING, is_number
from ._errors import validation_error
from ._model import FieldDef

__all__ = ["check_result", "plausible_result"]

_AUTO_FEEDBACK = "Approved automatically by the HITL emulator."

_MIN_RATING = 1
_MAX_RATING = 5


def _is_needed(field: FieldDef) -> bool:
    """
    Whether a complete result must answer this field.

    A read-only `content_display` field only shows the content, so there is nothing to answer even when
    the template marks it required; an editable one must come back with the (possibly edited) text.
    """
    return field["required"] and (field["type"] != "content_display" or field["editable"])


def _check_value(field: FieldDef, value: Any, path: str) -> None:
    options = field["options"] or []
    match field["type"]:
        case "content_display" | "text":
            if not isinstance(value, str):
                raise validation_error(path, "must be a string")
        case "boolean":
            if not isinstance(value, bool):
                raise validation_error(path, "must be a boolean")
        case "number":
            if not is_number(value):
                raise validation_error(path, "must be a number")
        case "rating":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not _MIN_RATING <= value <= _MAX_RATING
            ):
                raise validation_error(path, f"must be an integer from {_MIN_RATING} to {_MAX_RATING}")
        case "single_select":
            if not isinstance(value, str) or value not in options:
                raise validation_error(path, f"must be one of {', '.join(options)}")
        case "multi_select":
            if not isinstance(value, list) or any(item not in options for item in value):
                raise validation_error(path, f"must be an array of options from {', '.join(options)}")
            if len(set(value)) != len(value):
                raise validation_error(path, "must not repeat an option")


def check_result(fields: Sequence[FieldDef], result: Any) -> dict[str, Any]:
    """
    Check a reviewer's answers, keyed by field name, against the form they answer.

    Every needed field must be answered, each answer must suit its field's type, an optional field may be
    `null` (left unanswered), and keys that are not fields of the template are refused.
    """
    if not isinstance(result, dict):
        raise validation_error("result", "must be an object keyed by template field name")
    by_name = {field["name"]: field for field in fields}
    for key in result:
        if key not in by_name:
            raise validation_error(f"result.{key}", "is not a field of the review's template")
    for field in fields:
        path = f"result.{field['name']}"
        value = result.get(field["name"], MISSING)
        if value is MISSING or value is None:
            if _is_needed(field):
                raise validation_error(path, "is required")
            continue
        _check_value(field, value, path)
    return result


def plausible_result(fields: Sequence[FieldDef], content_text: str) -> dict[str, Any]:
    """
    An approving answer for every field, as a satisfied reviewer would give it.

    Booleans say yes, ratings are top marks, selects take their first option, and editable content comes
    back unchanged: enough for an unattended run to reach `completed` with a result that passes
    `check_result`.
    """
    result: dict[str, Any] = {}
    for field in fields:
        options = field["options"] or []
        match field["type"]:
            case "content_display":
                if field["editable"]:
                    result[field["name"]] = content_text
            case "boolean":
                result[field["name"]] = True
            case "text":
                result[field["name"]] = _AUTO_FEEDBACK
            case "number":
                result[field["name"]] = 1
            case "rating":
                result[field["name"]] = _MAX_RATING
            case "single_select":
                result[field["name"]] = options[0]
            case "multi_select":
                result[field["name"]] = options[:1]
    return result
