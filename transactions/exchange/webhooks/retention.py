"""How long the webhook history is kept: events, their deliveries and the delivery log.

Every event is written to the outbox, whether or not anyone is still listening, so the tables
grow with the portal's traffic. After ``WEBHOOK_KEEP_DAYS`` an event whose deliveries have all
ended (delivered or given up) is deleted with its deliveries and attempts; one still being
retried stays until its retries end.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from transactions.models import DeliveryStatus, WebhookDelivery, WebhookEvent

BATCH = 5_000


def webhook_history_purge(*, now: datetime | None = None) -> int:
    """Delete the events older than the keeping period whose deliveries have ended; how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_KEEP_DAYS)
    in_flight = WebhookDelivery.objects.filter(
        event=OuterRef("pk"), status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
    )
    expired = WebhookEvent.objects.filter(occurred_at__lt=cutoff).exclude(Exists(in_flight))
    purged = 0
    while True:
        ids = list(expired.order_by("occurred_at").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return purged
        with transaction.atomic():
            WebhookDelivery.objects.filter(event_id__in=ids).delete()
            WebhookEvent.objects.filter(pk__in=ids).delete()
        purged += len(ids)
