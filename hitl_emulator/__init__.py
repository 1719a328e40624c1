"""
A stateful local server of the HITL.sh v1 API, for demos, integration tests and users' own tests.

Reviews, templates, webhooks and teams live in memory; a control API (`/_emulator/...`) and a reviewer web
page (`/ui`) play the human; webhook deliveries are signed, retried and logged; faults can be injected.
Run it with `hitl-emulator`, in process with `create_app()` behind `httpx.ASGITransport`, on loopback with
`run_in_thread()`, or through the pytest fixtures in `hitl_emulator.pytest_plugin`.
"""

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "hitl_emulator needs Starlette and uvicorn, which come with the emulator extra: "
        "pip install 'hitl[emulator]'"
    ) from exc

from ._app import create_app
from ._config import DEFAULT_API_KEY, DEFAULT_REVIEWER, EmulatorConfig, FaultKind, FaultPhase, FaultSettings
from ._emulator import Emulator
from ._errors import ApiError
from ._faults import InjectedConnectionDrop
from ._server import EmulatorServer, run_in_thread, serve_in_thread

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_REVIEWER",
    "ApiError",
    "Emulator",
    "EmulatorConfig",
    "EmulatorServer",
    "FaultKind",
    "FaultPhase",
    "FaultSettings",
    "InjectedConnectionDrop",
    "create_app",
    "run_in_thread",
    "serve_in_thread",
]

for _public in (ApiError, Emulator, EmulatorConfig, EmulatorServer, FaultSettings, InjectedConnectionDrop):
    _public.__module__ = "hitl_emulator"
del _public
