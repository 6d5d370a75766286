"""The outbox: events written with their change, to the endpoints that want them, nothing else."""

from __future__ import annotations

import pytest
from django.db import transaction

from portal.common import events
from tests.factories import MerchantFactory, StaffFactory
from tests.transactions.exchange.webhooks.helpers import registered
from transactions.exchange.webhooks.services import endpoint_create
from transactions.models import WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


def _emit(merchant_id, event_type=events.COMPLAINT_RECEIVED):
    events.event_record(event_type=event_type, merchant_id=merchant_id, data={"n": 1})


def test_an_event_nobody_wants_writes_nothing(receiver):
    endpoint, _secret = registered(receiver, event_types=[events.ALERT_OPENED])
    _emit(endpoint.merchant_id, events.COMPLAINT_RECEIVED)
    assert not WebhookEvent.objects.exists()


def test_a_merchant_endpoint_gets_only_its_merchant_events(receiver):
    mine, _secret = registered(receiver)
    other = MerchantFactory(approved=True)
    _emit(other.pk)
    assert not WebhookDelivery.objects.exists()
    _emit(mine.merchant_id)
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [mine.pk]


def test_the_acquirer_endpoint_gets_every_merchant_events(receiver):
    staff = StaffFactory(is_superuser=True)
    acquirer, _secret = endpoint_create(
        merchant=None, url=receiver.url, events=[events.COMPLAINT_RECEIVED], actor=staff
    )
    mine, _secret = registered(receiver)
    _emit(mine.merchant_id)
    _emit(MerchantFactory(approved=True).pk)
    event = WebhookEvent.objects.get(merchant_id=mine.merchant_id)
    assert set(event.deliveries.values_list("endpoint", flat=True)) == {acquirer.pk, mine.pk}
    assert WebhookDelivery.objects.filter(endpoint=acquirer).count() == 2


def test_a_rolled_back_event_is_neither_stored_nor_sent(
    receiver, django_capture_on_commit_callbacks
):
    endpoint, _secret = registered(receiver)
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _emit(endpoint.merchant_id)
        assert WebhookEvent.objects.count() == 1
        raise RuntimeError("the change failed")
    assert queued == []
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_a_committed_event_is_sent_only_after_the_commit(
    receiver, django_capture_on_commit_callbacks
):
    endpoint, _secret = registered(receiver)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _emit(endpoint.merchant_id)
    assert receiver.requests == [] and len(queued) == 1
    queued[0]()
    assert [r.json["type"] for r in receiver.requests] == [events.COMPLAINT_RECEIVED]


def test_an_unknown_event_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown event type"):
        events.event_record(event_type="report.eaten", merchant_id=None, data={})


def test_events_of_merchants_features_are_in_the_catalogue():
    # Emitted later by merchants (inspections, risk levels) through portal.common.events.
    assert {events.INSPECTION_DUE, events.RISK_LEVEL_CHANGED} <= set(events.EVENT_TYPES)
