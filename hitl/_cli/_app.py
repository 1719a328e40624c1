"""
The `hitl` command: one subcommand per generated operation, plus `reviews wait`, `webhooks verify`,
`emulator` and `mcp`.

The operation subcommands are built at start-up from the generated sync resources (see `_spec.py`), so the
options, their types, choices and help are those of the Python methods, and of openapi.yaml behind them.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import re
import sys
import textwrap
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from hitl._cli._output import print_items, print_object
from hitl._cli._spec import Operation, Param, resources
from hitl._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    ConfigurationError,
    HITLError,
    InvalidArgumentError,
    WaitTimeoutError,
)
from hitl._logging import logger
from hitl._version import __version__
from hitl_sync import HITL

__all__ = [
    "EXIT_API_REFUSED",
    "EXIT_API_UNAVAILABLE",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "EXIT_WAIT_TIMEOUT",
    "client_options",
    "main",
]

EXIT_OK = 0
#: A check said no (`webhooks verify`), or an unexpected error.
EXIT_FAILED = 1
#: Bad arguments or configuration (argparse uses 2 too); nothing was sent.
EXIT_USAGE = 2
#: The API answered 4xx: fix the request.
EXIT_API_REFUSED = 3
#: No answer, or 5xx, after the client's retries: try again later.
EXIT_API_UNAVAILABLE = 4
#: `reviews wait` / `create --wait` ran out of time before a decision.
EXIT_WAIT_TIMEOUT = 5
_EXIT_INTERRUPTED = 130


class _UsageError(Exception):
    """A bad argument found after parsing (e.g. an unreadable `@file`)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run `hitl` with `argv` (default: `sys.argv[1:]`) and return its exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    delegated = _delegate(args_list)
    if delegated is not None:
        return delegated
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if not hasattr(args, "run"):
        # `hitl` or `hitl reviews` alone: the help of the level reached.
        getattr(args, "help_parser", parser).print_help(sys.stderr)
        return EXIT_USAGE
    debug = getattr(args, "debug", False)
    api_key = getattr(args, "api_key", None) or os.environ.get("HITL_API_KEY") or ""
    with _debug_logging(debug):
        try:
            code: int = args.run(args)
            return code
        except KeyboardInterrupt:
            return _EXIT_INTERRUPTED
        except Exception as exc:
            if debug:
                print(_redact("".join(traceback.format_exception(exc)), api_key), file=sys.stderr, end="")
            print(f"hitl: error: {_redact(_message(exc), api_key)}", file=sys.stderr)
            return _exit_code(exc)


@contextlib.contextmanager
def _debug_logging(enabled: bool) -> Iterator[None]:
    """With --debug, the `hitl` logger's DEBUG lines (key redacted) go to stderr, for this run only."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _delegate(argv: list[str]) -> int | None:
    """`hitl emulator ...` hands its arguments to `hitl-emulator` untouched."""
    if not argv or argv[0] != "emulator":
        return None
    try:
        from hitl_emulator._cli import main as emulator_main
    except ImportError as exc:
        print(
            f"hitl: error: the emulator needs its extra: pip install 'hitl[emulator]' ({exc})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        return emulator_main(argv[1:])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE


def _message(exc: BaseException) -> str:
    """One line: hitl's own messages as they are, anything else prefixed with its type."""
    text = (str(exc) or type(exc).__name__).splitlines()[0]
    return text if isinstance(exc, HITLError | _UsageError) else f"{type(exc).__name__}: {text}"


def _redact(text: str, api_key: str) -> str:
    # The client never puts the key in a message; this guards the one line a user may paste in a ticket.
    return text.replace(api_key, "<redacted>") if api_key else text


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, InvalidArgumentError | ConfigurationError | _UsageError):
        return EXIT_USAGE
    if isinstance(exc, WaitTimeoutError):
        return EXIT_WAIT_TIMEOUT
    if isinstance(exc, APIStatusError):
        return EXIT_API_UNAVAILABLE if exc.status_code >= 500 else EXIT_API_REFUSED
    if isinstance(exc, APIConnectionError | APIResponseValidationError):
        return EXIT_API_UNAVAILABLE
    return EXIT_FAILED


# The parser.


