"""
hitl: the Python SDK for the HITL.sh v1 API.

This package holds everything that does no I/O, shared by both clients: the API's models, the errors, and
webhook verification with typed events. The clients live in `hitl_async` (`AsyncHITL`) and `hitl_sync`
(`HITL`), which re-export all of this, so `hitl_sync.Review is hitl_async.Review is hitl.Review`.
`from hitl import HITL, AsyncHITL` works too: each client's package is imported on first use.
"""

from typing import TYPE_CHECKING

from hitl import _exceptions, _models, _types
from hitl._batch import ReviewItem
from hitl._exceptions import *  # noqa: F403
from hitl._lazy import APPROVAL_NAMES, CLIENT_HOMES, FORM_NAMES, WEBHOOK_NAMES, load
from hitl._models import *  # noqa: F403
from hitl._retry import RetryPolicy
from hitl._types import *  # noqa: F403
from hitl._version import __version__

if TYPE_CHECKING:
    from hitl._decision import *  # noqa: F403
    from hitl._events import *  # noqa: F403  (re-exported by hitl._webhooks, which mypy cannot follow)
    from hitl._forms import *  # noqa: F403
    from hitl._webhooks import *  # noqa: F403
    from hitl_async import AsyncHITL as AsyncHITL
    from hitl_sync import HITL as HITL
else:
    _HOMES = {
        **dict.fromkeys(WEBHOOK_NAMES, "hitl._webhooks"),
        **dict.fromkeys(APPROVAL_NAMES, "hitl._decision"),
        **dict.fromkeys(FORM_NAMES, "hitl._forms"),
        **CLIENT_HOMES,
    }

    def __getattr__(name: str) -> object:
        # Webhook, approval and form names, and the clients, load on first use (see hitl._lazy).
        return load(__name__, name, _HOMES, globals())


__all__ = ["RetryPolicy", "ReviewItem", "__version__"]
__all__ += _exceptions.__all__
__all__ += _models.__all__
__all__ += _types.__all__
__all__ += WEBHOOK_NAMES
__all__ += APPROVAL_NAMES
__all__ += FORM_NAMES
# HITL and AsyncHITL stay out of __all__: `from hitl import *` (and every name `hitl_sync` and `hitl_async`
# re-export) is the no-I/O surface, and each client's documented home is its own package.


def _public_module_names() -> None:
    # Reprs, docs and tracebacks say `hitl.Review`, not `hitl._models.Review` (as httpx does).
    for name in __all__:
        value = globals().get(name)
        if isinstance(value, type) and value.__module__.startswith("hitl._"):
            value.__module__ = "hitl"


_public_module_names()
