"""
A loopback HTTP server that answers slowly, for the timeout tests: it trickles its answer a byte at a time,
or holds it back. It listens on 127.0.0.1 only and stops everything it started when the test ends.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.helpers import META, REVIEW


def answer(data: Any = REVIEW) -> tuple[bytes, bytes]:
    """The head and body of a 200 envelope around `data`."""
    body = json.dumps({"success": True, "data": data, "meta": META}).encode()
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    return head, body


@contextmanager
def slow_server(
    *, delay: float = 0.0, interval: float = 0.0, trickle_head: bool = False, answer_with: Any = REVIEW
) -> Iterator[str]:
    """
    Serve a 200 envelope around `answer_with` to every request, after `delay` seconds; with `interval`, one
    byte every `interval` seconds, of the body (and of the head too with `trickle_head`). Yields the base URL.
    Connections end when the test does.
    """
    head, body = answer(answer_with)
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    threads: list[threading.Thread] = []

    def send(connection: socket.socket, data: bytes, byte_by_byte: bool) -> None:
        if not byte_by_byte or not interval:
            connection.sendall(data)
            return
        for index in range(len(data)):
            if stop.wait(interval):
                return
            connection.sendall(data[index : index + 1])

    def handle(connection: socket.socket) -> None:
        with connection:
            try:
                received = b""
                while b"\r\n\r\n" not in received and not stop.is_set():
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    received += chunk
                if stop.wait(delay):
                    return
                send(connection, head, trickle_head)
                send(connection, body, True)
                stop.wait(5.0)  # keep the connection open, as a server that is still "working" would
            except OSError:  # the client gave up and closed: expected
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(5.0)
            thread = threading.Thread(target=handle, args=(connection,), daemon=True)
            thread.start()
            threads.append(thread)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        acceptor.join()
        for thread in threads:
            thread.join()
        listener.close()


def elapsed_since(started: float) -> float:
    return time.monotonic() - started
