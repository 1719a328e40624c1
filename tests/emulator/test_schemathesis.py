"""
The emulator against openapi.yaml: an in-process schemathesis run over every operation, with a fixed seed.

Both directions are tested at once: the emulator must answer every generated request (valid or not) with
a status the spec documents and a body that matches the spec's schema, and never with a server error.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from hitl_emulator import DEFAULT_API_KEY, Emulator, EmulatorConfig

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"
MAX_EXAMPLES = 20
SEED = 20240115

# One emulator for the whole run, so later operations meet the resources earlier ones created. Deliveries
# to the random URLs schemathesis registers go to an in-memory receiver, never to the network.
EMULATOR = Emulator(
    EmulatorConfig(rate_limit_per_minute=1_000_000, webhook_retry_delays=()),
    webhook_transport=httpx.MockTransport(lambda request: httpx.Response(204)),
)
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
        "auth": {"openapi": {"bearerAuth": {"bearer": DEFAULT_API_KEY}}},
    }
)
schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)
schema.app = EMULATOR.app

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
    unsupported_method,
    allow_header_conformance,
    missing_required_header,
    use_after_free,
    ensure_resource_availability,
]
# Not `positive_data_acceptance`: a schema-valid request can still be refused for what no schema can
# express (a made-up cursor, duplicate field names, a select field without options, an unknown template).
FIGURES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the run's figures at the end (even under output capture), and stop the delivery thread."""
    started = time.monotonic()
    yield
    EMULATOR.close()
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(
            f"\nschemathesis: {FIGURES['cases']} cases in {FIGURES['operations']} operation runs and "
            f"{FIGURES['sequences']} stateful sequences, {FIGURES['failures']} failures, "
            f"{time.monotonic() - started:.1f} s (seed {SEED}, max_examples {MAX_EXAMPLES})"
        )


@pytest.fixture
def count_operation() -> Iterator[None]:
    """Count each operation's run, and its failure if it fails."""
    FIGURES["operations"] += 1
    failures_before = FIGURES["cases_failed"]
    yield
    FIGURES["failures"] += FIGURES["cases_failed"] > failures_before


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_emulator_conforms_to_the_spec(case: schemathesis.Case[Any], count_operation: None) -> None:
    """Every generated request gets a documented status, content type, headers and body; none gets a 5xx."""
    FIGURES["cases"] += 1
    try:
        case.call_and_validate(checks=CHECKS)
    except BaseException:
        FIGURES["cases_failed"] += 1
        raise


class _Sequences(schema.as_state_machine()):  # type: ignore[misc]
    """Chains of calls that feed ids from one answer into the next (create, then get, update, delete...)."""

    def setup(self) -> None:
        # Each sequence starts from an empty emulator, so Hypothesis can replay it exactly.
        EMULATOR.reset()
        FIGURES["sequences"] += 1

    def validate_response(self, response: Any, case: schemathesis.Case[Any], **kwargs: Any) -> None:
        FIGURES["cases"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException:
            FIGURES["failures"] += 1
            raise


TestStatefulSequences = _Sequences.TestCase
TestStatefulSequences.settings = settings(
    max_examples=MAX_EXAMPLES,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
