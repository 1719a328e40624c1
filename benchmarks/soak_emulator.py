"""
A soak of the emulator: many requests against a `hitl-emulator` process on loopback, with its RSS before and
after, to show that a long run stays flat once the logs and the idempotency store are at their caps.

    .venv/bin/python -m benchmarks.soak_emulator                 # 5,000 warm-up + 20,000 measured requests
    .venv/bin/python -m benchmarks.soak_emulator --requests 2000 --warmup 500   # a quick look

The mix stores nothing that grows by design (templates are created and deleted, a fixed pool of reviews is
read and changed), so growth could only come from what the emulator keeps on the side: idempotency answers
(one per write, each with a fresh key), events, and webhook deliveries to a local receiver. The caps are
lowered to 500 (`--caps`) so the warm-up reaches them; the measured requests then show whether memory
stays flat. Everything runs on 127.0.0.1. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

_FIELDS = [
    {"name": "approved", "type": "boolean", "label": "Approve?", "required": True},
    {"name": "feedback", "type": "text", "label": "Feedback"},
]
_POOL = 50


def _rss_kib(pid: int) -> int | None:
    """The process's resident set size in KiB (Linux /proc), or `None` elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@contextmanager
def _receiver() -> Iterator[str]:
    """A webhook receiver on loopback that answers every delivery with 204."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _emulator(caps: int | None) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    argv = [sys.executable, "-m", "hitl_emulator", "--port", "0", "--log-level", "warning"]
    if caps is not None:
        argv += [
            "--max-events",
            str(caps),
            "--max-deliveries",
            str(caps),
            "--max-idempotency-keys",
            str(caps),
        ]
    argv += ["--rate-limit", "1000000"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[2]
        for _ in range(200):
            try:
                httpx.get(f"{url}/_emulator/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url, process
    finally:
        process.terminate()
        process.wait(10)


class _Mix:
    """The request mix, one request per call of `step()`; counts answers by status."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.keys = (f"soak-{index}" for index in itertools.count())
        self.statuses: Counter[int] = Counter()
        self.reviews: list[str] = []
        self.template = ""
        self.cycle = itertools.cycle(range(10))

    def _call(self, method: str, path: str, *, json: object = None, key: bool = False) -> httpx.Response:
        headers = {"Idempotency-Key": next(self.keys)} if key else {}
        response = self.client.request(method, path, json=json, headers=headers)
        self.statuses[response.status_code] += 1
        return response

    def prepare(self, hook_url: str) -> None:
        self._call("POST", "/v1/webhooks", json={"url": hook_url, "events": ["template.updated"]}, key=True)
        template = self._call("POST", "/v1/templates", json={"name": "Pool", "fields": _FIELDS}, key=True)
        template_id = template.json()["data"]["id"]
        for index in range(_POOL):
            body = {"template_id": template_id, "content": {"text": f"item {index}"}, "assignees": ["a@b.co"]}
            self.reviews.append(self._call("POST", "/v1/reviews", json=body, key=True).json()["data"]["id"])

    def step(self, index: int) -> None:
        review = self.reviews[index % _POOL]
        match next(self.cycle):
            case 0:
                data = self._call("POST", "/v1/templates", json={"name": "T", "fields": _FIELDS}, key=True)
                self.template = data.json()["data"]["id"]
            case 1:
                self._call("PATCH", f"/v1/templates/{self.template}", json={"name": f"T{index}"}, key=True)
            case 2:
                self._call("GET", f"/v1/templates/{self.template}")
            case 3:
                self._call("DELETE", f"/v1/templates/{self.template}", key=True)
            case 4:
                priority = ("low", "high")[index % 2]
                self._call("PATCH", f"/v1/reviews/{review}", json={"priority": priority}, key=True)
            case 5:
                self._call("GET", f"/v1/reviews/{review}")
            case 6:
                self._call("GET", "/v1/reviews", json=None)
            case 7:
                self._call("GET", "/v1/reviews?limit=0")  # a 400
            case 8:
                self._call(
                    "POST", "/v1/teams/team_missing/members", json={"email": "x@y.z"}, key=True
                )  # a 404
            case _:
                self._call("GET", "/_emulator/stats")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak_emulator", description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000, help="measured requests (default: 20000)")
    parser.add_argument("--warmup", type=int, default=5_000, help="requests before the first figure (5000)")
    parser.add_argument(
        "--caps", type=int, default=500, help="max events/deliveries/keys (500; 0 = defaults)"
    )
    args = parser.parse_args(argv)
    with _receiver() as hook_url, _emulator(args.caps or None) as (url, process):
        started_rss = _rss_kib(process.pid)
        with httpx.Client(
            base_url=url, headers={"Authorization": "Bearer hitl_dev_key"}, timeout=30
        ) as client:
            mix = _Mix(client)
            mix.prepare(hook_url)
            for index in range(args.warmup):
                mix.step(index)
            client.post("/_emulator/deliveries/drain?timeout=60")
            before = _rss_kib(process.pid)
            clock = time.perf_counter()
            for index in range(args.warmup, args.warmup + args.requests):
                mix.step(index)
            elapsed = time.perf_counter() - clock
            client.post("/_emulator/deliveries/drain?timeout=60")
            after = _rss_kib(process.pid)
            stats = client.get("/_emulator/stats").json()["data"]
    caps = args.caps or "default"
    print(
        f"emulator soak on loopback: {args.warmup} warm-up + {args.requests} measured requests, caps {caps}"
    )
    print(f"  RSS at start {started_rss} KiB, after warm-up {before} KiB, after the soak {after} KiB")
    if before is not None and after is not None:
        growth = after - before
        print(f"  growth over the measured requests: {growth:+d} KiB ({growth / 1024:+.1f} MiB)")
    print(
        f"  {args.requests / elapsed:.0f} requests/s; answers by status {dict(sorted(mix.statuses.items()))}"
    )
    print(
        f"  stored: {stats['reviews']} reviews, {stats['templates']} templates; "
        f"events raised {stats['events']}; deliveries kept {stats['deliveries']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
