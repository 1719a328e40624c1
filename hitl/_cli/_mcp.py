"""
`hitl mcp`: HITL.sh as tools for AI agents, over the Model Context Protocol on stdio (`hitl[mcp]`).

The tools that map to one API operation take their description and input schema from the generated
resource methods (`_spec.py`), so they follow openapi.yaml. Two are composed here: `request_approval` (a
review of an action on a standard approve/feedback template, created once by name) and
`wait_for_decision`, which waits at most `--max-wait` seconds per call and then answers "still pending,
call again", because MCP clients time tool calls out long before a human has decided.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from hitl._cli._app import client_options
from hitl._cli._output import plain
from hitl._cli._spec import Operation, Param, input_schema, resources
from hitl._exceptions import HITLError, WaitTimeoutError
from hitl._models import Review
from hitl._version import __version__
from hitl_async import AsyncHITL

__all__ = ["APPROVAL_TEMPLATE_NAME", "serve"]

#: The template `request_approval` uses; found by this name, created on first use if missing.
APPROVAL_TEMPLATE_NAME = "Approval (hitl mcp)"
_APPROVAL_FIELDS = [
    # Read-only: the reviewer judges the action as the agent worded it, and answers in the fields below.
    {"name": "content", "type": "content_display", "label": "Action to approve", "editable": False},
    {"name": "approved", "type": "boolean", "label": "Approve", "required": True},
    {"name": "feedback", "type": "text", "label": "Feedback or comments", "required": False},
]
_INSTRUCTIONS = (
    "Ask a human through HITL.sh. Create a review (create_review, or request_approval for an action you want "
    "to take), then call wait_for_decision with its id until it returns a decision: each call waits a "
    "bounded time and may answer that the review is still pending."
)

Handler = Callable[[ServerRequestContext[Any], dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class _Tool:
    name: str
    description: str
    schema: dict[str, Any]
    run: Handler


def serve(args: argparse.Namespace) -> int:
    """Build the client from the command's options and serve on stdin/stdout until the client hangs up."""
    client = AsyncHITL(**client_options(args))
    anyio.run(_serve, client, args.max_wait)
    return 0


async def _serve(client: AsyncHITL, max_wait: float) -> None:
    tools = {tool.name: tool for tool in _tools(client, max_wait)}

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(name=tool.name, description=tool.description, input_schema=tool.schema)
                for tool in tools.values()
            ]
        )

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        tool = tools.get(params.name)
        if tool is None:
            return _error(f"unknown tool {params.name!r}; call tools/list for the names")
        try:
            result = await tool.run(ctx, dict(params.arguments or {}))
        except (HITLError, ValueError) as exc:
            # The API's (or the SDK's) own message: what the model needs to correct its call.
            return _error(str(exc))
        text = json.dumps(plain(result), ensure_ascii=False, separators=(",", ":"))
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)])

    server: Server[Any] = Server(
        "hitl",
        version=__version__,
        instructions=_INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
    async with client, stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)


