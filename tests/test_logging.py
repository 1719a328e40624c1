"""Tests for `hitl._logging`: the `hitl` logger, HITL_LOG, and header redaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from hitl._logging import configure_from_environment, logger, redact_headers


@pytest.fixture
def clean_logger() -> Iterator[logging.Logger]:
    """The `hitl` logger without handlers or level, restored afterwards."""
    handlers, level = logger.handlers[:], logger.level
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_the_logger_is_named_hitl() -> None:
    """Applications configure it as `logging.getLogger("hitl")`."""
    assert logger is logging.getLogger("hitl")


@pytest.mark.parametrize(
    ("value", "level"), [("debug", logging.DEBUG), ("info", logging.INFO), (" INFO ", 20)]
)
def test_hitl_log_turns_the_logger_on(clean_logger: logging.Logger, value: str, level: int) -> None:
    """HITL_LOG=info|debug sets the level and adds a handler writing to stderr."""
    assert configure_from_environment(value)
    assert clean_logger.level == level
    assert len(clean_logger.handlers) == 1
    assert isinstance(clean_logger.handlers[0], logging.StreamHandler)


def test_hitl_log_is_read_from_the_environment(
    clean_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an argument the variable is read."""
    monkeypatch.setenv("HITL_LOG", "debug")
    assert configure_from_environment()
    assert clean_logger.level == logging.DEBUG


@pytest.mark.parametrize("value", ["", "warning", "verbose", "1"])
def test_other_values_leave_logging_alone(clean_logger: logging.Logger, value: str) -> None:
    """Anything but info or debug changes nothing."""
    assert not configure_from_environment(value)
    assert (clean_logger.level, clean_logger.handlers) == (logging.NOTSET, [])


def test_an_application_handler_wins(clean_logger: logging.Logger) -> None:
    """If the application already gave the logger a handler, HITL_LOG adds no second one."""
    own = logging.NullHandler()
    clean_logger.addHandler(own)
    assert not configure_from_environment("debug")
    assert clean_logger.handlers == [own]


def test_redact_headers_hides_credentials_and_signatures() -> None:
    """Authorization, cookies and webhook signatures are replaced, whatever their case; the rest stays."""
    headers = httpx.Headers(
        {
            "Authorization": "Bearer secret",
            "X-HITL-Signature": "abc",
            "Cookie": "s=1",
            "Accept": "application/json",
        }
    )
    assert redact_headers(headers) == {
        "authorization": "<redacted>",
        "x-hitl-signature": "<redacted>",
        "cookie": "<redacted>",
        "accept": "application/json",
    }
    assert redact_headers([("AUTHORIZATION", "Bearer secret")]) == {"AUTHORIZATION": "<redacted>"}
