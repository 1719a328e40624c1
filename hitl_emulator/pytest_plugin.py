"""
pytest fixtures for testing code that talks to HITL.sh, against the emulator.

Register the plugin in a `conftest.py`::

    pytest_plugins = ["hitl_emulator.pytest_plugin"]

Fixtures:

- `hitl_emulator_config`: the `EmulatorConfig` the other fixtures use; override it to change settings
  (its default retries webhook deliveries after 0.05, 0.1 and 0.2 s so tests drain quickly).
- `hitl_emulator`: a fresh in-process `Emulator` per test; talk to `hitl_emulator.app` through
  `httpx.ASGITransport`, and play the reviewer with `hitl_emulator.complete_review(...)`.
- `hitl_emulator_server`: an `EmulatorServer` on a free loopback port (`.url`, `.emulator`), shared by
  the session and reset before each test; for sync clients and real webhook receivers.
- `hitl_emulator_url`: that server's base URL, e.g. `http://127.0.0.1:54321`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hitl_emulator import Emulator, EmulatorConfig, EmulatorServer, run_in_thread

__all__ = [
    "hitl_emulator",
    "hitl_emulator_config",
    "hitl_emulator_server",
    "hitl_emulator_session_server",
    "hitl_emulator_url",
]


@pytest.fixture
def hitl_emulator_config() -> EmulatorConfig:
    """The emulator settings for one test; override this fixture to change them."""
    return EmulatorConfig(webhook_retry_delays=(0.05, 0.1, 0.2), webhook_timeout=2.0)


@pytest.fixture
def hitl_emulator(hitl_emulator_config: EmulatorConfig) -> Iterator[Emulator]:
    """A fresh in-process emulator; its ASGI app is `.app`, its development key `.api_key`."""
    emulator = Emulator(hitl_emulator_config)
    try:
        yield emulator
    finally:
        emulator.close()


@pytest.fixture(scope="session")
def hitl_emulator_session_server() -> Iterator[EmulatorServer]:
    """One loopback emulator for the whole session (use `hitl_emulator_server`, which resets it)."""
    with run_in_thread() as server:
        yield server


@pytest.fixture
def hitl_emulator_server(
    hitl_emulator_session_server: EmulatorServer, hitl_emulator_config: EmulatorConfig
) -> Iterator[EmulatorServer]:
    """The session's loopback emulator, emptied and set to `hitl_emulator_config` for this test."""
    emulator = hitl_emulator_session_server.emulator
    emulator.reset(hitl_emulator_config)
    try:
        yield hitl_emulator_session_server
    finally:
        # Stop this test's deliveries and timers before the next test starts.
        emulator.reset()


@pytest.fixture
def hitl_emulator_url(hitl_emulator_server: EmulatorServer) -> str:
    """The base URL of the loopback emulator, reset for this test."""
    return hitl_emulator_server.url