def _tools(client: AsyncHITL, max_wait: float) -> list[_Tool]:
    reviews = {resource.name: resource for resource in resources(AsyncHITL)}["reviews"]
    create, get, listing, cancel = (reviews.operation(n) for n in ("create", "get", "list", "cancel"))
    create_params = _public(create.params)
    review_id = get.params[0]
    wait_params = (
        review_id,
        Param(
            "max_wait_seconds",
            "number",
            f"How long this call may wait, at most {max_wait:g} (the default); then it answers "
            "that the review is still pending, and you call again.",
            required=False,
            positional=False,
        ),
    )
    approval_params = (
        Param("action", "string", "What you want to do, in a sentence the reviewer can judge.", True, False),
        Param(
            "details",
            "string",
            "Context for the reviewer: why, what it affects, how to undo it.",
            False,
            False,
        ),
        *(p for p in create_params if p.name in ("assignees", "priority", "due_date")),
    )

    async def create_review(ctx: ServerRequestContext[Any], arguments: dict[str, Any]) -> Any:
        return await client.reviews.create(**_arguments(create_params, arguments))

    async def request_approval(ctx: ServerRequestContext[Any], arguments: dict[str, Any]) -> Any:
        values = _arguments(approval_params, arguments)
        text = values.pop("action")
        details = values.pop("details", None)
        if details:
            text += "\n\n" + details
        template_id = await _approval_template(client)
        return await client.reviews.create(template_id=template_id, content={"text": text}, **values)

    async def get_review(ctx: ServerRequestContext[Any], arguments: dict[str, Any]) -> Any:
        return await client.reviews.get(**_arguments(get.params, arguments))

    async def list_reviews(ctx: ServerRequestContext[Any], arguments: dict[str, Any]) -> Any:
        page = await client.reviews.list(**_arguments(listing.params, arguments)).first_page()
        return {"reviews": page.items, "next_cursor": page.next_cursor if page.has_more else None}

    async def cancel_review(ctx: ServerRequestContext[Any], arguments: dict[str, Any]) -> Any:
        return await client.reviews.cancel(**_arguments(_public(cancel.params), arguments))

    async def wait_for_decision(ctx: ServerRequestContext[Any], arguments: dict[str, Any]) -> Any:
        values = _arguments(wait_params, arguments)
        limit = min(float(values.get("max_wait_seconds", max_wait)), max_wait)
        return await _wait(ctx, client, values["review_id"], max(limit, 0.0))

    return [
        _Tool("create_review", _describe(create), input_schema(create_params), create_review),
        _Tool(
            "request_approval",
            "Ask a human to approve an action before you take it. Creates a review on a standard approval "
            "template (approved: yes/no, plus feedback); then call wait_for_decision with its id. The "
            "decision is in result.approved and result.feedback.",
            input_schema(approval_params),
            request_approval,
        ),
        _Tool("get_review", _describe(get), input_schema(get.params), get_review),
        _Tool(
            "list_reviews",
            _describe(listing) + " Returns one page: {reviews, next_cursor}.",
            input_schema(listing.params),
            list_reviews,
        ),
        _Tool("cancel_review", _describe(cancel), input_schema(_public(cancel.params)), cancel_review),
        _Tool(
            "wait_for_decision",
            "Wait for a human's decision on a review, for a bounded time. Returns "
            '{"decided": true, "review": ...} once it is completed or cancelled (the answers are in '
            'review.result), or {"decided": false, ...} when it is still pending: then call again with the '
            "same review_id. Sends progress notifications while it waits.",
            input_schema(wait_params),
            wait_for_decision,
        ),
    ]


def _public(params: tuple[Param, ...]) -> tuple[Param, ...]:
    # Retry safety is the client's business: it sends one generated key per call and reuses it on retries.
    return tuple(param for param in params if param.name != "idempotency_key")


def _describe(operation: Operation) -> str:
    return f"{operation.summary}. {operation.description}".strip()


def _arguments(params: tuple[Param, ...], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The tool's arguments as the SDK takes them: names checked, date-times parsed."""
    known = {param.name: param for param in params}
    unknown = sorted(set(arguments) - set(known))
    if unknown:
        raise ValueError(f"unknown argument(s) {', '.join(unknown)}; this tool takes {', '.join(known)}")
    missing = [name for name, param in known.items() if param.required and name not in arguments]
    if missing:
        raise ValueError(f"missing required argument(s): {', '.join(missing)}")
    values = dict(arguments)
    for name, value in arguments.items():
        if known[name].kind == "datetime" and isinstance(value, str):
            try:
                values[name] = dt.datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{name}: {value!r} is not an RFC 3339 date-time") from None
    return values


async def _approval_template(client: AsyncHITL) -> str:
    async for template in client.templates.list(limit=100):
        if template.name == APPROVAL_TEMPLATE_NAME:
            return template.id
    created = await client.templates.create(
        name=APPROVAL_TEMPLATE_NAME,
        description="Created by `hitl mcp` for request_approval: approve an action an AI agent wants.",
        fields=_APPROVAL_FIELDS,
    )
    return created.id


async def _wait(ctx: ServerRequestContext[Any], client: AsyncHITL, review_id: str, limit: float) -> Any:
    """`reviews.wait` in steps of a few seconds, reporting progress after each, for at most `limit`."""
    started = time.monotonic()
    step = 2.0
    while True:
        elapsed = time.monotonic() - started
        try:
            review: Review = await client.reviews.wait(
                review_id,
                timeout=max(min(step, limit - elapsed), 0.0),
                poll_interval=1.0,
                max_poll_interval=step,
            )
        except WaitTimeoutError as exc:
            elapsed = time.monotonic() - started
            await ctx.session.report_progress(
                min(elapsed, limit), limit, f"review {review_id} is {exc.last_status} after {elapsed:.0f}s"
            )
            if elapsed >= limit:
                return {
                    "decided": False,
                    "review_id": review_id,
                    "status": exc.last_status,
                    "waited_seconds": round(elapsed, 1),
                    "next": f"still pending: call wait_for_decision again with review_id={review_id}",
                }
            step = min(step * 1.5, 10.0)
            continue
        return {"decided": True, "review": review}
