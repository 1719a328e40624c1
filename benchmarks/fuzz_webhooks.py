"""
Fuzz webhook verification: at least 100,000 Hypothesis examples, and a count of how every call ended.

    python -m benchmarks.fuzz_webhooks [--examples 100000] [--jobs 2]

Runs the "any input" properties of `tests/test_webhook_properties.py` far longer than the test suite does:
`construct_event` with `--examples` examples (arbitrary bodies, headers, secrets, tolerances and clocks, many
of them correctly signed so that parsing is reached too), then `verify_signature` and `dedupe_key` with a
tenth as many. The examples are split over `--jobs` processes. Exits 1 if any call ended in anything but an
event or a `WebhookVerificationError`, after Hypothesis has printed the smallest failing input.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import multiprocessing
import os
import sys
import time
import traceback
from pathlib import Path

PROPERTIES_FILE = Path(__file__).resolve().parent.parent / "tests" / "test_webhook_properties.py"
PROPERTIES = {
    "construct_event": "test_construct_event_returns_an_event_or_raises_a_verification_error",
    "verify_signature": "test_verify_signature_passes_or_raises_a_verification_error",
    "dedupe_key": "test_dedupe_key_is_the_id_or_the_digest",
}


def _run_share(name: str, examples: int) -> tuple[dict[str, int], str | None]:
    """Run one property for `examples` examples in this process; its outcome counts and any failure."""
    # Read by the test module at import, before its settings object is built.
    os.environ["HITL_WEBHOOK_EXAMPLES"] = str(examples)
    from hypothesis import settings

    settings.register_profile("webhook-fuzz", database=None, print_blob=True)
    settings.load_profile("webhook-fuzz")
    spec = importlib.util.spec_from_file_location("webhook_properties", PROPERTIES_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    failure = None
    try:
        getattr(module, PROPERTIES[name])()
    except BaseException:
        failure = traceback.format_exc()
    return dict(module.OUTCOMES), failure


def _fuzz(name: str, examples: int, jobs: int) -> tuple[collections.Counter[str], list[str], float]:
    shares = [examples // jobs + (1 if index < examples % jobs else 0) for index in range(jobs)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        results = pool.starmap(_run_share, [(name, share) for share in shares if share])
    outcomes: collections.Counter[str] = collections.Counter()
    failures = []
    for counts, failure in results:
        outcomes.update(counts)
        if failure:
            failures.append(failure)
    return outcomes, failures, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--examples", type=int, default=100_000, help="examples of construct_event (100,000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (one per core)")
    args = parser.parse_args(argv)
    plan = {
        "construct_event": args.examples,
        "verify_signature": max(1, args.examples // 10),
        "dedupe_key": max(1, args.examples // 10),
    }
    total = 0
    failed = False
    for name, examples in plan.items():
        outcomes, failures, seconds = _fuzz(name, examples, args.jobs)
        calls = sum(outcomes.values())
        total += calls
        print(f"{name}: {calls:,} examples in {seconds:.1f}s ({args.jobs} processes)")
        for outcome, count in sorted(outcomes.items(), key=lambda item: -item[1]):
            print(f"  {count:>9,}  {outcome.split(': ', 1)[1]}")
        if failures or calls < examples:
            failed = True
            print(f"  FAILED: {len(failures)} process(es) found an input that escaped, or ran short")
            for failure in failures:
                print(failure)
    verdict = "FAILED" if failed else "OK: every call returned an event or raised a WebhookVerificationError"
    print(f"\n{total:,} examples in all. {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
