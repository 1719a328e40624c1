"""The README's demo and the quickstarts run end to end against the embedded emulator."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script", ["quickstart_async.py", "quickstart_sync.py"])
def test_quickstart_prints_the_human_decision(script: str) -> None:
    """Template, review, reviewer, verified webhook with its duplicate dropped, and the decision."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "signature verified, 1 duplicate delivery dropped" in result.stdout
    assert "The human's decision: approved=True, feedback='Hedged the claim'" in result.stdout
