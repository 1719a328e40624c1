"""The public surface: one set of shared classes, and sync names that mirror the async ones."""

import importlib.metadata
import subprocess
import sys

import hitl
import hitl_async
import hitl_sync


def test_every_exported_name_exists() -> None:
    """Each name in `__all__` is importable from its package."""
    for package in (hitl, hitl_async, hitl_sync):
        missing = [name for name in package.__all__ if not hasattr(package, name)]
        assert missing == [], f"{package.__name__} exports missing names"


def test_io_packages_re_export_the_shared_surface() -> None:
    """Everything `hitl` exports is reachable from both clients' packages."""
    assert set(hitl.__all__) <= set(hitl_async.__all__)
    assert set(hitl.__all__) <= set(hitl_sync.__all__)


def test_sync_names_are_the_async_names_without_the_prefix() -> None:
    """`AsyncHITL` ↔ `HITL`, `AsyncReviews` ↔ `Reviews`: the same surface, derived name for name."""
    expected = sorted(name.removeprefix("Async") for name in hitl_async.__all__)
    assert sorted(hitl_sync.__all__) == expected


def test_models_and_errors_are_shared_objects() -> None:
    """Models, enums, errors and types are the same objects in both packages, not look-alike copies."""
    for name in hitl.__all__:
        assert getattr(hitl_sync, name) is getattr(hitl_async, name) is getattr(hitl, name), name


def test_public_classes_report_their_public_module() -> None:
    """Reprs and tracebacks name `hitl.Review` and `hitl_sync.HITL`, not private modules."""
    assert hitl.Review.__module__ == "hitl"
    assert hitl_async.AsyncHITL.__module__ == "hitl_async"
    assert hitl_sync.HITL.__module__ == "hitl_sync"
    assert hitl_sync.Reviews.__module__ == "hitl_sync"


def test_lazy_names_match_their_modules() -> None:
    """The names that load on first use are exactly what their modules export."""
    from hitl import _lazy, _webhooks
    from hitl_async import _dedupe

    assert sorted(_lazy.WEBHOOK_NAMES) == sorted(_webhooks.__all__)
    assert sorted(name for name in hitl_async.__all__ if name in _dedupe.__all__) == sorted(_dedupe.__all__)


def test_approval_names_load_on_first_use() -> None:
    """Approvals and forms are exported everywhere but load only with `client.approvals` or first use."""
    from hitl import _decision, _forms, _lazy
    from hitl_async import _approvals

    assert sorted(_lazy.APPROVAL_NAMES) == sorted(_decision.__all__)
    assert sorted(_lazy.FORM_NAMES) == sorted(_forms.__all__)
    assert set(_approvals.__all__) <= set(hitl_async.__all__)
    code = (
        "import sys, hitl, hitl_sync, hitl_async\n"
        "loaded = {'hitl._decision', 'hitl._calls', 'hitl._forms', 'hitl_async._approvals'}\n"
        "loaded.add('hitl_sync._approvals')\n"
        "assert not loaded & set(sys.modules), sorted(loaded & set(sys.modules))\n"
        "assert hitl_sync.HITL(api_key='k').approvals is not None\n"
        "assert 'hitl_sync._approvals' in sys.modules and 'hitl_async._approvals' not in sys.modules\n"
        "assert hitl_sync.Decision is hitl_async.Decision is hitl.Decision\n"
        "assert hitl.ApprovalRejectedError.__module__ == 'hitl'\n"
        "assert hitl_async.AsyncApprovals.__module__ == 'hitl_async'\n"
        "assert hitl_sync.Approvals.__module__ == 'hitl_sync'\n"
        "assert hitl_async.result_as is hitl.result_as and hitl.ResultFieldError.__module__ == 'hitl'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_calling_the_api_does_not_load_webhook_receiving() -> None:
    """`import hitl_sync` / `hitl_async` leaves webhook verification and anyio unloaded until used."""
    code = (
        "import sys, httpx\n"
        "httpx_loads_anyio = 'anyio' in sys.modules  # httpx 0.27 does\n"
        "import hitl_sync, hitl_async\n"
        "assert 'hitl._webhooks' not in sys.modules, sorted(sys.modules)\n"
        "assert httpx_loads_anyio or 'anyio' not in sys.modules, sorted(sys.modules)\n"
        "assert hitl_sync.construct_event is hitl_async.construct_event\n"
        "assert hitl_sync.ReviewCompletedEvent.__module__ == 'hitl'\n"
        "assert hitl_sync.DuplicateGuard.__module__ == 'hitl_sync'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_clients_are_importable_from_hitl_on_first_use() -> None:
    """`from hitl import HITL, AsyncHITL` gives the clients; `import hitl` alone loads neither package."""
    code = (
        "import sys, hitl\n"
        "assert 'hitl_sync' not in sys.modules and 'hitl_async' not in sys.modules, sorted(sys.modules)\n"
        "from hitl import HITL, AsyncHITL\n"
        "import hitl_sync, hitl_async\n"
        "assert HITL is hitl_sync.HITL and AsyncHITL is hitl_async.AsyncHITL\n"
        "assert HITL.__module__ == 'hitl_sync' and 'HITL' not in hitl.__all__\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_package_says_which_distribution_it_is() -> None:
    """`hitl.__version__` is this distribution's version: how a user tells this SDK from another `hitl`."""
    assert hitl.__version__ == importlib.metadata.version("hitl")
    assert importlib.metadata.metadata("hitl")["Summary"].startswith("Python SDK for the HITL.sh v1 API")
