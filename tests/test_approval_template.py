"""
What differs between the two clients' approvals: concurrent first uses of one client create one template
(tasks or threads), and only the async client can guard a coroutine function.

Not in tests/_async: tasks and threads are how the two clients are used concurrently, and no token rename
maps one onto the other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest

from hitl_async import AsyncHITL
from hitl_emulator import EmulatorServer
from hitl_sync import HITL, InvalidArgumentError


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_concurrent_tasks_create_one_template(hitl_emulator_server: EmulatorServer) -> None:
    """Ten tasks asking one async client for the template at once: one lookup, one template."""
    ids: list[str] = []
    async with AsyncHITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url) as hitl:

        async def ask() -> None:
            ids.append(await hitl.approvals.template_id())

        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(ask)

    assert len(set(ids)) == 1
    assert hitl_emulator_server.emulator.stats()["templates"] == 1


def test_concurrent_threads_create_one_template(hitl_emulator_server: EmulatorServer) -> None:
    """Ten threads asking one blocking client for the template at once: one lookup, one template."""
    hitl = HITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url)
    with hitl, ThreadPoolExecutor(max_workers=10) as pool:
        ids = list(pool.map(lambda _: hitl.approvals.template_id(), range(10)))

    assert len(set(ids)) == 1
    assert hitl_emulator_server.emulator.stats()["templates"] == 1


def test_the_blocking_client_refuses_to_guard_a_coroutine_function() -> None:
    """HITL cannot await: guarding an async function fails when decorating, with a message that says so."""

    async def send(to: str) -> None: ...

    hitl = HITL(api_key="hitl_test_key", base_url="http://127.0.0.1:9")
    with hitl, pytest.raises(InvalidArgumentError, match="coroutine function"):
        hitl.approvals.require()(send)
