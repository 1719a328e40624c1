"""Serving over real HTTP on loopback, in a background thread: for sync clients and webhook receivers."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from starlette.types import ASGIApp

from ._config import EmulatorConfig
from ._emulator import Emulator
from ._faults import InjectedConnectionDrop
from ._network import DEFAULT_HEADER_TIMEOUT, HostGuard, server_config, warn_if_exposed

__all__ = ["EmulatorServer", "quiet_injected_drops", "run_in_thread", "serve_in_thread"]

_STARTUP_SECONDS = 10.0
_SHUTDOWN_SECONDS = 5.0


class _DropInjectedFaults(logging.Filter):
    """Hides uvicorn's traceback for connections the emulator dropped on purpose; real errors still log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InjectedConnectionDrop))


_QUIET = _DropInjectedFaults()


def quiet_injected_drops() -> None:
    """Install the filter on uvicorn's error logger (once; repeated calls do nothing)."""
    logging.getLogger("uvicorn.error").addFilter(_QUIET)


@dataclass(frozen=True, slots=True)
class EmulatorServer:
    """A running emulator: its base URL (`http://127.0.0.1:<port>`) and its `Emulator` for controls."""

    url: str
    emulator: Emulator

    @property
    def api_key(self) -> str:
        """A read-write key the server accepts."""
        return self.emulator.api_key


@contextmanager
def serve_in_thread(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
) -> Iterator[str]:
    """
    Serve any ASGI app with uvicorn on a background thread; yields its base URL.

    Port 0 picks a free port. The socket is bound before the thread starts, so the URL is valid as soon
    as it is yielded, and the server is stopped and joined on exit. A connection that has not sent a
    request's headers within `header_timeout` seconds is closed.
    """
    quiet_injected_drops()
    warn_if_exposed(host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio only sets TCP_NODELAY on accepted sockets whose protocol says
    # TCP, and without it every answer (headers and body written apart) waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = server_config(
        app,
        header_timeout=header_timeout,
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=int(_SHUTDOWN_SECONDS),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="hitl-emulator-server", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + _STARTUP_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on {host}:{bound_port} did not start")
            time.sleep(0.005)
        url_host = f"[{host}]" if family == socket.AF_INET6 else host
        yield f"http://{url_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(_SHUTDOWN_SECONDS + 1)
        sock.close()


@contextmanager
def run_in_thread(
    config: EmulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> Iterator[EmulatorServer]:
    """
    Run a fresh emulator over real HTTP on a free loopback port, for as long as the block lasts.

    Requests must name the server by an IP address, `localhost`, or one of `config.allowed_hosts`;
    binding anything but loopback logs a warning on the `hitl.emulator` logger.

    >>> with run_in_thread() as server:
    ...     headers = {"Authorization": f"Bearer {server.api_key}"}
    ...     response = httpx.get(f"{server.url}/v1/reviews", headers=headers)
    """
    emulator = Emulator(config, webhook_transport=webhook_transport)
    try:
        with serve_in_thread(HostGuard(emulator.app, emulator), host=host, port=port) as url:
            yield EmulatorServer(url, emulator)
    finally:
        emulator.close()