def _global_options(*, suppress: bool) -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand (`suppress`: a subparser's copy keeps the root's)."""
    default: Any = argparse.SUPPRESS if suppress else None
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("connection and output")
    group.add_argument("--api-key", default=default, help="API key (default: $HITL_API_KEY)")
    group.add_argument(
        "--base-url", default=default, help="API address (default: $HITL_BASE_URL, then the service)"
    )
    group.add_argument(
        "--max-retries", type=int, default=default, metavar="N", help="retries per request (default 2)"
    )
    group.add_argument(
        "--request-timeout",
        type=float,
        default=default,
        metavar="SECONDS",
        help="timeout of each request (default 60)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print JSON (one object, or JSON Lines for lists) even on a terminal",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="log requests to stderr (the key redacted) and show tracebacks",
    )
    return options


def _parser() -> argparse.ArgumentParser:
    import hitl_sync

    common = _global_options(suppress=True)
    parser = argparse.ArgumentParser(
        prog="hitl",
        description="HITL.sh from the command line: send work to human reviewers and get their decisions.",
        epilog="Exit codes: 0 ok, 1 check failed, 2 bad arguments, 3 the API refused (4xx), "
        "4 unreachable or 5xx after retries, 5 wait timed out.",
        parents=[_global_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"hitl {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for resource in resources(hitl_sync.HITL):
        group = commands.add_parser(
            resource.name, help=resource.description.split(". ")[0], description=resource.description
        )
        group.set_defaults(help_parser=group)
        actions = group.add_subparsers(title="operations", metavar="OPERATION")
        for operation in resource.operations:
            _add_operation(actions, operation, common)
        if resource.name == "reviews":
            _add_wait(actions, common)
            _add_create_many(actions, common)
            create = actions.choices.get("create")
            if create is not None:
                _add_wait_options(create, flag=True)
        if resource.name == "webhooks":
            _add_verify(actions, common)
    commands.add_parser(
        "emulator",
        help="Run the local emulator (the same as hitl-emulator; see hitl emulator --help)",
        add_help=False,
    )
    mcp = commands.add_parser(
        "mcp",
        help="Serve HITL.sh to AI agents: an MCP server over stdio",
        description="Serve HITL.sh tools to an MCP client (Claude, Cursor, ...) over stdin/stdout.",
        parents=[common],
    )
    mcp.add_argument(
        "--max-wait",
        type=_positive_seconds,
        default=45.0,
        metavar="SECONDS",
        help="longest a wait_for_decision call blocks before answering 'still pending' (default 45)",
    )
    mcp.set_defaults(run=_run_mcp)
    return parser


def _add_operation(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    operation: Operation,
    common: argparse.ArgumentParser,
) -> None:
    paragraphs = [f"{operation.summary} ({operation.http_method} {operation.path}).", operation.description]
    description = "\n\n".join(textwrap.fill(text, 100) for text in paragraphs if text)
    parser = actions.add_parser(
        operation.command,
        help=operation.summary,
        description=description,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for param in operation.params:
        _add_param(parser, param)
    if operation.paginated:
        parser.add_argument(
            "--all", action="store_true", help="every page, streamed (default: the first page)"
        )
    parser.set_defaults(run=_run_operation, operation=operation)


def _add_param(parser: argparse.ArgumentParser, param: Param) -> None:
    help_text = param.help.replace("%", "%%")
    if param.kind in ("object", "array") or (param.kind == "array" and param.item_kind == "object"):
        help_text += " JSON, or @FILE.json."
    if param.kind == "array" and param.item_kind != "object":
        help_text += " Repeat the option for more items."
    if param.nullable:
        help_text += " The word null sets it to null."
    dest = f"param_{param.name}"
    if param.positional:
        parser.add_argument(dest, metavar=param.name.upper(), type=_converter(param), help=help_text)
        return
    flag = "--" + param.name.replace("_", "-")
    if param.kind == "boolean":
        parser.add_argument(
            flag, dest=dest, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS, help=help_text
        )
        return
    parser.add_argument(
        flag,
        dest=dest,
        type=_converter(param),
        action="extend" if param.kind == "array" else "store",
        required=param.required,
        default=argparse.SUPPRESS,
        metavar=_metavar(param),
        help=help_text,
    )


def _positive_seconds(text: str) -> float:
    seconds = float(text)
    if not seconds > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return seconds


def _metavar(param: Param) -> str | None:
    if param.kind == "choice" and not param.nullable:
        return "{" + ",".join(param.choices) + "}"
    if param.kind == "array" and param.choices:
        return "{" + ",".join(param.choices) + "}"
    return {"datetime": "ISO8601", "object": "JSON", "integer": "N", "number": "N"}.get(
        param.kind, param.name.upper()
    )


def _converter(param: Param) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        if param.nullable and text == "null":
            return None
        if param.kind == "array":
            return _array(text, param)
        return _scalar(text, param.kind, param.choices)

    convert.__name__ = param.kind  # argparse names the type in "invalid <type> value" messages
    return convert


def _scalar(text: str, kind: str, choices: tuple[str, ...]) -> Any:
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "datetime":
        value = dt.datetime.fromisoformat(text)
        if value.tzinfo is None:
            raise argparse.ArgumentTypeError(f"{text!r} has no time zone: add Z or an offset, e.g. {text}Z")
        return value
    if kind == "choice" and text not in choices:
        raise argparse.ArgumentTypeError(f"invalid choice {text!r} (choose from {', '.join(choices)})")
    if kind == "object":
        value = _json_argument(text)
        if not isinstance(value, dict):
            raise argparse.ArgumentTypeError("expected a JSON object")
        return value
    return text


def _array(text: str, param: Param) -> list[Any]:
    """A JSON array (or @file) adds all its items; any other text is one item."""
    if text.startswith(("[", "@")) or param.item_kind == "object":
        value = _json_argument(text)
        items = value if isinstance(value, list) else [value]
    else:
        items = [text]
    kind = param.item_kind or "string"
    return [item if not isinstance(item, str) else _scalar(item, kind, param.choices) for item in items]


def _json_argument(text: str) -> Any:
    source = "the argument"
    if text.startswith("@"):
        path = Path(text[1:])
        source = str(path)
        try:
            text = sys.stdin.read() if text == "@-" else path.read_text(encoding="utf-8")
        except OSError as exc:
            raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{source} is not JSON: {exc}") from None


def _add_wait_options(parser: argparse.ArgumentParser, *, flag: bool) -> None:
    if flag:
        parser.add_argument(
            "--wait", action="store_true", help="then wait for the decision (see reviews wait)"
        )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for the decision (default 600; exit code 5 when it runs out)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="first pause between polls (default 1)",
    )


def _add_wait(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = actions.add_parser(
        "wait",
        help="Wait until a review is completed or cancelled, and print it",
        description="Poll a review until it is completed or cancelled, then print it. On a terminal, "
        "stderr shows its status and the time waited; on a pipe nothing but the result is printed.",
        parents=[common],
    )
    parser.add_argument("review_id", metavar="REVIEW_ID", help="the review to wait for")
    _add_wait_options(parser, flag=False)
    parser.set_defaults(run=_run_wait)


def _add_create_many(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = actions.add_parser(
        "create-many",
        help="Create many reviews from JSON Lines, a few at a time, and print each one's outcome",
        description=textwrap.dedent(
            """\
            Create one review per line of ITEMS_FILE (- for stdin): a JSON object with the options of
            `reviews create` as the API names them (template_id, content, and optionally assignees,
            priority, due_date), plus an optional "key". Every line is checked before anything is sent.

            Give each item a "key" that names it for good (e.g. the id of its row): a run again with the
            same file, after a crash or to retry the failures, then creates nothing twice and prints the
            reviews the first run created.

            Prints one JSON line per item, in input order: the review, or {"error": {...}, "index": I,
            "line": N} (a table on a terminal). On a terminal, stderr shows the progress.

            Exit code: 0 if every item was created; 3 if any was refused (a 4xx, or a value the client
            rejects); 4 if the only failures were the API being unreachable or answering 5xx (a run
            again may create them)."""
        ),
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "items", metavar="ITEMS_FILE", help="JSON Lines, one review item a line (- for stdin)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="how many creates are in flight at once (1 to 256, default 8)",
    )
    parser.set_defaults(run=_run_create_many)


def _add_verify(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = actions.add_parser(
        "verify",
        help="Check a saved webhook delivery's signature, and print its event",
        description="Check a saved delivery: its raw body, its X-HITL-Signature header and the webhook's "
        "secret. Prints the event on success; exit code 1 and the reason otherwise.",
        parents=[common],
    )
    parser.add_argument("body", metavar="BODY_FILE", help="the raw request body as received (- for stdin)")
    parser.add_argument("--signature", required=True, help="the X-HITL-Signature header's value")
    parser.add_argument(
        "--secret",
        help="the webhook's secret, or @FILE holding it (default: $HITL_WEBHOOK_SECRET; prefer either to "
        "typing it, which leaves it in the shell history)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        metavar="SECONDS",
        help="also check the signed timestamp is this close to now (default: unchecked: saved deliveries)",
    )
    parser.set_defaults(run=_run_verify)


# Running.


def _client(args: argparse.Namespace) -> HITL:
    return HITL(**client_options(args))


def client_options(args: argparse.Namespace) -> dict[str, Any]:
    """The client's constructor arguments from the global options; the environment fills in the rest."""
    if not (getattr(args, "api_key", None) or os.environ.get("HITL_API_KEY")):
        raise _UsageError("no API key: set HITL_API_KEY (or pass --api-key)")
    options: dict[str, Any] = {
        "api_key": getattr(args, "api_key", None),
        "base_url": getattr(args, "base_url", None),
    }
    if getattr(args, "max_retries", None) is not None:
        options["max_retries"] = args.max_retries
    if getattr(args, "request_timeout", None) is not None:
        options["timeout"] = args.request_timeout
    return options


