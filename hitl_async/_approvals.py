"""
`client.approvals`: an AI agent's action waits for a human to approve, edit or reject it.

Loaded on first use of `client.approvals`, so programs that never ask for approval do not pay for it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    NoReturn,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
    overload,
)

from hitl._calls import GuardedSignature
from hitl._decision import (
    TEMPLATE_DESCRIPTION,
    TEMPLATE_FIELDS,
    TEMPLATE_NAME,
    ApprovalRejectedError,
    Decision,
    Escalation,
    check_request,
    digest,
    review_content,
)
from hitl._exceptions import (
    ConfigurationError,
    ConflictError,
    InvalidArgumentError,
    TemplateNotFoundError,
    WaitTimeoutError,
)
from hitl._models import Priority, Review, Template
from hitl._types import NOT_GIVEN, NotGiven
from hitl_async._backend import Lock, monotonic

if TYPE_CHECKING:
    from hitl_async._client import AsyncBaseClient

__all__ = ["AsyncApprovals", "AsyncApprovalRequirement", "AsyncGuarded"]

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
E = TypeVar("E")

OnTimeout = Literal["reject", "approve", "raise"]
PriorityTypes = Priority | Literal["low", "medium", "high", "urgent"]
# Idempotency keys are at most 255 characters; longer user keys are hashed into the namespace.
_KEY_PREFIX = "hitl-approval:"
_MAX_KEY = 255


class _Client(Protocol):
    """What approvals use of the client (`AsyncHITL`): its reviews and templates resources."""

    @property
    def reviews(self) -> Any: ...

    @property
    def templates(self) -> Any: ...


class AsyncGuarded(Protocol[P, R_co]):
    """A function guarded by `approvals.require`: same arguments, runs only once approved."""

    async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


class AsyncApprovals:
    """
    Ask a human to approve an action before it runs; reached as `client.approvals`.

    Each request creates a review from the built-in approval template (found by name, or created once per
    client): the reviewer sees the arguments as JSON, may edit them, and approves or rejects.
    """

    def __init__(self, client: AsyncBaseClient) -> None:
        self._client = cast(_Client, client)  # the full client (AsyncHITL) holds the resources
        self._template_lock = Lock()
        self._template_id: str | None = None

    async def template_id(self) -> str:
        """
        The id of the approval template, found by name or created on first use, then cached.

        Concurrent first calls share one lookup, so a client never creates the template twice.

        Raises:
            ConfigurationError: A template with the approval template's name exists with other fields.
        """
        async with self._template_lock:
            if self._template_id is None:
                self._template_id = await self._find_or_create_template()
            return self._template_id

    async def _find_or_create_template(self) -> str:
        async for template in self._client.templates.list(limit=100):
            if template.name == TEMPLATE_NAME:
                _check_template(template)
                return cast(str, template.id)
        created: Template = await self._client.templates.create(
            name=TEMPLATE_NAME, description=TEMPLATE_DESCRIPTION, fields=list(TEMPLATE_FIELDS)
        )
        return created.id

    async def request(
        self,
        action: str,
        arguments: Mapping[str, Any],
        *,
        assignees: Sequence[str] | NotGiven = NOT_GIVEN,
        context: str | Mapping[str, Any] | None = None,
        timeout: float | None = 600.0,
        on_timeout: OnTimeout = "reject",
        priority: PriorityTypes | NotGiven = NOT_GIVEN,
        escalation: Escalation | Sequence[Escalation] = (),
        idempotency_key: str | None = None,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
    ) -> Decision:
        """
        Ask a human to approve one action (a tool name and its JSON arguments) and wait for the answer.

        Args:
            action: What the agent wants to do, e.g. a tool name.
            arguments: The action's arguments, JSON values by name; the reviewer sees them and may edit them.
            assignees: Reviewers (email addresses).
            context: Why the agent wants it (text or a JSON object), kept in the review's metadata.
            timeout: Seconds to wait in all, or `None` to wait as long as it takes.
            on_timeout: When nobody decided in time (the review is then cancelled on the server):
                `"reject"` (a `timed_out` decision that is not approved), `"approve"` (one that is), or
                `"raise"` (`WaitTimeoutError`).
            priority: The review's priority.
            escalation: Steps that add reviewers or raise the priority while nobody has decided.
            idempotency_key: Ask again with the same key (e.g. the tool-call id) to find the same review
                instead of creating another: a restarted agent resumes its pending approval. Keep the
                other arguments the same, or the server refuses the key (`IdempotencyConflictError`).
            poll_interval: Seconds before the second poll of the review.
            max_poll_interval: Longest pause between polls.

        Returns:
            The `Decision`: check `approved`, then run the action with `decision.arguments`.

        Raises:
            WaitTimeoutError: Nobody decided in time and `on_timeout="raise"`.
            InvalidArgumentError: An argument is wrong (e.g. arguments that are not JSON); nothing was sent.
        """
        return await self._decide(
            action,
            arguments,
            assignees=assignees,
            context=context,
            timeout=timeout,
            on_timeout=on_timeout,
            priority=priority,
            escalation=escalation,
            idempotency_key=idempotency_key,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            validate=None,
        )

    async def create(
        self,
        action: str,
        arguments: Mapping[str, Any],
        *,
        assignees: Sequence[str] | NotGiven = NOT_GIVEN,
        context: str | Mapping[str, Any] | None = None,
        priority: PriorityTypes | NotGiven = NOT_GIVEN,
        idempotency_key: str | None = None,
    ) -> Review:
        """
        Create the approval review for one action without waiting for it.

        For answers that come back later (a `review.completed` webhook, a framework that pauses the run):
        keep `action` and `arguments`, and turn the decided review into a `Decision` with
        `Decision.from_review(review, action=..., arguments=...)`. The arguments are those of `request()`.
        """
        original = check_request(action, arguments)
        if idempotency_key is not None and (not isinstance(idempotency_key, str) or not idempotency_key):
            raise InvalidArgumentError("idempotency_key must be a non-empty string")
        create = functools.partial(
            self._client.reviews.create,
            content=review_content(action, original, context),
            assignees=assignees,
            priority=priority,
            idempotency_key=NOT_GIVEN if idempotency_key is None else _namespaced(idempotency_key),
        )
        try:
            return cast(Review, await create(template_id=await self.template_id()))
        except TemplateNotFoundError:
            self._template_id = None  # deleted since this client cached it: find or create it again
            return cast(Review, await create(template_id=await self.template_id()))

    async def _decide(
        self,
        action: str,
        arguments: Mapping[str, Any],
        *,
        assignees: Sequence[str] | NotGiven,
        context: str | Mapping[str, Any] | None,
        timeout: float | None,
        on_timeout: OnTimeout,
        priority: PriorityTypes | NotGiven,
        escalation: Escalation | Sequence[Escalation],
        idempotency_key: str | None,
        poll_interval: float,
        max_poll_interval: float,
        validate: Callable[[dict[str, Any]], object] | None,
    ) -> Decision:
        original = check_request(action, arguments)
        steps = _check_options(timeout, on_timeout, escalation, idempotency_key)
        review = await self.create(
            action,
            original,
            assignees=assignees,
            context=context,
            priority=priority,
            idempotency_key=idempotency_key,
        )
        final = await self._wait(review.id, timeout, steps, poll_interval, max_poll_interval)
        if isinstance(final, Review):
            return Decision.from_review(final, action=action, arguments=original, validate=validate)
        # Nobody decided in time: cancel, so that no reviewer acts on a request nobody waits for.
        try:
            await self._client.reviews.cancel(review.id)
        except ConflictError:
            # Decided (or cancelled) between the last poll and the cancel: a decision made in time counts.
            late: Review = await self._client.reviews.get(review.id)
            if late.status == "completed":
                return Decision.from_review(late, action=action, arguments=original, validate=validate)
        if on_timeout == "raise":
            raise final
        return Decision(
            outcome="timed_out",
            approved=on_timeout == "approve",
            action=action,
            arguments=original,
            original_arguments=original,
            feedback=f"Nobody decided within {timeout} s; the review was cancelled.",
            review_id=review.id,
        )

    async def _wait(
        self,
        review_id: str,
        timeout: float | None,
        steps: list[Escalation],
        poll_interval: float,
        max_poll_interval: float,
    ) -> Review | WaitTimeoutError:
        """The decided review, or the timeout error once `timeout` ran out; escalates on the way."""
        started = monotonic()
        deadline = None if timeout is None else started + timeout
        while True:
            stop = deadline
            escalating = bool(steps) and (deadline is None or started + steps[0].after < deadline)
            if escalating:
                stop = started + steps[0].after
            try:
                return cast(
                    Review,
                    await self._client.reviews.wait(
                        review_id,
                        timeout=None if stop is None else max(0.0, stop - monotonic()),
                        poll_interval=poll_interval,
                        max_poll_interval=max_poll_interval,
                    ),
                )
            except WaitTimeoutError as error:
                if not escalating:
                    return error
            await self._escalate(review_id, steps.pop(0))

    async def _escalate(self, review_id: str, step: Escalation) -> None:
        review: Review = await self._client.reviews.get(review_id)
        assignees = list(review.assignees or [])
        assignees += [email for email in step.assignees if email not in assignees]
        with contextlib.suppress(ConflictError):  # decided in the meantime: the next poll returns it
            await self._client.reviews.update(
                review_id,
                assignees=assignees if step.assignees else NOT_GIVEN,
                priority=NOT_GIVEN if step.priority is None else step.priority,
            )

    @overload
    def require(
        self,
        *,
        action: str | None = None,
        assignees: Sequence[str] | NotGiven = NOT_GIVEN,
        context: str | Mapping[str, Any] | None = None,
        timeout: float | None = 600.0,
        on_timeout: OnTimeout = "reject",
        priority: PriorityTypes | NotGiven = NOT_GIVEN,
        escalation: Escalation | Sequence[Escalation] = (),
        idempotency_key: Callable[[dict[str, Any]], str | None] | None = None,
        on_reject: Literal["raise"] = "raise",
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
    ) -> AsyncApprovalRequirement[NoReturn]: ...

    @overload
    def require(
        self,
        *,
        action: str | None = None,
        assignees: Sequence[str] | NotGiven = NOT_GIVEN,
        context: str | Mapping[str, Any] | None = None,
        timeout: float | None = 600.0,
        on_timeout: OnTimeout = "reject",
        priority: PriorityTypes | NotGiven = NOT_GIVEN,
        escalation: Escalation | Sequence[Escalation] = (),
        idempotency_key: Callable[[dict[str, Any]], str | None] | None = None,
        on_reject: Literal["message"],
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
    ) -> AsyncApprovalRequirement[str]: ...

    def require(
        self,
        *,
        action: str | None = None,
        assignees: Sequence[str] | NotGiven = NOT_GIVEN,
        context: str | Mapping[str, Any] | None = None,
        timeout: float | None = 600.0,
        on_timeout: OnTimeout = "reject",
        priority: PriorityTypes | NotGiven = NOT_GIVEN,
        escalation: Escalation | Sequence[Escalation] = (),
        idempotency_key: Callable[[dict[str, Any]], str | None] | None = None,
        on_reject: Literal["raise", "message"] = "raise",
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
    ) -> AsyncApprovalRequirement[NoReturn] | AsyncApprovalRequirement[str]:
        """
        A decorator: each call of the function first asks a human to approve it, with the call's arguments.

        Approved, the function runs; edited, it runs with the reviewer's arguments after they are checked
        against its signature (an edit that does not fit is a rejection, with the reason as feedback).
        Rejected (or timed out with `on_timeout="reject"`), it raises `ApprovalRejectedError`, or with
        `on_reject="message"` returns `decision.to_llm_message()` for the agent loop to hand to the model.

            @client.approvals.require(assignees=["ops@example.com"], timeout=300)
            async def send_email(to: str, body: str) -> str: ...

        The arguments are those of `request()`, plus `action` (default: the function's name),
        `idempotency_key` (a function of the call's arguments by name, returning the key or None) and
        `on_reject`. With the blocking client, guard blocking functions.
        """
        if on_reject not in ("raise", "message"):
            raise InvalidArgumentError(f"on_reject must be 'raise' or 'message', got {on_reject!r}")
        options: dict[str, Any] = {
            "assignees": assignees,
            "context": context,
            "timeout": timeout,
            "on_timeout": on_timeout,
            "priority": priority,
            "escalation": escalation,
            "poll_interval": poll_interval,
            "max_poll_interval": max_poll_interval,
        }
        _check_options(timeout, on_timeout, escalation, None)
        return AsyncApprovalRequirement(self, action, options, idempotency_key, on_reject == "message")


class AsyncApprovalRequirement(Generic[E]):
    """What `approvals.require(...)` returns: apply it to a function to guard it."""

    def __init__(
        self,
        approvals: AsyncApprovals,
        action: str | None,
        options: dict[str, Any],
        idempotency_key: Callable[[dict[str, Any]], str | None] | None,
        message_on_reject: bool,
    ) -> None:
        self._approvals = approvals
        self._action = action
        self._options = options
        self._idempotency_key = idempotency_key
        self._message_on_reject = message_on_reject

    @overload
    def __call__(self, func: Callable[P, Awaitable[R]]) -> AsyncGuarded[P, R | E]: ...

    @overload
    def __call__(self, func: Callable[P, R]) -> AsyncGuarded[P, R | E]: ...

    def __call__(self, func: Callable[P, Any]) -> AsyncGuarded[P, Any]:
        if inspect.iscoroutinefunction(func) and not inspect.iscoroutinefunction(self._approvals.request):
            raise InvalidArgumentError(
                f"{func.__name__} is a coroutine function, which a blocking client cannot run: "
                "guard it with the client of the non-blocking package"
            )
        shape = GuardedSignature(func)
        action = self._action or func.__name__
        approvals, options, key_of = self._approvals, self._options, self._idempotency_key
        message_on_reject = self._message_on_reject

        @functools.wraps(func)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            arguments = shape.arguments(args, kwargs)
            decision = await approvals._decide(
                action,
                arguments,
                idempotency_key=None if key_of is None else key_of(arguments),
                validate=shape.check,
                **options,
            )
            if not decision.approved:
                if message_on_reject:
                    return decision.to_llm_message()
                raise ApprovalRejectedError(decision)
            # Run exactly what was decided: the arguments must still hash to what the reviewer saw.
            to_run = check_request(action, decision.arguments)
            if digest(action, to_run) != decision.digest:
                raise ApprovalRejectedError(decision)
            call_args, call_kwargs = shape.call_with(to_run)
            result = func(*call_args, **call_kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result

        return cast(AsyncGuarded[P, Any], guarded)


def _check_options(
    timeout: float | None,
    on_timeout: str,
    escalation: Escalation | Sequence[Escalation],
    idempotency_key: str | None,
) -> list[Escalation]:
    """The escalation steps in time order, after checking the waiting options."""
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0
    ):
        raise InvalidArgumentError(
            f"timeout must be seconds >= 0, or None to wait without limit; got {timeout!r}"
        )
    if on_timeout not in ("reject", "approve", "raise"):
        raise InvalidArgumentError(f"on_timeout must be 'reject', 'approve' or 'raise', got {on_timeout!r}")
    if idempotency_key is not None and (not isinstance(idempotency_key, str) or not idempotency_key):
        raise InvalidArgumentError("idempotency_key must be a non-empty string")
    steps = [escalation] if isinstance(escalation, Escalation) else list(escalation)
    if not all(isinstance(step, Escalation) for step in steps):
        raise InvalidArgumentError("escalation must be an Escalation or a sequence of them")
    return sorted(steps, key=lambda step: step.after)


def _check_template(template: Template) -> None:
    fields = {(f.name, str(f.type), f.editable) for f in template.fields}
    needed = {(f["name"], f["type"], f.get("editable", False)) for f in TEMPLATE_FIELDS}
    if not needed <= fields:
        raise ConfigurationError(
            f"template {template.id} is named {TEMPLATE_NAME!r} but lacks the approval fields (content, "
            "approved, feedback); rename or delete it so that approvals can create their own"
        )


def _namespaced(key: str) -> str:
    """The key sent for an approval: apart from the caller's other uses of the same key."""
    namespaced = _KEY_PREFIX + key
    if len(namespaced) <= _MAX_KEY:
        return namespaced
    return _KEY_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()
