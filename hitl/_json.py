"""Reading JSON from a server: every unreadable body fails the same way, however it is broken."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads"]


def loads(content: bytes | str) -> Any:
    """
    `json.loads`, except that a body nested deeper than the parser can follow (`[[[[…`, a thousand levels in a
    couple of kilobytes) raises `ValueError` like any other bad JSON, instead of `RecursionError`.
    """
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None
