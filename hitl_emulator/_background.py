"""
A private event loop on a daemon thread, for work that outlives the request that caused it.

Webhook deliveries and delayed auto-completions run here rather than on the loop serving requests. That
loop may belong to a test (behind `httpx.ASGITransport`) and close when the test ends, or be a uvicorn
loop on another thread; this one is always there, whichever thread asks, until `close()`.

Work is handed over in a fresh, empty `contextvars.Context`: the caller's context may say it runs under
trio (sniffio keeps that in a context variable), and httpx on this asyncio loop must not believe it.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["BackgroundLoop"]

_T = TypeVar("_T")
_JOIN_SECONDS = 5.0


class BackgroundLoop:
    """An asyncio loop on its own thread, started on first use."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        # Touched only on the loop's own thread.
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timers: set[asyncio.TimerHandle] = set()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(target=self._main, args=(loop, ready), name=self._name, daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    @staticmethod
    def _main(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        try:
            loop.run_forever()
        finally:
            loop.close()

    def _on_loop_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def spawn(self, factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run the coroutine `factory()` makes as a task on the loop; callable from any thread."""

        def start() -> None:
            task = asyncio.get_running_loop().create_task(factory())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._running_loop().call_soon_threadsafe(start, context=contextvars.Context())

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        """Call `callback` on the loop after `delay` seconds; callable from any thread."""

        def schedule() -> None:
            handle: asyncio.TimerHandle

            def fire() -> None:
                self._timers.discard(handle)
                callback()

            handle = asyncio.get_running_loop().call_later(delay, fire)
            self._timers.add(handle)

        self._running_loop().call_soon_threadsafe(schedule, context=contextvars.Context())

    def run(self, coroutine: Coroutine[Any, Any, _T], *, timeout: float = _JOIN_SECONDS) -> _T:
        """Run a coroutine on the loop and wait for its result; not from the loop's own thread."""
        future = contextvars.Context().run(asyncio.run_coroutine_threadsafe, coroutine, self._running_loop())
        return future.result(timeout)

    async def _cancel_everything(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    def cancel_all(self) -> None:
        """Cancel every pending task and timer and wait until the tasks have unwound."""
        if self._loop is None:
            return
        if self._on_loop_thread():
            self._loop.create_task(self._cancel_everything())
            return
        self.run(self._cancel_everything())

    def close(self, cleanup: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Cancel everything, run `cleanup()` on the loop, then stop the loop and join its thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return

        async def shut_down() -> None:
            await self._cancel_everything()
            if cleanup is not None:
                await cleanup()

        asyncio.run_coroutine_threadsafe(shut_down(), loop).result(_JOIN_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_JOIN_SECONDS)
