"""Tests for `hitl._redact`: secrets found by what they are, in every form they take in text."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest

from hitl._redact import REDACTED, Redactor

KEYS = ["hitl_plain_key", 'hitl_"quoted"', "hitl_back\\slash", "hitl_sl/ash", "hitl_'single'", "k+%&="]


@pytest.mark.parametrize("key", KEYS)
def test_every_written_form_of_the_key_is_redacted(key: str) -> None:
    """As sent, JSON-escaped (with `\\/` too), percent-encoded, Python-escaped, and JSON shown with %r."""
    escaped = json.dumps(key)[1:-1]
    forms = [
        key,
        escaped,
        escaped.replace("/", "\\/"),
        quote(key, safe=""),
        repr(key)[1:-1],
        repr(escaped)[1:-1],
    ]
    redactor = Redactor([key])
    for form in forms:
        assert redactor.text(f"before {form} after") == f"before {REDACTED} after"


@pytest.mark.parametrize("key", KEYS)
def test_a_json_body_is_redacted_member_by_member(key: str) -> None:
    """Parsed first, so any escaping a server chose is undone before the key is looked for; `secret` members
    go whatever their value."""
    body = json.dumps({"m": f"echo {key}", "data": {"secret": "whsec_x", "list": [key]}}, ensure_ascii=True)
    shown = Redactor([key]).body_text(body.encode())
    assert key not in shown
    assert "whsec_x" not in shown
    assert json.loads(shown) == {"m": "echo <redacted>", "data": {"secret": REDACTED, "list": [REDACTED]}}


def test_bodies_that_are_not_json_are_redacted_as_text() -> None:
    """HTML, plain text and bytes that are not UTF-8 are redacted by their text."""
    redactor = Redactor(["hitl_k"])
    assert redactor.body_text(b"<p>hitl_k</p>\xff") == "<p><redacted></p>\ufffd"
    assert redactor.body_text(b"[" * 5000) == "[" * 5000  # too deep to parse: text


def test_clean_bodies_are_kept_byte_for_byte() -> None:
    """Only a body holding a secret is rewritten."""
    content = b'{"a":  1, "b": "\\u00e9"}\xff'
    assert Redactor(["hitl_k"]).body_bytes(content) == content


def test_the_redactor_of_a_request_knows_its_bearer_token() -> None:
    """From the Authorization header; without one, only `secret` members are redacted."""
    request = httpx.Request("GET", "https://x", headers={"Authorization": "Bearer hitl_k"})
    assert Redactor.for_request(request).text("hitl_k") == REDACTED
    assert Redactor.for_request(httpx.Request("GET", "https://x")).text("hitl_k") == "hitl_k"
    assert Redactor.for_response(httpx.Response(200)).text("hitl_k") == "hitl_k"