def _as_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False)) or not sys.stdout.isatty()


def _run_operation(args: argparse.Namespace) -> int:
    operation: Operation = args.operation
    positional = [getattr(args, f"param_{p.name}") for p in operation.params if p.positional]
    keywords = {
        p.name: getattr(args, f"param_{p.name}")
        for p in operation.params
        if not p.positional and hasattr(args, f"param_{p.name}")
    }
    with _client(args) as client:
        method = getattr(getattr(client, operation.resource), operation.name)
        result = method(*positional, **keywords)
        if operation.paginated:
            if getattr(args, "all", False):
                print_items(result, sys.stdout, as_json=_as_json(args))
                return EXIT_OK
            page = result.first_page()
            print_items(page.items, sys.stdout, as_json=_as_json(args))
            if page.has_more and sys.stderr.isatty():
                print(f"(more: --cursor {page.next_cursor}, or --all for every page)", file=sys.stderr)
            return EXIT_OK
        if getattr(args, "wait", False):
            result = _wait(client, result.id, args)
        print_object(result, sys.stdout, as_json=_as_json(args))
    return EXIT_OK


def _run_wait(args: argparse.Namespace) -> int:
    with _client(args) as client:
        print_object(_wait(client, args.review_id, args), sys.stdout, as_json=_as_json(args))
    return EXIT_OK


