"""The API's errors, raised anywhere in the emulator and turned into the error envelope at the edge."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "conflict",
    "not_found",
    "validation_error",
]


class ApiError(Exception):
    """
    An error answer of the v1 API: HTTP status, error code, message and optional details.

    Raising it aborts the operation before anything is stored: operations check everything first and
    change state last.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def validation_error(field: str, issue: str) -> ApiError:
    """A 400 `validation_error` naming the offending field, in the reference's `{field, issue}` shape."""
    return ApiError(
        400, "validation_error", f"Invalid value for {field}: {issue}", {"field": field, "issue": issue}
    )


def not_found(kind: str, identifier: str) -> ApiError:
    """A 404 with the resource's own code (`review_not_found`, ...), naming the id that was asked for."""
    return ApiError(404, f"{kind}_not_found", f"No {kind} with id {identifier!r}", {"id": identifier})


def conflict(message: str, **details: Any) -> ApiError:
    """A 409 `conflict`: the request is valid but the resource's state forbids it."""
    return ApiError(409, "conflict", message, details or None)
