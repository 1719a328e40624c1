"""
The HITL.sh client, `AsyncHITL`.

Re-exports everything of `hitl` (models, errors, webhook helpers), so one import is enough:

    from hitl_async import AsyncHITL, ReviewNotFoundError
"""

from hitl import *  # noqa: F403
from hitl import __all__ as _shared_names
from hitl_async._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AsyncBaseClient
from hitl_async._pagination import AsyncPaginator
from hitl_async._resources import *  # noqa: F403
from hitl_async._resources import __all__ as _resource_names

__all__ = sorted(
    [*_shared_names, *_resource_names, "AsyncBaseClient", "AsyncPaginator", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT"]
)

for _name in ["AsyncBaseClient", "AsyncPaginator", *_resource_names]:
    globals()[_name].__module__ = __name__
