"""Fixtures for every test: the emulator's pytest plugin, registered the way users do, and a receiver."""

from collections.abc import Iterator

import pytest

from tests.receiver import Receiver, running_receiver

pytest_plugins = ["hitl_emulator.pytest_plugin"]


@pytest.fixture
def webhook_receiver() -> Iterator[Receiver]:
    """A webhook endpoint on loopback that verifies and de-duplicates what it gets (see tests/receiver.py)."""
    with running_receiver() as receiver:
        yield receiver
