"""
hitl_async → hitl_sync, and tests/_async → tests/_sync, with the pinned unasync package.

unasync rewrites code tokens (`async def`, `await`, `AsyncX`...); a second, textual pass rewrites the same
words in docstrings and comments, which unasync leaves alone. A final audit fails on any async word that
survives, which is how an unmappable construct (an `await (...)`, an `anyio` call) gets caught: such code
belongs in the hand-written `_backend.py` pair instead.
"""

from __future__ import annotations

import re

import tokenize_rt
import unasync

__all__ = ["UnasyncError", "derive"]


class UnasyncError(Exception):
    """Async code that the token rules cannot turn into correct blocking code."""


_FIXED_RENAMES = {
    "hitl_async": "hitl_sync",
    "aclose": "close",
    "aread": "read",
    "aiter_bytes": "iter_bytes",
    "anext": "next",
}
_ASYNC_NAME = re.compile(r"\bAsync([A-Z]\w*)")

# unasync does not touch docstrings and comments; these keep them true for the blocking twin.
_TEXT_RULES = [
    (re.compile(r"\bAsync([A-Z]\w*)"), r"\1"),
    (re.compile(r"\bhitl_async\b"), "hitl_sync"),
    (re.compile(r"\bawait "), ""),
    (re.compile(r"\basync (with|for|def)\b"), r"\1"),
    (re.compile(r"\baclose\b"), "close"),
    (re.compile(r"\b__aenter__\b"), "__enter__"),
    (re.compile(r"\b__aexit__\b"), "__exit__"),
    (re.compile(r"^pytestmark = pytest\.mark\.anyio\n", re.MULTILINE), ""),
]

_SURVIVORS = re.compile(r"\b(await|async|anyio|asyncio|hitl_async|aclose|anext|trio)\b|\bAsync[A-Z]\w*")


def derive(source: str, origin: str) -> str:
    """The blocking twin of one async module's source; `origin` names it in errors."""
    renames = dict(_FIXED_RENAMES)
    renames.update({match.group(0): match.group(1) for match in _ASYNC_NAME.finditer(source)})
    rule = unasync.Rule(fromdir="/", todir="/", additional_replacements=renames)
    tokens = tokenize_rt.src_to_tokens(source)
    result = tokenize_rt.tokens_to_src(rule._unasync_tokens(tokens))
    for pattern, replacement in _TEXT_RULES:
        result = pattern.sub(replacement, result)
    survivors = sorted({m.group(0) for m in _SURVIVORS.finditer(result)})
    if survivors:
        lines = [
            f"  line {number}: {line.strip()}"
            for number, line in enumerate(result.splitlines(), 1)
            if _SURVIVORS.search(line)
        ]
        raise UnasyncError(
            f"{origin}: async names survive in the derived code ({', '.join(survivors)}); "
            "move what cannot be "
            "renamed token by token into the _backend.py pair, or reword the text:\n" + "\n".join(lines[:10])
        )
    return result
