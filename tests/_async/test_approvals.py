"""`client.approvals`: request, require, decisions, timeouts, escalation and idempotency, on the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from hitl._decision import digest
from hitl_async import (
    ApprovalRejectedError,
    AsyncHITL,
    ConfigurationError,
    Decision,
    Escalation,
    InvalidArgumentError,
    WaitTimeoutError,
)
from hitl_emulator import EmulatorServer

pytestmark = pytest.mark.anyio

ARGS = {"to": "ops@example.com", "amount": 120}
Answer = Callable[[dict[str, Any]], dict[str, Any]]


def connect(server: EmulatorServer) -> AsyncHITL:
    return AsyncHITL(api_key=server.api_key, base_url=server.url, max_retries=0)


def reviewer(monkeypatch: pytest.MonkeyPatch, server: EmulatorServer, answer: Answer) -> list[dict[str, Any]]:
    """
    Play the reviewer at the first pause of the wait: each open review gets `answer(review)` as its result.

    Returns the reviews as the reviewer saw them. The pause itself takes no time.
    """
    seen: list[dict[str, Any]] = []

    async def sleep(seconds: float) -> None:
        for review in server.emulator.reviews():
            if review["status"] in ("created", "assigned", "in_progress"):
                seen.append(review)
                server.emulator.complete_review(review["id"], answer(review), reviewer="lead@example.com")

    monkeypatch.setattr("hitl_async._waiting.sleep", sleep)
    return seen


def approve(review: dict[str, Any]) -> dict[str, Any]:
    return {"approved": True, "content": review["content"]["text"], "feedback": "Fine"}


def edit(**changes: Any) -> Answer:
    def answer(review: dict[str, Any]) -> dict[str, Any]:
        edited = {**json.loads(review["content"]["text"]), **changes}
        return {"approved": True, "content": json.dumps(edited), "feedback": "Capped it"}

    return answer


def reject(review: dict[str, Any]) -> dict[str, Any]:
    return {"approved": False, "content": review["content"]["text"], "feedback": "Not this month"}


async def test_approved(monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer) -> None:
    """An approval: the review shows the arguments as JSON, and the decision runs them unchanged."""
    seen = reviewer(monkeypatch, hitl_emulator_server, approve)
    async with connect(hitl_emulator_server) as hitl:
        decision = await hitl.approvals.request(
            "pay", ARGS, assignees=["lead@example.com"], context="Invoice 42", priority="high"
        )

    assert decision.outcome == "approved"
    assert decision.approved
    assert decision.arguments == decision.original_arguments == ARGS
    assert (decision.feedback, decision.reviewer, decision.review_id) == (
        "Fine",
        "lead@example.com",
        seen[0]["id"],
    )
    content = seen[0]["content"]
    assert json.loads(content["text"]) == ARGS
    assert content["text"] == json.dumps(ARGS, indent=2)
    assert content["metadata"]["action"] == "pay"
    assert content["metadata"]["context"] == "Invoice 42"
    assert content["metadata"]["digest"] == decision.digest
    assert "approved the call to pay" in decision.to_llm_message()


async def test_edited(monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer) -> None:
    """Changed content that parses as JSON arguments: the reviewer's arguments are what runs."""
    reviewer(monkeypatch, hitl_emulator_server, edit(amount=100))
    async with connect(hitl_emulator_server) as hitl:
        decision = await hitl.approvals.request("pay", ARGS)

    assert (decision.outcome, decision.approved) == ("edited", True)
    assert decision.arguments == {**ARGS, "amount": 100}
    assert decision.original_arguments == ARGS
    assert '"amount":100' in decision.to_llm_message()


async def test_rejected(monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer) -> None:
    """approved false: rejected, with the reviewer's feedback for the model."""
    reviewer(monkeypatch, hitl_emulator_server, reject)
    async with connect(hitl_emulator_server) as hitl:
        decision = await hitl.approvals.request("pay", ARGS)

    assert (decision.outcome, decision.approved, decision.feedback) == ("rejected", False, "Not this month")
    assert "rejected the call to pay" in decision.to_llm_message()
    assert "Not this month" in decision.to_llm_message()


