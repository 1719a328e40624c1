"""Fixtures for every test: the emulator's pytest plugin, registered the way users register it."""

pytest_plugins = ["hitl_emulator.pytest_plugin"]
