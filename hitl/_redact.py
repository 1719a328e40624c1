"""
Secrets out of every text built from a request or a response: error messages, log lines, pickles.

Secrets are found by what they are, not by where a server happens to put them: the API key in each form it
can take in text (as sent, JSON-escaped, percent-encoded, Python-escaped), and any JSON member named `secret`
(a webhook's signing secret, which `webhooks.create` returns).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from hitl._json import loads

__all__ = ["REDACTED", "Redactor"]

REDACTED = "<redacted>"
# JSON members whose value is a secret whatever it looks like.
_SECRET_MEMBERS = frozenset({"secret"})


class Redactor:
    """Replaces the given secrets, and `secret` members of JSON, with `<redacted>`."""

    __slots__ = ("_forms",)

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = {form for secret in secrets if secret for form in _written_forms(secret)}
        # Longest first: a form that contains a shorter one is replaced whole, leaving no escapes behind.
        self._forms = sorted(forms, key=len, reverse=True)

    @classmethod
    def for_request(cls, request: httpx.Request | None) -> Redactor:
        """A redactor for the bearer token `request` carries (none: `secret` members only)."""
        authorization = request.headers.get("authorization", "") if request is not None else ""
        scheme, _, token = authorization.partition(" ")
        return cls([token.strip()] if scheme.lower() == "bearer" and token.strip() else [])

    @classmethod
    def for_response(cls, response: httpx.Response) -> Redactor:
        """A redactor for the bearer token of the request `response` answers."""
        try:
            request = response.request
        except RuntimeError:  # a response built by hand has no request
            return cls()
        return cls.for_request(request)

    def text(self, text: str) -> str:
        """`text` with every form of every secret replaced."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def json_value(self, value: Any) -> Any:
        """
        A parsed JSON value with its `secret` members and every string holding a secret redacted.

        Raises `RecursionError` for a value nested deeper than Python can walk; callers fall back to text.
        """
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {
                self.text(key): REDACTED if key in _SECRET_MEMBERS else self.json_value(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.json_value(item) for item in value]
        return value

    def body_text(self, content: bytes) -> str:
        """A body as text for a log line: JSON redacted member by member, anything else by its text."""
        try:
            return json.dumps(self.json_value(loads(content)), ensure_ascii=False)
        except (ValueError, RecursionError):
            return self.text(content.decode("utf-8", "replace"))

    def body_bytes(self, content: bytes) -> bytes:
        """A body to keep (in a pickle): unchanged when it holds no secret, else redacted as `body_text`."""
        text = content.decode(
            "latin-1"
        )  # every byte maps to one character, so clean bytes come back as they were
        if self.text(text) == text and not _may_hold_secret_member(content):
            return content
        return self.body_text(content).encode()


def _may_hold_secret_member(content: bytes) -> bool:
    return any(name.encode() in content for name in _SECRET_MEMBERS)


def _written_forms(secret: str) -> set[str]:
    """The ways `secret` can be written in the text of a body, a URL, a message or a repr."""
    json_escaped = json.dumps(secret)[1:-1]
    forms = {
        secret,
        json_escaped,
        json_escaped.replace("/", "\\/"),  # JSON allows `\/`, and some servers write it
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        repr(secret)[1:-1],
        repr(json_escaped)[1:-1],  # a JSON body shown with %r
    }
    return {form for form in forms if form}