def _wait(client: HITL, review_id: str, args: argparse.Namespace) -> Any:
    """`reviews.wait`, in growing steps that update a status line when stderr is a terminal."""
    if args.timeout < 0:
        raise _UsageError("--timeout must be 0 or more seconds")
    if not sys.stderr.isatty():
        return client.reviews.wait(review_id, timeout=args.timeout, poll_interval=args.poll_interval)
    started = time.monotonic()
    step = args.poll_interval
    try:
        while True:
            remaining = args.timeout - (time.monotonic() - started)
            try:
                review = client.reviews.wait(
                    review_id,
                    timeout=max(min(step, remaining), 0),
                    poll_interval=step,
                    max_poll_interval=step,
                )
            except WaitTimeoutError as exc:
                elapsed = time.monotonic() - started
                _progress(f"{review_id}: {exc.last_status}, waited {elapsed:.0f}s")
                if elapsed >= args.timeout:
                    raise WaitTimeoutError(review_id, exc.last_status, elapsed) from None
                step = min(step * 1.5, 15.0)
                continue
            _progress(f"{review_id}: {review.status}, waited {time.monotonic() - started:.0f}s")
            return review
    finally:
        print(file=sys.stderr, flush=True)


def _progress(text: str) -> None:
    # Rewrite one line in place: carriage return, then erase to the end of the line.
    print(f"\r\x1b[K{text}", end="", file=sys.stderr, flush=True)


