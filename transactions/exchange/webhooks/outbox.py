"""The outbox: events written with the change they report, and a delivery per endpoint wanting it.

``outbox_record`` is the recorder behind ``portal.common.events.event_record`` (registered in
``TransactionsConfig.ready()``). It runs inside the caller's transaction, so the event, its
deliveries and the change commit or roll back together; the deliveries are queued only once the
transaction has committed. Nothing is written when no active endpoint wants the event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.common.events import PING, Event
from portal.common.queue import enqueue_on_commit
from transactions.models import (
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

DELIVER_TASK = "transactions.tasks.deliver_webhook"


def _subscribers(event_type: str, merchant_ids: set[int]) -> dict[int | None, list[int]]:
    """Endpoint ids wanting ``event_type``, by merchant id (None: the acquirer's, wanting all)."""
    endpoints = WebhookEndpoint.objects.filter(status=EndpointStatus.ACTIVE).filter(
        Q(merchant__isnull=True) | Q(merchant_id__in=merchant_ids)
    )
    found: dict[int | None, list[int]] = {}
    for pk, merchant_id, events in endpoints.values_list("pk", "merchant_id", "events"):
        if event_type in (events or []):
            found.setdefault(merchant_id, []).append(pk)
    return found


def outbox_wanted(event_type: str) -> bool:
    """Whether any active endpoint, of any merchant or the acquirer's, wants ``event_type``."""
    active = WebhookEndpoint.objects.filter(status=EndpointStatus.ACTIVE)
    return any(event_type in (events or []) for events in active.values_list("events", flat=True))


def outbox_record(event_type: str, events: Sequence[Event]) -> None:
    """Write the events that some active endpoint wants, with one delivery per such endpoint."""
    merchant_ids = {merchant_id for merchant_id, _data in events if merchant_id is not None}
    subscribers = _subscribers(event_type, merchant_ids)
    if not subscribers:
        return
    now = timezone.now()
    rows: list[tuple[WebhookEvent, list[int]]] = []
    for merchant_id, data in events:
        endpoint_ids = subscribers.get(None, []) + (
            subscribers.get(merchant_id, []) if merchant_id is not None else []
        )
        if endpoint_ids:
            event = WebhookEvent(
                event_type=event_type, merchant_id=merchant_id, data=dict(data), occurred_at=now
            )
            rows.append((event, endpoint_ids))
    _write(rows, now=now)


def _write(rows: list[tuple[WebhookEvent, list[int]]], *, now: Any) -> list[WebhookDelivery]:
    with transaction.atomic():
        WebhookEvent.objects.bulk_create([event for event, _ids in rows], batch_size=1000)
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    event=event,
                    endpoint_id=endpoint_id,
                    next_attempt_at=now,
                    retry_until=now + settings.WEBHOOK_RETRY_FOR,
                )
                for event, endpoint_ids in rows
                for endpoint_id in endpoint_ids
            ],
            batch_size=1000,
        )
    for delivery in deliveries:
        enqueue_on_commit(DELIVER_TASK, delivery.pk)
    return deliveries


def ping_record(*, endpoint: WebhookEndpoint, data: Mapping[str, Any]) -> WebhookDelivery:
    """A test event for one endpoint only, whatever events it chose (its owner asked for it)."""
    now = timezone.now()
    event = WebhookEvent(
        event_type=PING, merchant_id=endpoint.merchant_id, data=dict(data), occurred_at=now
    )
    return _write([(event, [endpoint.pk])], now=now)[0]
