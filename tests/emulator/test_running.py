"""Tests for the ways to run the emulator: the CLI, the loopback server, and the pytest fixtures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from hitl_emulator import EmulatorServer, FaultSettings
from hitl_emulator._cli import _config, _parser
from tests.emulator._support import AUTH, data_of, error_of

ROOT = Path(__file__).resolve().parents[2]


def test_cli_flags_map_to_the_config() -> None:
    """Every flag lands in `EmulatorConfig`; the defaults are the development key and no faults."""
    default = _config(_parser().parse_args([]))
    assert (default.api_keys, default.read_only_keys, default.faults, default.auto_complete) == (
        ("hitl_dev_key",),
        (),
        FaultSettings(),
        None,
    )
    args = _parser().parse_args(
        [
            "--api-key",
            "k1",
            "--api-key",
            "k2",
            "--read-only-key",
            "ro",
            "--rate-limit",
            "50",
            "--faults",
            "0.3",
            "--fault-kinds",
            "500,drop",
            "--fault-phase",
            "after",
            "--fault-seed",
            "9",
            "--fault-delay",
            "0.1",
            "--auto-complete",
            "2.5",
            "--duplicate-deliveries",
            "--webhook-retry-delays",
            "0.1,0.2",
        ]
    )
    config = _config(args)
    assert (config.api_keys, config.read_only_keys, config.rate_limit_per_minute) == (
        ("k1", "k2"),
        ("ro",),
        50,
    )
    assert config.faults == FaultSettings(
        rate=0.3, kinds=("500", "drop"), phase="after", delay_seconds=0.1, seed=9
    )
    assert (config.auto_complete, config.duplicate_deliveries, config.webhook_retry_delays) == (
        2.5,
        True,
        (0.1, 0.2),
    )
    assert _config(_parser().parse_args(["--auto-complete", "immediate"])).auto_complete == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--faults", "2"],
        ["--fault-kinds", "404"],
        ["--auto-complete", "soon"],
        ["--webhook-retry-delays", "a"],
        ["--port", "x"],
    ],
)
def test_cli_rejects_bad_flags(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Nonsense flags stop the CLI with a usage error."""
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args(argv)
    assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


def test_cli_serves_and_prints_the_key_and_ui_url() -> None:
    """`python -m hitl_emulator --port 0` prints the URL, the key and the UI link, then serves them."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hitl_emulator",
            "--port",
            "0",
            "--api-key",
            "k1",
            "--read-only-key",
            "ro",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(5)]
        url = banner[0].split()[2]
        assert url.startswith("http://127.0.0.1:")
        assert "k1" in banner[1] and "ro" in banner[2] and f"{url}/ui" in banner[3]
        for _ in range(100):
            try:
                health = httpx.get(f"{url}/_emulator/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("the CLI server never answered")
        assert data_of(health) == {"status": "ok"}
        assert httpx.get(f"{url}/v1/reviews", headers={"Authorization": "Bearer k1"}).status_code == 200
        refused = httpx.post(f"{url}/v1/teams", json={"name": "T"}, headers={"Authorization": "Bearer ro"})
        assert (refused.status_code, error_of(refused)["code"]) == (403, "insufficient_permissions")
    finally:
        os.kill(process.pid, signal.SIGINT)
        process.communicate(timeout=10)
    assert process.returncode == 0


def test_loopback_fixture(hitl_emulator_server: EmulatorServer, hitl_emulator_url: str) -> None:
    """The session server is reachable with a blocking client and starts each test empty."""
    assert hitl_emulator_url == hitl_emulator_server.url
    with httpx.Client(base_url=hitl_emulator_url, headers=AUTH) as client:
        assert data_of(client.get("/v1/templates")) == []
        client.post("/v1/teams", json={"name": "left behind"})
    assert len(hitl_emulator_server.emulator.store.teams) == 1


def test_loopback_fixture_was_reset(hitl_emulator_server: EmulatorServer) -> None:
    """What the previous test created is gone."""
    assert hitl_emulator_server.emulator.store.teams == {}


def test_plugin_works_for_users(tmp_path: Path) -> None:
    """A user's suite registers the plugin with `pytest_plugins` and gets working fixtures."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["hitl_emulator.pytest_plugin"]\n')
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import httpx

            def test_in_process(hitl_emulator):
                assert hitl_emulator.api_key == "hitl_dev_key"
                assert hitl_emulator.app.state.emulator is hitl_emulator

            def test_loopback(hitl_emulator_url):
                headers = {"Authorization": "Bearer hitl_dev_key"}
                response = httpx.get(hitl_emulator_url + "/v1/reviews", headers=headers)
                assert response.status_code == 200
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        # Only the plugin under test: third-party plugins would just slow the inner run down.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_missing_extra_names_the_install_command() -> None:
    """Without Starlette, importing the plugin says which extra to install."""
    code = "import sys; sys.modules['starlette'] = None; import hitl_emulator.pytest_plugin"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=30
    )
    assert result.returncode == 1
    assert "pip install 'hitl[emulator]'" in result.stderr
