"""The `hitl-emulator` command: run the emulator on loopback until interrupted."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence
from typing import cast

import uvicorn

from ._config import (
    DEFAULT_API_KEY,
    FAULT_KINDS,
    FAULT_PHASES,
    EmulatorConfig,
    FaultKind,
    FaultPhase,
    FaultSettings,
)
from ._emulator import Emulator
from ._network import DEFAULT_HEADER_TIMEOUT, HostGuard, exposure_warning, server_config
from ._server import quiet_injected_drops

__all__ = ["main"]


def _auto_complete(value: str) -> float | None:
    if value == "off":
        return None
    if value == "immediate":
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("use off, immediate, or a number of seconds") from None
    if not seconds >= 0:
        raise argparse.ArgumentTypeError("the delay must be 0 or more seconds")
    return seconds


def _kinds(value: str) -> tuple[FaultKind, ...]:
    kinds = tuple(kind.strip() for kind in value.split(",") if kind.strip())
    unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"choose from {','.join(FAULT_KINDS)}")
    return cast(tuple[FaultKind, ...], kinds)


def _delays(value: str) -> tuple[float, ...]:
    try:
        delays = tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("use comma-separated seconds, e.g. 0.5,1,2,4") from None
    if any(not delay >= 0 for delay in delays):
        raise argparse.ArgumentTypeError("delays must be 0 or more seconds")
    return delays


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("use a share between 0 and 1, e.g. 0.3") from None
    if not 0 <= rate <= 1:
        raise argparse.ArgumentTypeError("use a share between 0 and 1, e.g. 0.3")
    return rate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hitl-emulator",
        description="Run a local, stateful HITL.sh v1 API with a reviewer page, signed webhooks and faults.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1, loopback only)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port to listen on (default: 8765; 0 picks a free one)"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help=f"accept this read-write key (repeatable; default: {DEFAULT_API_KEY})",
    )
    parser.add_argument(
        "--read-only-key",
        action="append",
        dest="read_only_keys",
        default=[],
        metavar="KEY",
        help="accept this key for reads only; writes get 403 (repeatable)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=1000,
        metavar="N",
        help="requests per key per minute (default: 1000)",
    )
    parser.add_argument(
        "--faults",
        type=_rate,
        default=0.0,
        metavar="SHARE",
        help="share of /v1 requests that fail, 0-1 (default: 0)",
    )
    parser.add_argument(
        "--fault-kinds",
        type=_kinds,
        default=FAULT_KINDS,
        metavar="KINDS",
        help=f"comma-separated faults to inject (default: {','.join(FAULT_KINDS)})",
    )
    parser.add_argument(
        "--fault-phase",
        choices=FAULT_PHASES,
        default="both",
        help="whether faults hit writes before or after they are stored (default: both)",
    )
    parser.add_argument(
        "--fault-seed", type=int, default=0, metavar="N", help="seed for reproducible faults (default: 0)"
    )
    parser.add_argument(
        "--fault-delay",
        type=float,
        default=0.5,
        metavar="SECONDS",
        help="delay of a 'delay' fault (default: 0.5)",
    )
    parser.add_argument(
        "--auto-complete",
        type=_auto_complete,
        default=None,
        metavar="off|immediate|SECONDS",
        help="complete new reviews without a human (default: off)",
    )
    parser.add_argument(
        "--duplicate-deliveries", action="store_true", help="deliver every webhook event twice"
    )
    parser.add_argument(
        "--webhook-retry-delays",
        type=_delays,
        default=(0.5, 1.0, 2.0, 4.0),
        metavar="SECONDS",
        help="comma-separated waits before each delivery retry (default: 0.5,1,2,4)",
    )
    parser.add_argument(
        "--webhook-deny",
        action="append",
        default=[],
        metavar="NETWORK",
        help="refuse webhook targets in this network: a CIDR block, 'private' or 'loopback' (repeatable; "
        "link-local and cloud-metadata addresses are always refused)",
    )
    parser.add_argument(
        "--idempotency-ttl",
        type=float,
        default=24 * 60 * 60,
        metavar="SECONDS",
        help="how long an Idempotency-Key's answer is replayed (default: 86400, 24 hours)",
    )
    for flag, what, default in (
        ("--max-events", "events the event log keeps", 10_000),
        ("--max-deliveries", "deliveries the delivery log keeps, payloads included", 1_000),
        ("--max-idempotency-keys", "idempotency answers kept for replay", 10_000),
    ):
        parser.add_argument(flag, type=int, default=default, metavar="N", help=f"{what} (default: {default})")
    parser.add_argument(
        "--allow-host",
        action="append",
        dest="allowed_hosts",
        default=[],
        metavar="NAME",
        help="also accept this name in the Host header, e.g. a docker-compose service name; '*' accepts any "
        "(default: IP addresses and localhost only, against DNS rebinding; repeatable)",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=DEFAULT_HEADER_TIMEOUT,
        metavar="SECONDS",
        help="close connections that take longer to send a request's headers "
        f"(default: {DEFAULT_HEADER_TIMEOUT:g})",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level (default: info)",
    )
    return parser


def _config(args: argparse.Namespace) -> EmulatorConfig:
    faults = FaultSettings(
        rate=args.faults,
        kinds=args.fault_kinds,
        phase=cast(FaultPhase, args.fault_phase),
        delay_seconds=args.fault_delay,
        seed=args.fault_seed,
    )
    return EmulatorConfig(
        api_keys=tuple(args.api_keys or (DEFAULT_API_KEY,)),
        read_only_keys=tuple(args.read_only_keys),
        rate_limit_per_minute=args.rate_limit,
        faults=faults,
        auto_complete=args.auto_complete,
        duplicate_deliveries=args.duplicate_deliveries,
        webhook_retry_delays=args.webhook_retry_delays,
        allowed_hosts=tuple(args.allowed_hosts),
        webhook_deny=tuple(args.webhook_deny),
        idempotency_ttl=args.idempotency_ttl,
        max_events=args.max_events,
        max_deliveries=args.max_deliveries,
        max_idempotency_keys=args.max_idempotency_keys,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, print where to connect, and serve until Ctrl-C."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = _config(args)
    except ValueError as exc:
        parser.error(str(exc))
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio only sets TCP_NODELAY on accepted sockets whose protocol says
    # TCP, and without it every answer (headers and body written apart) waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        # Bound here rather than by uvicorn so that `--port 0` can print the port it got.
        sock.bind((args.host, args.port))
    except OSError as exc:
        parser.error(f"cannot listen on {args.host}:{args.port}: {exc.strerror}")
    warning = exposure_warning(args.host)
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)
    emulator = Emulator(config)
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    base = f"http://{host}:{sock.getsockname()[1]}"
    print(f"HITL emulator: {base}  (API base URL; set HITL_BASE_URL={base})", flush=True)
    print(f"  API key:     {config.default_api_key}", flush=True)
    if config.read_only_keys:
        print(f"  read-only:   {', '.join(config.read_only_keys)}", flush=True)
    print(f"  reviewer UI: {base}/ui", flush=True)
    print(f"  control API: {base}/_emulator/", flush=True)
    if config.faults.rate:
        print(
            f"  faults:      {config.faults.rate:.0%} of requests "
            f"({','.join(config.faults.kinds)}, {config.faults.phase} writes)",
            flush=True,
        )
    quiet_injected_drops()
    server = uvicorn.Server(
        server_config(
            HostGuard(emulator.app, emulator), header_timeout=args.header_timeout, log_level=args.log_level
        )
    )
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn re-raises the Ctrl-C it handled once it has shut down; stopping is the normal way out.
        pass
    finally:
        emulator.close()
        sock.close()
    return 0
