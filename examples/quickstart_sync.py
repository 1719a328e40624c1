"""
The whole HITL loop with the sync client: template → review → a human decides → signed webhook → result.

    python examples/quickstart_sync.py                 # against an emulator started here
    python examples/quickstart_sync.py --interactive   # you are the reviewer, in your browser

With `HITL_BASE_URL` and `HITL_API_KEY` set it talks to that server instead (e.g. `hitl-emulator`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file from a checkout

from examples._demo_support import Transcript, WebhookReceiver, api_endpoint, reviewer_acts
from hitl_sync import HITL, ReviewCompletedEvent

REVIEWER = "reviewer@company.com"
FIELDS = [
    {
        "name": "content",
        "type": "content_display",
        "label": "Content to review",
        "editable": True,
        "required": True,
    },
    {"name": "approved", "type": "boolean", "label": "Approve content", "required": True},
    {"name": "feedback", "type": "text", "label": "Feedback or comments", "required": False},
]


def main(interactive: bool) -> None:
    say = Transcript()
    with api_endpoint() as (base_url, api_key, embedded), WebhookReceiver() as receiver:
        say.step(f"HITL API at {base_url} ({'embedded emulator' if embedded else 'from HITL_BASE_URL'})")
        with HITL(api_key=api_key, base_url=base_url) as hitl:
            webhook = hitl.webhooks.create(url=receiver.url, events=["review.completed"])
            receiver.secret = webhook.secret
            say.step(f"webhook {webhook.id} → {receiver.url} (signing secret kept by the receiver)")

            template = hitl.templates.create(
                name="Content Review", description="Review AI-generated content for quality", fields=FIELDS
            )
            say.step(
                f"template {template.id} '{template.name}' with fields {[f.name for f in template.fields]}"
            )

            review = hitl.reviews.create(
                template_id=template.id,
                content={
                    "text": "Our new plan cuts costs by 40%.",
                    "metadata": {"source": "gpt-4", "confidence": 0.71},
                },
                assignees=[REVIEWER],
                priority="high",
            )
            say.step(f"review {review.id} created: {review.status}, priority {review.priority}")

            if interactive:
                say.step(f"your turn: open {base_url}/ui/reviews/{review.id} and submit the form")
            else:
                decision = {
                    "approved": True,
                    "content": "Our new plan cuts costs by up to 40%.",
                    "feedback": "Hedged the claim",
                }
                reviewer_acts(base_url, review.id, REVIEWER, decision)
                say.step(f"{REVIEWER} opened the review and submitted the form")

            event = receiver.next_event(600 if interactive else 10)
            assert isinstance(event, ReviewCompletedEvent)
            time.sleep(0.2)  # let the duplicate delivery arrive, to show it dropped
            say.step(
                f"webhook {event.type} for {event.review.id}: signature verified, "
                f"{receiver.duplicates} duplicate delivery dropped"
            )

            decided = hitl.reviews.wait(review.id, timeout=30)
            say.step(f"reviews.wait agrees: {decided.status} by {decided.reviewer} at {decided.completed_at}")
            result = decided.result or {}
            approved, feedback = result.get("approved"), result.get("feedback")
            print(f"\nThe human's decision: approved={approved}, feedback={feedback!r}")
            print(f"Revised content: {result.get('content')!r}\n")
    say.done()


if __name__ == "__main__":
    main(interactive="--interactive" in sys.argv)
