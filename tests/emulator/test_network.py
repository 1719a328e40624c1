"""Tests for a served emulator: Host checks against DNS rebinding, the header deadline, bind warnings."""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from hitl_emulator import EmulatorConfig, EmulatorServer, serve_in_thread
from hitl_emulator._cli import main
from hitl_emulator._network import exposure_warning, host_allowed, warn_if_exposed
from tests.emulator._support import AUTH, error_of

FOREIGN_HOSTS = [
    "evil.example",
    "evil.example:8765",
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "hitl-emulator",
    "EVIL.example.",
    "localhost@evil.example",
    "xn--localhost-evil.example",
]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_foreign_host_names_are_refused(hitl_emulator_server: EmulatorServer, host: str) -> None:
    """A name that is not the emulator's (what a DNS-rebinding page sends) gets 400 on every surface."""
    for method, path in (("GET", "/_emulator/config"), ("POST", "/_emulator/reset"), ("GET", "/v1/reviews")):
        response = httpx.request(method, hitl_emulator_server.url + path, headers={**AUTH, "Host": host})
        assert response.status_code == 400, (method, path)
        error = error_of(response)
        assert error["code"] == "invalid_host" and "--allow-host" in error["message"]


def test_own_names_are_served(hitl_emulator_server: EmulatorServer) -> None:
    """IP addresses, localhost and *.localhost are the emulator's own names."""
    port = urlsplit(hitl_emulator_server.url).port
    for host in (
        f"127.0.0.1:{port}",
        f"localhost:{port}",
        "LOCALHOST",
        f"app.localhost:{port}",
        "[::1]:8765",
    ):
        response = httpx.get(hitl_emulator_server.url + "/v1/reviews", headers={**AUTH, "Host": host})
        assert response.status_code == 200, host


def test_more_names_can_be_allowed(hitl_emulator_server: EmulatorServer) -> None:
    """`allowed_hosts` (`--allow-host`) adds names, e.g. a docker-compose service; `*` allows any."""
    url = hitl_emulator_server.url + "/v1/reviews"
    hitl_emulator_server.emulator.reset(EmulatorConfig(allowed_hosts=("hitl-emulator",)))
    assert httpx.get(url, headers={**AUTH, "Host": "hitl-emulator:8765"}).status_code == 200
    assert httpx.get(url, headers={**AUTH, "Host": "evil.example"}).status_code == 400
    hitl_emulator_server.emulator.reset(EmulatorConfig(allowed_hosts=("*",)))
    assert httpx.get(url, headers={**AUTH, "Host": "evil.example"}).status_code == 200


@pytest.mark.parametrize(
    ("header", "allowed"),
    [(None, False), ("", False), ("10.0.0.5:8765", True), ("[fe80::1]", True), ("Hitl-Emulator.", True)],
)
def test_host_rules(header: str | None, allowed: bool) -> None:
    """No Host is refused; IP literals need no DNS and pass; names compare without case or final dot."""
    assert host_allowed(header, ("hitl-emulator",)) is allowed


def _recv_closed(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the connection within `within` seconds (reads return b"")."""
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


@pytest.mark.parametrize("sent", [b"", b"GET /ui HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a"])
def test_connections_stalling_before_their_headers_end_are_closed(
    hitl_emulator_server: EmulatorServer, sent: bytes
) -> None:
    """A connection that sends nothing, or stops mid-header, is closed at the deadline (here 0.5 s)."""
    with serve_in_thread(hitl_emulator_server.emulator.app, header_timeout=0.5) as url:
        address = urlsplit(url)
        started = time.monotonic()
        stalled = [socket.create_connection((address.hostname, address.port)) for _ in range(5)]
        for sock in stalled:
            sock.sendall(sent)
        try:
            assert all(_recv_closed(sock, within=3.0) for sock in stalled)
            assert time.monotonic() - started < 3.0
            assert httpx.get(url + "/_emulator/health").status_code == 200
        finally:
            for sock in stalled:
                sock.close()


def test_the_deadline_applies_again_after_each_answer(hitl_emulator_server: EmulatorServer) -> None:
    """A keep-alive connection that answered once and then trickles the next request is closed too."""
    with serve_in_thread(hitl_emulator_server.emulator.app, header_timeout=0.5) as url:
        address = urlsplit(url)
        with socket.create_connection((address.hostname, address.port)) as sock:
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            sock.settimeout(3)
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            try:
                for byte in b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n":
                    sock.sendall(bytes([byte]))
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                return  # closed while trickling: what should happen
            assert _recv_closed(sock, within=3.0)


def test_a_slow_body_is_not_cut_by_the_header_deadline(hitl_emulator_server: EmulatorServer) -> None:
    """Once the headers are in, the deadline stops: a request whose body is slower still gets its answer."""
    with serve_in_thread(hitl_emulator_server.emulator.app, header_timeout=0.3) as url:
        address = urlsplit(url)
        with socket.create_connection((address.hostname, address.port)) as sock:
            body = b'{"name": "slow"}'
            head = (
                "POST /v1/teams HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Authorization: {AUTH['Authorization']}\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            sock.sendall(head.encode())
            time.sleep(0.6)
            sock.sendall(body)
            sock.settimeout(3)
            assert sock.recv(4096).startswith(b"HTTP/1.1 201")


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("::", True), ("192.168.1.5", True)])
def test_non_loopback_binds_warn(host: str, warned: bool, caplog: pytest.LogCaptureFixture) -> None:
    """Binding beyond loopback says loudly that the key-less routes become reachable."""
    warning = exposure_warning(host)
    assert (warning is not None) is warned
    assert warning is not None and "/_emulator/" in warning and "/ui" in warning
    with caplog.at_level(logging.WARNING, logger="hitl.emulator"):
        warn_if_exposed(host)
    assert "WARNING" in caplog.text


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_binds_do_not_warn(host: str) -> None:
    """Loopback addresses stay quiet."""
    assert exposure_warning(host) is None


def test_cli_prints_the_warning_for_all_interfaces(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hitl-emulator --host 0.0.0.0` warns on stderr before serving (the socket is bound, never served)."""
    monkeypatch.setattr("hitl_emulator._cli.uvicorn.Server.run", lambda self, sockets: None)
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("WARNING: the HITL emulator listens on 0.0.0.0")
    assert main(["--host", "127.0.0.1", "--port", "0"]) == 0
    assert capsys.readouterr().err == ""