def _run_create_many(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.items == "-" else _read(args.items).decode("utf-8")
    items, lines = _review_items(text, "stdin" if args.items == "-" else args.items)
    with _client(args) as client:
        results = _create_many(client, items, lines, args.concurrency)
    if _as_json(args):
        for index, result in enumerate(results):
            if isinstance(result, HITLError):
                failure = {"error": _error_fields(result), "index": index, "line": lines[index]}
                print_object(failure, sys.stdout, as_json=True)
            else:
                print_object(result, sys.stdout, as_json=True)
    else:
        print_items(
            [_outcome_row(index, lines[index], result) for index, result in enumerate(results)],
            sys.stdout,
            as_json=False,
        )
    codes = {_exit_code(result) for result in results if isinstance(result, HITLError)}
    if not codes:
        return EXIT_OK
    # 4 only when every failure may pass by itself, so a script that runs again on 4 does not loop on an
    # item the API will refuse again.
    return EXIT_API_UNAVAILABLE if codes == {EXIT_API_UNAVAILABLE} else EXIT_API_REFUSED


def _review_items(text: str, source: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The items of a JSON Lines text (blank lines skipped), and the line number of each."""
    items: list[dict[str, Any]] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _UsageError(
                f"{source} line {number} is not JSON: {exc.msg} at column {exc.colno}"
            ) from None
        if not isinstance(item, dict):
            raise _UsageError(f"{source} line {number} is not a JSON object of reviews create options")
        if isinstance(item.get("due_date"), str):
            try:
                item["due_date"] = _scalar(item["due_date"], "datetime", ())
            except (ValueError, argparse.ArgumentTypeError) as exc:
                raise _UsageError(f"{source} line {number}: due_date {exc}") from None
        items.append(item)
        lines.append(number)
    if not items:
        raise _UsageError(f"{source} has no items")
    return items, lines


def _create_many(client: HITL, items: list[dict[str, Any]], lines: list[int], concurrency: int) -> list[Any]:
    """`reviews.create_many`, with a progress line when stderr is a terminal; bad items name their line."""
    reviews = client.reviews
    progress = None
    if sys.stderr.isatty():
        started = time.monotonic()
        failed: list[HITLError] = []  # appended to from the batch's threads
        create = reviews.create

        def counted(**kwargs: Any) -> Any:
            # on_progress tells how many items ended, not how: count the failures on the way.
            try:
                return create(**kwargs)
            except HITLError as error:
                failed.append(error)
                raise

        reviews.create = counted  # type: ignore[method-assign]

        def progress(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            _progress(f"{done}/{total} done, {len(failed)} failed, {elapsed:.0f}s")

    try:
        # The items are JSON objects: create_many checks them as it does any caller's.
        batch: list[Any] = items
        return reviews.create_many(batch, concurrency=concurrency, on_progress=progress)
    except InvalidArgumentError as exc:
        # The batch names items by index; a user edits lines.
        message = re.sub(r"items\[(\d+)\]", lambda match: f"line {lines[int(match[1])]}", str(exc))
        raise _UsageError(message) from None
    finally:
        if progress is not None:
            print(file=sys.stderr, flush=True)


def _error_fields(error: HITLError) -> dict[str, Any]:
    """An item's error as JSON: its type and message, and the API's status, code and request id if any."""
    fields: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, APIStatusError):
        fields.update(
            status=error.status_code, code=error.code, message=error.message, request_id=error.request_id
        )
    return fields


def _outcome_row(index: int, line: int, result: Any) -> dict[str, Any]:
    if isinstance(result, HITLError):
        return {"index": index, "line": line, "id": "", "status": "failed", "error": _message(result)}
    return {"index": index, "line": line, "id": result.id, "status": result.status, "error": ""}


def _run_verify(args: argparse.Namespace) -> int:
    from hitl._webhooks import construct_event

    secret = args.secret if args.secret is not None else os.environ.get("HITL_WEBHOOK_SECRET")
    if not secret:
        raise _UsageError("give the webhook's secret: --secret @FILE, or set HITL_WEBHOOK_SECRET")
    if secret.startswith("@"):
        secret = _read(secret[1:]).decode("utf-8").strip()
    body = sys.stdin.buffer.read() if args.body == "-" else _read(args.body)
    event = construct_event(body, args.signature, secret, tolerance=args.tolerance)
    summary: dict[str, Any] = {
        "valid": True,
        "id": event.id,
        "event": event.type,
        "timestamp": event.timestamp,
    }
    summary.update(
        {key: value for key, value in event.raw.items() if key not in ("id", "event", "timestamp")}
    )
    print_object(summary, sys.stdout, as_json=_as_json(args))
    return EXIT_OK


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _UsageError(f"cannot read {path}: {exc.strerror}") from None


def _run_mcp(args: argparse.Namespace) -> int:
    try:
        from hitl._cli._mcp import serve
    except ImportError as exc:
        raise _UsageError(f"the MCP server needs its extra: pip install 'hitl[mcp]' ({exc})") from None
    return serve(args)
