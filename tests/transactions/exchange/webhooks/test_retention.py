"""The webhook history is purged after WEBHOOK_KEEP_DAYS, except events still being retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.common import events
from tests.transactions.exchange.webhooks.helpers import registered
from transactions.exchange.webhooks.retention import webhook_history_purge
from transactions.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEvent
from transactions.tasks import purge_webhook_history

pytestmark = pytest.mark.django_db


def _event(endpoint, *, days_ago: int, status: str) -> WebhookEvent:
    events.event_record(
        event_type=events.COMPLAINT_RECEIVED, merchant_id=endpoint.merchant_id, data={"n": 1}
    )
    event = WebhookEvent.objects.order_by("-occurred_at").first()  # the others are aged
    assert event is not None
    WebhookEvent.objects.filter(pk=event.pk).update(
        occurred_at=timezone.now() - timedelta(days=days_ago)
    )
    delivery = event.deliveries.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=status)
    WebhookAttempt.objects.create(
        delivery=delivery, number=1, started_at=timezone.now(), status_code=200, succeeded=True
    )
    return event


def test_old_ended_events_go_with_their_deliveries_and_log(receiver, settings):
    settings.WEBHOOK_KEEP_DAYS = 90
    endpoint, _secret = registered(receiver)
    delivered = _event(endpoint, days_ago=91, status=DeliveryStatus.SUCCEEDED)
    given_up = _event(endpoint, days_ago=120, status=DeliveryStatus.FAILED)
    recent = _event(endpoint, days_ago=89, status=DeliveryStatus.SUCCEEDED)

    assert webhook_history_purge() == 2

    assert list(WebhookEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not WebhookDelivery.objects.filter(event__in=[delivered.pk, given_up.pk]).exists()
    assert WebhookAttempt.objects.count() == 1
    assert webhook_history_purge() == 0


@pytest.mark.parametrize("status", [DeliveryStatus.PENDING, DeliveryStatus.RETRYING])
def test_an_event_still_in_flight_is_kept_however_old(receiver, settings, status):
    settings.WEBHOOK_KEEP_DAYS = 90
    endpoint, _secret = registered(receiver)
    kept = _event(endpoint, days_ago=400, status=status)
    assert webhook_history_purge() == 0
    assert WebhookEvent.objects.filter(pk=kept.pk).exists()


def test_the_keeping_period_is_a_setting(receiver, settings):
    endpoint, _secret = registered(receiver)
    _event(endpoint, days_ago=10, status=DeliveryStatus.SUCCEEDED)
    settings.WEBHOOK_KEEP_DAYS = 30
    assert purge_webhook_history() == 0
    settings.WEBHOOK_KEEP_DAYS = 7
    assert purge_webhook_history() == 1


def test_beat_purges_daily():
    task = PeriodicTask.objects.get(task="transactions.tasks.purge_webhook_history")
    assert task.enabled and task.crontab.hour == "3"
