"""The deadline scope of an asyncio call (`hitl_async._backend.cancel_after`) and how it nests with others."""

from __future__ import annotations

import asyncio

import anyio
import pytest

from hitl_async._backend import cancel_after


def test_the_deadline_ends_the_block_with_timeout_error_and_leaves_the_task_usable() -> None:
    async def main() -> None:
        with pytest.raises(TimeoutError), cancel_after(0.01):
            await asyncio.sleep(10)
        await asyncio.sleep(0)  # no cancellation left pending on the task
        assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]

    asyncio.run(main())


def test_a_block_that_ends_in_time_is_untouched() -> None:
    async def main() -> str:
        with cancel_after(10):
            await asyncio.sleep(0)
        await asyncio.sleep(0.02)
        return "done"

    assert asyncio.run(main()) == "done"


def test_an_enclosing_asyncio_timeout_that_ends_first_is_its_own() -> None:
    async def main() -> None:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01) as outer:
                with cancel_after(10):
                    await asyncio.sleep(10)
        assert outer.expired()

    asyncio.run(main())


def test_an_enclosing_anyio_scope_that_ends_first_is_its_own() -> None:
    async def main() -> None:
        with anyio.move_on_after(0.01) as outer:
            with cancel_after(10):
                await anyio.sleep(10)
        assert outer.cancelled_caught

    anyio.run(main, backend="asyncio")


def test_a_cancellation_from_outside_wins_over_a_deadline_passing_at_once() -> None:
    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        with pytest.raises(asyncio.CancelledError), cancel_after(0):
            task.cancel()  # asked for by someone else while the deadline also fires
            await asyncio.sleep(10)

    asyncio.run(main())


def test_trio_uses_anyio_scopes() -> None:
    async def main() -> None:
        with pytest.raises(TimeoutError), cancel_after(0.01):
            await anyio.sleep(10)

    anyio.run(main, backend="trio")
