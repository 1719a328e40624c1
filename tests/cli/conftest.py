"""Helpers for the `hitl` command's tests: run it in-process, in a subprocess, or on a pseudo-terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest

from hitl._cli import main
from hitl_emulator import EmulatorServer

#: Runs `hitl` the way the console script does, without depending on where the script was installed.
HITL = [sys.executable, "-c", "import sys; from hitl._cli import main; sys.exit(main())"]


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def env(hitl_emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment pointing `hitl` at the loopback emulator (also set in this process)."""
    values = {"HITL_BASE_URL": hitl_emulator_server.url, "HITL_API_KEY": hitl_emulator_server.api_key}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HITL_LOG", raising=False)
    yield {**os.environ, **values}


@pytest.fixture
def cli(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """`cli(*argv)`: run `hitl` in this process (stdout is not a terminal, so output is JSON)."""

    def run(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run


def run_process(argv: list[str], env: Mapping[str, str], stdin: str | None = None) -> Result:
    """`hitl` in a subprocess with pipes for stdin, stdout and stderr."""
    done = subprocess.run(
        [*HITL, *argv], env=dict(env), input=stdin, capture_output=True, text=True, timeout=60, check=False
    )
    return Result(done.returncode, done.stdout, done.stderr)
