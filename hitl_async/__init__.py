"""
The HITL.sh client, `AsyncHITL`.

Re-exports everything of `hitl` (models, errors, webhook helpers), so one import is enough:

    from hitl_async import AsyncHITL, ReviewNotFoundError
"""

from typing import TYPE_CHECKING

# Star imports from the modules themselves (not from `hitl`), so type checkers see every name.
from hitl import _exceptions, _models, _types
from hitl._batch import ReviewItem
from hitl._exceptions import *  # noqa: F403
from hitl._lazy import APPROVAL_NAMES, FORM_NAMES, WEBHOOK_NAMES, load
from hitl._models import *  # noqa: F403
from hitl._retry import RetryPolicy
from hitl._types import *  # noqa: F403
from hitl._version import __version__
from hitl_async import _resources
from hitl_async._client import DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, AsyncBaseClient
from hitl_async._pagination import AsyncPaginator
from hitl_async._resources import *  # noqa: F403

_RECEIVING = ("DEFAULT_DEDUPE_TTL", "AsyncDedupeStore", "AsyncDuplicateGuard", "AsyncMemoryDedupeStore")
_APPROVALS = ("AsyncApprovalRequirement", "AsyncApprovals", "AsyncGuarded")
_FLEETS = ("AsyncRedisDecisions", "AsyncRedisDedupeStore")

if TYPE_CHECKING:
    from hitl._decision import *  # noqa: F403
    from hitl._events import *  # noqa: F403  (re-exported by hitl._webhooks, which mypy cannot follow)
    from hitl._forms import *  # noqa: F403
    from hitl._webhooks import *  # noqa: F403
    from hitl_async._approvals import *  # noqa: F403
    from hitl_async._dedupe import *  # noqa: F403
    from hitl_async._redis import *  # noqa: F403
else:
    _HOMES = {
        **dict.fromkeys(WEBHOOK_NAMES + APPROVAL_NAMES + FORM_NAMES, "hitl"),
        **dict.fromkeys(_RECEIVING, "hitl_async._dedupe"),
        **dict.fromkeys(_APPROVALS, "hitl_async._approvals"),
    }
    _HOMES.update(dict.fromkeys(_FLEETS, "hitl_async._redis"))

    def __getattr__(name: str) -> object:
        # Webhook receiving and approvals load on first use (see hitl._lazy).
        return load(__name__, name, _HOMES, globals())


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_TIMEOUT",
    "AsyncBaseClient",
    "AsyncPaginator",
    "RetryPolicy",
    "ReviewItem",
    "__version__",
]
__all__ += _resources.__all__
__all__ += _RECEIVING
__all__ += _FLEETS
__all__ += _exceptions.__all__
__all__ += _models.__all__
__all__ += _types.__all__
__all__ += WEBHOOK_NAMES
__all__ += APPROVAL_NAMES
__all__ += FORM_NAMES
__all__ += _APPROVALS

for _name in ["AsyncBaseClient", "AsyncPaginator", *_resources.__all__]:
    globals()[_name].__module__ = __name__
del _name
