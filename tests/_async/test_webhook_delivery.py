"""End to end: a signed delivery reaches a real receiver, its duplicate is dropped, and wait agrees."""

import pytest

from hitl_async import AsyncHITL, ReviewCompletedEvent, ReviewStatus
from hitl_emulator import EmulatorServer
from tests.receiver import Receiver

pytestmark = pytest.mark.anyio

FIELDS = [{"name": "approved", "type": "boolean", "label": "Approve?", "required": True}]


async def test_delivery_is_verified_deduplicated_and_matches_wait(
    hitl_emulator_server: EmulatorServer, webhook_receiver: Receiver
) -> None:
    """The review.completed webhook (delivered twice) is accepted once and carries wait()'s decision."""
    emulator = hitl_emulator_server.emulator
    emulator.configure(duplicate_deliveries=True)
    async with AsyncHITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url) as hitl:
        webhook = await hitl.webhooks.create(url=webhook_receiver.url, events=["review.completed"])
        webhook_receiver.secret = webhook.secret
        template = await hitl.templates.create(name="Approval", fields=FIELDS)
        review = await hitl.reviews.create(template_id=template.id, content={"text": "Ship it?"})
        emulator.complete_review(review.id, {"approved": False}, reviewer="lead@company.com")
        decided = await hitl.reviews.wait(review.id, timeout=5, poll_interval=0.01)
    emulator.drain_deliveries(5)
    webhook_receiver.wait_for(2)  # the delivery and its duplicate

    assert webhook_receiver.rejected == 0
    assert webhook_receiver.duplicates == 1
    [event] = webhook_receiver.accepted
    assert isinstance(event, ReviewCompletedEvent)
    assert event.review.id == decided.id == review.id
    assert decided.status is ReviewStatus.COMPLETED
    assert event.review.result == decided.result == {"approved": False}
    assert event.review.reviewer == decided.reviewer == "lead@company.com"


async def test_delivery_signed_with_another_secret_is_rejected(
    hitl_emulator_server: EmulatorServer, webhook_receiver: Receiver
) -> None:
    """A receiver holding the wrong secret answers 400 to the signed delivery and accepts nothing."""
    async with AsyncHITL(api_key=hitl_emulator_server.api_key, base_url=hitl_emulator_server.url) as hitl:
        await hitl.webhooks.create(url=webhook_receiver.url, events=["template.updated"])
        webhook_receiver.secret = "not-the-webhook-secret"
        template = await hitl.templates.create(name="Approval", fields=FIELDS)
        await hitl.templates.update(template.id, description="now with a description")
    webhook_receiver.wait_for(1)

    assert webhook_receiver.accepted == []
    assert webhook_receiver.rejected >= 1
