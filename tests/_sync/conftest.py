"""Hand-written twin of tests/_async/conftest.py: blocking tests need no event loop fixture."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest


class _Interrupted:
    cancelled_caught = False


@pytest.fixture
def cancel_on_sleep(
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[int], contextlib.AbstractContextManager[_Interrupted]]:
    """
    `with cancel_on_sleep(n) as scope:` interrupts the block at the n-th pause of `reviews.wait`, the way
    Ctrl+C stops a blocking call (KeyboardInterrupt); the block then ends quietly with
    `scope.cancelled_caught` set. Twin of the fixture of the same name in tests/_async/conftest.py.
    """

    @contextlib.contextmanager
    def cancel(pause: int) -> Iterator[_Interrupted]:
        scope = _Interrupted()
        pauses = 0

        def sleep(seconds: float) -> None:
            nonlocal pauses
            pauses += 1
            if pauses == pause:
                raise KeyboardInterrupt

        monkeypatch.setattr("hitl_sync._waiting.sleep", sleep)
        try:
            yield scope
        except KeyboardInterrupt:
            scope.cancelled_caught = True

    return cancel
