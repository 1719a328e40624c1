"""The fleet features cost nothing to programs that do not use them."""

from __future__ import annotations

import subprocess
import sys

LOADED = "sorted(m for m in sys.modules if m.split('.')[0] == 'redis' or m.endswith('._redis'))"


def _run(code: str) -> str:
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True)
    return finished.stdout.strip()


def test_importing_the_clients_loads_neither_redis_nor_the_redis_modules() -> None:
    """`import hitl_sync, hitl_async` loads no redis module, hitl's or redis-py's; they load on first use."""
    assert _run(f"import sys, hitl_sync, hitl_async; print({LOADED})") == "[]"
    assert _run(f"import sys, hitl_sync; hitl_sync.RedisDecisions; print({LOADED})") == "['hitl_sync._redis']"
