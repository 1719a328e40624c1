"""
The HITL.sh client, `AsyncHITL`.

Re-exports everything of `hitl` (models, errors, webhook helpers), so one import is enough:

    from hitl_async import AsyncHITL, ReviewNotFoundError
"""

import hitl
from hitl import *  # noqa: F403
from hitl_async import _dedupe, _resources
from hitl_async._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AsyncBaseClient
from hitl_async._dedupe import *  # noqa: F403
from hitl_async._pagination import AsyncPaginator
from hitl_async._resources import *  # noqa: F403

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "AsyncBaseClient", "AsyncPaginator"]
__all__ += _resources.__all__
__all__ += _dedupe.__all__
__all__ += hitl.__all__

for _name in ["AsyncBaseClient", "AsyncPaginator", *_resources.__all__, *_dedupe.__all__]:
    if isinstance(globals()[_name], type):
        globals()[_name].__module__ = __name__
del _name
