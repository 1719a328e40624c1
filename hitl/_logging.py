"""
The `hitl` logger. Silent unless the application configures logging or sets `HITL_LOG=info|debug`.

INFO: one line per retry (reason and wait). DEBUG: requests and responses, with the Authorization header
redacted; bodies are logged at DEBUG only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

__all__ = ["logger", "redact_headers"]

logger = logging.getLogger("hitl")

_SECRET_HEADERS = frozenset({"authorization", "x-hitl-signature", "cookie", "set-cookie"})


def redact_headers(headers: Iterable[tuple[str, str]] | object) -> dict[str, str]:
    """Headers as a dict with credentials and signatures replaced by `<redacted>`."""
    items = headers.items() if hasattr(headers, "items") else headers
    return {
        name: "<redacted>" if name.lower() in _SECRET_HEADERS else value
        for name, value in items  # type: ignore[union-attr]
    }


def _configure_from_environment() -> None:
    level = os.environ.get("HITL_LOG", "").strip().lower()
    if level not in ("info", "debug") or logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)


_configure_from_environment()
