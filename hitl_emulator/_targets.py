"""
Where webhook deliveries may go: never to link-local or cloud-metadata addresses, never back into the
emulator's own control API or reviewer page, and nowhere the operator has denied.

Loopback and private addresses stay allowed by default: local receivers and docker-compose services live
there. URLs are checked when a webhook is created or changed (literal addresses, obfuscated numbers, known
metadata names, paths), and again before each delivery once the host name is resolved.
"""

from __future__ import annotations

import asyncio
import ipaddress
import posixpath
import re
import socket
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

__all__ = ["DENY_KEYWORDS", "address_problem", "parse_deny", "resolved_problem", "url_problem"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_ALWAYS_REFUSED: tuple[tuple[_Network, str], ...] = tuple(
    (ipaddress.ip_network(network), why)
    for network, why in (
        ("169.254.0.0/16", "a link-local address (cloud metadata lives at 169.254.169.254)"),
        ("fe80::/10", "a link-local address"),
        ("0.0.0.0/8", "an unspecified address"),
        ("::/128", "an unspecified address"),
        ("224.0.0.0/4", "a multicast address"),
        ("ff00::/8", "a multicast address"),
        ("255.255.255.255/32", "the broadcast address"),
        ("fd00:ec2::254/128", "a cloud metadata address"),
        ("100.100.100.200/32", "a cloud metadata address"),
    )
)
_METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
_LOOPBACK = ("127.0.0.0/8", "::1/128")
DENY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "loopback": _LOOPBACK,
    "private": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"),
}
"""Words `webhook_deny` accepts besides CIDR networks."""

_OWN_PATHS = ("/_emulator", "/ui")
# The WHATWG URL parser (every browser, and many HTTP clients) reads a host whose last label is a number
# as an IPv4 address, in decimal, octal or hex, whole or in parts: `0`, `2130706433`, `0x7f.1`.
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)", re.ASCII)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def parse_deny(entries: Iterable[str]) -> tuple[_Network, ...]:
    """
    The networks a `webhook_deny` list names: CIDR blocks (`10.0.0.0/8`) or `private` / `loopback`.

    Raises:
        ValueError: an entry that is neither, naming it.
    """
    networks: list[_Network] = []
    for entry in entries:
        try:
            networks.extend(ipaddress.ip_network(item) for item in DENY_KEYWORDS.get(entry, (entry,)))
        except ValueError:
            raise ValueError(
                f"webhook_deny entry {entry!r} is not a CIDR network (e.g. 10.0.0.0/8) "
                f"nor one of {', '.join(DENY_KEYWORDS)}"
            ) from None
    return tuple(networks)


def _embedded_ipv4(address: _Address) -> ipaddress.IPv4Address | None:
    # IPv6 forms that carry an IPv4 address a dual-stack host may route to.
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: _Address, deny: tuple[_Network, ...]) -> str | None:
    """Why deliveries may not go to this address, or `None` when they may."""
    candidates = [address]
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        candidates.append(embedded)
    for candidate in candidates:
        for network, why in _ALWAYS_REFUSED:
            if candidate.version == network.version and candidate in network:
                return f"{address} is {why}"
        for network in deny:
            if candidate.version == network.version and candidate in network:
                return f"{address} is in {network}, which this emulator's webhook_deny setting refuses"
    return None


def _literal(host: str) -> _Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def url_problem(url: str, deny: tuple[_Network, ...]) -> str | None:
    """Why a webhook may not point at `url` (a URL already checked to be absolute http(s)), or `None`."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    path = posixpath.normpath(unquote(parts.path) or "/")
    if any(path == own or path.startswith(own + "/") for own in _OWN_PATHS):
        return "it points at an emulator's own control API or reviewer page"
    if host in _METADATA_NAMES:
        return f"{host} is a cloud metadata service"
    address = _literal(host)
    if address is None:
        if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
            return f"{host} is an IP address in an unusual notation; write it as a dotted quad like 127.0.0.1"
        if host == "localhost" or host.endswith(".localhost"):
            address = ipaddress.IPv4Address("127.0.0.1")
        else:
            return None  # a name: checked again once resolved, before each delivery
    return address_problem(address, deny)


async def resolved_problem(url: str, deny: tuple[_Network, ...]) -> str | None:
    """`url_problem` after resolving the host name, so a name pointing at a refused address is refused too."""
    problem = url_problem(url, deny)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if problem is not None or _literal(host) is not None:
        return problem
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return None  # unresolvable: the delivery fails with the client's own connection error
    for info in infos:
        address = _literal(str(info[4][0]))
        if address is not None:
            found = address_problem(address, deny)
            if found is not None:
                return f"{host} resolves where deliveries may not go: {found}"
    return None
