"""What the CLI prints: JSON (one object, or JSON Lines for lists) for programs, tables for people."""

from __future__ import annotations

import datetime as dt
import enum
import json
import shutil
from collections.abc import Iterable
from typing import Any, TextIO

from hitl._modelbase import Model

__all__ = ["plain", "print_items", "print_object"]


def plain(value: Any) -> Any:
    """`value` as JSON-ready data: models through `to_dict()`, datetimes as RFC 3339."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        # The API's own form: milliseconds when it has them, UTC as `Z`.
        timespec = (
            "seconds"
            if not value.microsecond
            else "milliseconds"
            if value.microsecond % 1000 == 0
            else "auto"
        )
        return value.isoformat(timespec=timespec).replace("+00:00", "Z")
    return value


def _json_line(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return _json_line(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def print_object(value: Any, out: TextIO, *, as_json: bool) -> None:
    """One object: a JSON line, or `field  value` rows."""
    if as_json:
        print(_json_line(value), file=out, flush=True)
        return
    data = plain(value)
    if not isinstance(data, dict):
        print(_cell(data), file=out)
        return
    width = max((len(key) for key in data), default=0)
    room = max(shutil.get_terminal_size().columns - width - 2, 20)
    for key, item in data.items():
        print(f"{key.ljust(width)}  {_clip(_cell(item), room)}", file=out)
    out.flush()


def print_items(items: Iterable[Any], out: TextIO, *, as_json: bool) -> int:
    """
    A list: JSON Lines as the items arrive (so `--all` streams), or a table of their scalar fields.

    Returns how many items there were.
    """
    if as_json:
        count = 0
        for item in items:
            print(_json_line(item), file=out, flush=True)
            count += 1
        return count
    rows = [plain(item) for item in items]
    if not rows:
        print("(none)", file=out, flush=True)
        return 0
    columns = [key for key, value in rows[0].items() if not isinstance(value, dict | list)]
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
    # Drop columns from the right until the table fits the terminal.
    total = shutil.get_terminal_size().columns
    while len(columns) > 1 and sum(widths) + 2 * (len(widths) - 1) > total:
        columns, widths = columns[:-1], widths[:-1]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(), file=out)
    for line in cells:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=False)).rstrip(), file=out)
    out.flush()
    return len(rows)