async def test_an_edit_that_is_not_json_is_a_rejection(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """Approved with content that does not parse: rejected, and the feedback says why."""
    reviewer(monkeypatch, hitl_emulator_server, lambda review: {"approved": True, "content": "pay 100"})
    async with connect(hitl_emulator_server) as hitl:
        decision = await hitl.approvals.request("pay", ARGS)

    assert (decision.outcome, decision.approved) == ("rejected", False)
    assert decision.feedback is not None
    assert "not valid JSON" in decision.feedback
    assert decision.arguments == ARGS


async def test_timeout_rejects_and_cancels_the_review(hitl_emulator_server: EmulatorServer) -> None:
    """Nobody decides in time: a timed_out decision that is not approved, and the review is cancelled."""
    async with connect(hitl_emulator_server) as hitl:
        decision = await hitl.approvals.request("pay", ARGS, timeout=0)
        review = await hitl.reviews.get(decision.review_id or "")

    assert (decision.outcome, decision.approved) == ("timed_out", False)
    assert review.status == "cancelled"
    assert "No human answered in time" in decision.to_llm_message()


async def test_timeout_can_approve_or_raise(hitl_emulator_server: EmulatorServer) -> None:
    """on_timeout="approve" goes ahead with the original arguments; "raise" raises WaitTimeoutError."""
    async with connect(hitl_emulator_server) as hitl:
        decision = await hitl.approvals.request("pay", ARGS, timeout=0, on_timeout="approve")
        with pytest.raises(WaitTimeoutError) as raised:
            await hitl.approvals.request("pay", ARGS, timeout=0, on_timeout="raise")
        cancelled = await hitl.reviews.get(raised.value.review_id)

    assert (decision.outcome, decision.approved, decision.arguments) == ("timed_out", True, ARGS)
    assert cancelled.status == "cancelled"
    statuses = [review["status"] for review in hitl_emulator_server.emulator.reviews()]
    assert statuses == ["cancelled", "cancelled"]


async def test_a_decision_made_just_before_the_cancel_counts(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """The reviewer answers between the last poll and the cancel: the cancel is refused, the answer wins."""
    async with connect(hitl_emulator_server) as hitl:
        cancel = hitl.reviews.cancel

        async def decide_then_cancel(review_id: str) -> Any:
            shown = hitl_emulator_server.emulator.reviews()[0]["content"]["text"]
            hitl_emulator_server.emulator.complete_review(review_id, {"approved": True, "content": shown})
            return await cancel(review_id)

        monkeypatch.setattr(hitl.reviews, "cancel", decide_then_cancel)
        decision = await hitl.approvals.request("pay", ARGS, timeout=0)

    assert (decision.outcome, decision.approved) == ("approved", True)
    assert hitl_emulator_server.emulator.reviews()[0]["status"] == "completed"


async def test_escalation_adds_reviewers_and_raises_priority(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """After its delay, an escalation step updates the open review; the decision still arrives."""
    seen = reviewer(monkeypatch, hitl_emulator_server, approve)
    step = Escalation(after=0, assignees=["oncall@example.com"], priority="urgent")
    async with connect(hitl_emulator_server) as hitl:
        decision = await hitl.approvals.request(
            "pay", ARGS, assignees=["lead@example.com"], priority="low", escalation=step, timeout=30
        )

    assert decision.outcome == "approved"
    assert seen[0]["assignees"] == ["lead@example.com", "oncall@example.com"]
    assert seen[0]["priority"] == "urgent"


class Crash(Exception):
    """The asking process dies while it waits."""


async def test_same_idempotency_key_finds_the_same_review(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """A restarted agent asking again with the same key resumes the same review and gets its decision."""

    async def crash(seconds: float) -> None:
        raise Crash

    monkeypatch.setattr("hitl_async._waiting.sleep", crash)
    async with connect(hitl_emulator_server) as hitl:
        with pytest.raises(Crash):
            await hitl.approvals.request("pay", ARGS, idempotency_key="call_1")
    reviewer(monkeypatch, hitl_emulator_server, edit(amount=90))
    async with connect(hitl_emulator_server) as restarted:
        resumed = await restarted.approvals.request("pay", ARGS, idempotency_key="call_1")
        again = await restarted.approvals.request("pay", ARGS, idempotency_key="call_1")
        other = await restarted.approvals.request("pay", ARGS, idempotency_key="call_2")

    reviews = hitl_emulator_server.emulator.reviews()
    assert [review["id"] for review in reviews] == [resumed.review_id, other.review_id]
    assert resumed.outcome == "edited"
    assert again == resumed
    assert len(hitl_emulator_server.emulator.reviews()) == 2


async def test_require_runs_the_approved_call(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """A guarded function runs once approved, with the call's arguments; both kinds of function work."""
    reviewer(monkeypatch, hitl_emulator_server, approve)
    calls: list[tuple[Any, ...]] = []
    async with connect(hitl_emulator_server) as hitl:

        @hitl.approvals.require(assignees=["lead@example.com"])
        async def pay(to: str, amount: int, *, memo: str | None = None) -> str:
            calls.append((to, amount, memo))
            return f"paid {amount}"

        @hitl.approvals.require(action="refund")
        def give_back(to: str, amount: float = 1.5) -> float:
            calls.append((to, amount))
            return amount

        assert await pay("ops@example.com", 120, memo="May") == "paid 120"
        assert await give_back("ops@example.com") == 1.5

    assert calls == [("ops@example.com", 120, "May"), ("ops@example.com", 1.5)]
    assert pay.__name__ == "pay"
    shown = [json.loads(review["content"]["text"]) for review in hitl_emulator_server.emulator.reviews()]
    assert shown == [{"to": "ops@example.com", "amount": 120, "memo": "May"}, {"to": "ops@example.com"}]
    metadata = [review["content"]["metadata"]["action"] for review in hitl_emulator_server.emulator.reviews()]
    assert metadata == ["pay", "refund"]


async def test_require_runs_the_reviewers_edit(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """Edited arguments that fit the signature are what the function runs with."""
    reviewer(monkeypatch, hitl_emulator_server, edit(amount=100))
    calls: list[tuple[str, int]] = []
    async with connect(hitl_emulator_server) as hitl:

        @hitl.approvals.require()
        def pay(to: str, amount: int) -> int:
            calls.append((to, amount))
            return amount

        assert await pay("ops@example.com", amount=120) == 100

    assert calls == [("ops@example.com", 100)]


async def test_require_refuses_an_edit_that_does_not_fit_the_signature(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """An edit with a wrong type or an unknown argument is a rejection naming the problem; nothing runs."""
    calls: list[Any] = []
    async with connect(hitl_emulator_server) as hitl:

        @hitl.approvals.require()
        def pay(to: str, amount: int) -> None:
            calls.append(amount)

        reviewer(monkeypatch, hitl_emulator_server, edit(amount="a lot"))
        with pytest.raises(ApprovalRejectedError) as wrong_type:
            await pay("ops@example.com", 120)
        reviewer(monkeypatch, hitl_emulator_server, edit(currency="EUR"))
        with pytest.raises(ApprovalRejectedError) as unknown:
            await pay("ops@example.com", 120)

    assert calls == []
    assert "amount must be int, got a string" in str(wrong_type.value.decision.feedback)
    assert "unknown argument(s) currency" in str(unknown.value.decision.feedback)


async def test_require_raises_or_returns_the_message_on_rejection(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """Rejected: ApprovalRejectedError carrying the decision, or with on_reject="message" the model's text."""
    reviewer(monkeypatch, hitl_emulator_server, reject)
    async with connect(hitl_emulator_server) as hitl:

        @hitl.approvals.require()
        def pay(to: str, amount: int) -> int:
            raise AssertionError("a rejected call ran")

        @hitl.approvals.require(on_reject="message")
        def pay_or_say(to: str, amount: int) -> int:
            raise AssertionError("a rejected call ran")

        with pytest.raises(ApprovalRejectedError) as raised:
            await pay("ops@example.com", 120)
        said = await pay_or_say("ops@example.com", 120)

    assert raised.value.decision.outcome == "rejected"
    assert raised.value.decision.reviewer == "lead@example.com"
    assert "Not this month" in str(raised.value)
    assert said == raised.value.decision.to_llm_message().replace("to pay;", "to pay_or_say;")


async def test_require_keys_calls_and_times_out_as_asked(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """idempotency_key= maps a call to its key (the same call finds its review); a timeout is a rejection."""
    ran: list[int] = []
    async with connect(hitl_emulator_server) as hitl:

        @hitl.approvals.require(idempotency_key=lambda arguments: f"pay-{arguments['to']}")
        def pay(to: str, amount: int) -> None:
            ran.append(amount)

        @hitl.approvals.require(timeout=0)
        def refund(to: str, amount: int) -> None:
            ran.append(-amount)

        reviewer(monkeypatch, hitl_emulator_server, approve)
        await pay("ops@example.com", 120)
        await pay("ops@example.com", 120)  # a retried call: same key, same review, already approved
        with pytest.raises(ApprovalRejectedError) as timed_out:
            await refund("ops@example.com", 5)

    assert ran == [120, 120]
    assert timed_out.value.decision.outcome == "timed_out"
    assert "timed out" in str(timed_out.value)
    assert [review["status"] for review in hitl_emulator_server.emulator.reviews()] == [
        "completed",
        "cancelled",
    ]


async def test_a_review_changed_after_the_request_does_not_run(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """What the reviewer saw must be what was asked: content swapped on the server is rejected, not run."""
    hitl = connect(hitl_emulator_server)

    async def swap_then_approve(seconds: float) -> None:
        for review in hitl_emulator_server.emulator.reviews():
            if review["status"] == "created":
                swapped = {"text": json.dumps({**ARGS, "to": "thief@example.com"}), "metadata": {}}
                swapped["metadata"] = review["content"]["metadata"]
                await hitl.reviews.update(review["id"], content=swapped)
                hitl_emulator_server.emulator.complete_review(
                    review["id"], {"approved": True, "content": swapped["text"]}
                )

    monkeypatch.setattr("hitl_async._waiting.sleep", swap_then_approve)
    async with hitl:
        decision = await hitl.approvals.request("pay", ARGS)

    assert (decision.outcome, decision.approved, decision.arguments) == ("rejected", False, ARGS)
    assert "does not show this action" in str(decision.feedback)


async def test_the_template_is_found_or_created_once(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """One approval template per account: created on first use, cached, and found by name by other clients."""
    reviewer(monkeypatch, hitl_emulator_server, approve)
    async with connect(hitl_emulator_server) as hitl:
        await hitl.approvals.request("pay", ARGS)
        await hitl.approvals.request("pay", ARGS)
        template_id = await hitl.approvals.template_id()
    async with connect(hitl_emulator_server) as other:
        assert await other.approvals.template_id() == template_id
        template = await other.templates.get(template_id)

    assert hitl_emulator_server.emulator.stats()["templates"] == 1
    assert [(f.name, f.type, f.editable, f.required) for f in template.fields] == [
        ("content", "content_display", True, True),
        ("approved", "boolean", False, True),
        ("feedback", "text", False, False),
    ]


async def test_a_deleted_template_is_made_again(
    monkeypatch: pytest.MonkeyPatch, hitl_emulator_server: EmulatorServer
) -> None:
    """The cached template was deleted elsewhere: the next request finds none and creates it again."""
    reviewer(monkeypatch, hitl_emulator_server, approve)
    async with connect(hitl_emulator_server) as hitl:
        first = await hitl.approvals.template_id()
        await hitl.templates.delete(first)
        decision = await hitl.approvals.request("pay", ARGS)
        second = await hitl.approvals.template_id()

    assert decision.outcome == "approved"
    assert second != first


async def test_a_foreign_template_with_the_name_is_refused(hitl_emulator_server: EmulatorServer) -> None:
    """A template named like the approval template but with other fields is reported, not misread."""
    async with connect(hitl_emulator_server) as hitl:
        from hitl._decision import TEMPLATE_NAME

        await hitl.templates.create(
            name=TEMPLATE_NAME, fields=[{"name": "ok", "type": "boolean", "label": "OK", "required": True}]
        )
        with pytest.raises(ConfigurationError, match="lacks the approval fields"):
            await hitl.approvals.request("pay", ARGS)


@pytest.mark.parametrize(
    ("args", "options", "match"),
    [
        ({"when": object()}, {}, "must be JSON values"),
        ({"n": float("nan")}, {}, "must be JSON values"),
        (ARGS, {"on_timeout": "wait"}, "on_timeout"),
        (ARGS, {"timeout": -1}, "timeout"),
        (ARGS, {"idempotency_key": ""}, "idempotency_key"),
    ],
)
async def test_bad_requests_are_refused_before_sending(
    hitl_emulator_server: EmulatorServer, args: dict[str, Any], options: dict[str, Any], match: str
) -> None:
    """Arguments that are not JSON, or wrong options, raise InvalidArgumentError; no review is created."""
    async with connect(hitl_emulator_server) as hitl:
        with pytest.raises(InvalidArgumentError, match=match):
            await hitl.approvals.request("pay", args, **options)

    assert hitl_emulator_server.emulator.reviews() == []


async def test_create_then_decide_later_from_the_review(hitl_emulator_server: EmulatorServer) -> None:
    """approvals.create asks without waiting; the decided review (say, from a webhook) is the decision."""
    async with connect(hitl_emulator_server) as hitl:
        review = await hitl.approvals.create("pay", ARGS, context={"thread": "t1"}, idempotency_key="call_9")
        again = await hitl.approvals.create("pay", ARGS, context={"thread": "t1"}, idempotency_key="call_9")
        edited = json.dumps({**ARGS, "amount": 80})
        hitl_emulator_server.emulator.complete_review(review.id, {"approved": True, "content": edited})
        decided = await hitl.reviews.get(review.id)

    decision = Decision.from_review(decided, action="pay", arguments=ARGS)
    assert again.id == review.id
    assert (decision.outcome, decision.arguments, decision.review_id) == (
        "edited",
        {**ARGS, "amount": 80},
        review.id,
    )
    assert decided.content is not None
    assert decided.content.metadata == {
        "kind": "hitl.approval",
        "action": "pay",
        "digest": digest("pay", ARGS),
        "context": {"thread": "t1"},
    }
