"""Signed webhooks: endpoints, the outbox, deliveries with retries (docs/webhooks.md)."""
