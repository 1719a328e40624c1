"""
The `hitl` logger. Silent unless the application configures logging or sets `HITL_LOG=info|debug`.

INFO: one line per retry (the reason and the wait). DEBUG: each request (method, URL, headers with the
Authorization header redacted) and each response (status and the start of the body). Bodies are logged at
DEBUG only, and secrets never: the client redacts the API key (in any escaping) and every JSON member named
`secret` (a webhook's signing secret) from each header, message and body it logs (see `hitl._redact`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping

__all__ = ["logger", "redact_headers"]

logger = logging.getLogger("hitl")

_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-hitl-signature", "cookie", "set-cookie"}
)
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict with credentials and signatures replaced by `<redacted>`."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: "<redacted>" if name.lower() in _SECRET_HEADERS else value for name, value in items}


def configure_from_environment(value: str | None = None) -> bool:
    """
    Apply `HITL_LOG` (or `value`): `info` or `debug` gives the `hitl` logger that level and a handler that
    writes to stderr. Anything else, or a logger that already has handlers, is left alone. Returns whether it
    configured the logger.
    """
    level = _LEVELS.get((os.environ.get("HITL_LOG", "") if value is None else value).strip().lower())
    if level is None or logger.handlers:
        return False
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    return True


configure_from_environment()
