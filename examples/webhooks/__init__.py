"""
Webhook receivers for HITL.sh, one per framework, each small enough to copy into a project.

Every recipe reads the raw body, verifies it with `construct_event` (400 on `WebhookVerificationError`), drops
repeated deliveries with the duplicate guard, answers 2xx at once and processes the event afterwards.
Each reads its secret from `HITL_WEBHOOK_SECRET`; `tests/test_webhook_recipes.py` drives them with signed
deliveries.
"""
