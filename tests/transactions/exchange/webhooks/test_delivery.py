"""Sending: the signed request, retries with backoff, the log, redelivery, disabling, SSRF again."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from merchants.models import Role
from portal.common import events
from tests.factories import MembershipFactory
from tests.transactions.exchange.webhooks.helpers import documented_verify, registered
from transactions.exchange.webhooks.delivery import (
    backoff,
    deliveries_due,
    delivery_attempt,
    delivery_claim,
)
from transactions.exchange.webhooks.services import delivery_redeliver, endpoint_enable
from transactions.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookAttempt,
    WebhookDelivery,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def emit(django_capture_on_commit_callbacks):
    """Record an ``alert.opened`` of the endpoint's merchant; its delivery runs on commit."""

    def emit(endpoint, **data):
        with django_capture_on_commit_callbacks(execute=True):
            events.event_record(
                event_type=events.ALERT_OPENED,
                merchant_id=endpoint.merchant_id,
                data={"alert_id": 1, **data},
            )
        return WebhookDelivery.objects.filter(endpoint=endpoint).latest("pk")

    return emit


def _due_now(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_the_request_is_signed_as_documented(receiver, emit):
    endpoint, secret = registered(receiver)
    delivery = emit(endpoint)
    (request,) = receiver.requests
    body = request.json
    assert body == {
        "id": delivery.event.public_id,
        "type": "alert.opened",
        "time": delivery.event.occurred_at.isoformat(),
        "data": {"alert_id": 1},
    }
    assert request.headers["X-Portal-Event-Id"] == body["id"]
    assert request.headers["X-Portal-Event"] == "alert.opened"
    verify = documented_verify()
    stamp, signature = request.headers["X-Portal-Timestamp"], request.headers["X-Portal-Signature"]
    assert verify(secret, request.body, stamp, signature)
    assert not verify(secret, request.body.replace(b"1", b"2"), stamp, signature)
    assert not verify("whsec_other", request.body, stamp, signature)
    assert not verify(secret, request.body, str(int(stamp) - 301), signature)


def test_a_delivered_event_is_logged_with_status_and_time(receiver, emit):
    endpoint, _secret = registered(receiver)
    delivery = emit(endpoint)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.succeeded) == (1, 200, True)
    assert attempt.response_ms is not None and attempt.error == ""


def test_backoff_doubles_from_30_seconds_up_to_2_hours():
    assert [backoff(n).total_seconds() for n in range(1, 11)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3840,
        7200,
        7200,
    ]


def test_a_5xx_is_retried_after_the_backoff_then_delivered(receiver, emit):
    receiver.answers = [503]
    endpoint, _secret = registered(receiver)
    before = timezone.now()
    delivery = emit(endpoint)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code == 503
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=30) <= wait < timedelta(seconds=35)
    assert deliveries_due() == []  # not yet

    _due_now(delivery)
    assert deliveries_due() == [delivery.pk]
    assert delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.SUCCEEDED
    assert len(set(receiver.event_ids())) == 1 and len(receiver.requests) == 2
    log = list(delivery.attempt_log.order_by("number").values_list("status_code", "succeeded"))
    assert log == [(503, False), (200, True)]


def test_a_slow_receiver_times_out_and_is_retried(receiver, emit, settings):
    receiver.delay = settings.WEBHOOK_TIMEOUT_SECONDS + 1
    endpoint, _secret = registered(receiver)
    started = time.monotonic()
    delivery = emit(endpoint)
    assert time.monotonic() - started < settings.WEBHOOK_TIMEOUT_SECONDS + 1
    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert attempt.status_code is None and attempt.error.startswith("Timed out")


def test_a_refused_connection_is_retried(receiver, emit):
    endpoint, _secret = registered(receiver)
    receiver.stop()
    delivery = emit(endpoint)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert "Connection" in delivery.attempt_log.get().error


@pytest.mark.parametrize("status", [301, 400, 404, 410])
def test_other_answers_fail_at_once(receiver, emit, status):
    receiver.answers = [status]
    endpoint, _secret = registered(receiver)
    delivery = emit(endpoint)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert delivery.last_error == f"HTTP {status}"


def test_retries_stop_after_24_hours(receiver, emit):
    receiver.answers = [500, 500]
    endpoint, _secret = registered(receiver)
    delivery = emit(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        retry_until=timezone.now() + timedelta(seconds=45), next_attempt_at=timezone.now()
    )
    delivery_attempt(delivery_id=delivery.pk)  # attempt 2 would wait 60 s: past the window
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2


def test_redelivery_sends_the_same_event_id_again(
    receiver, emit, django_capture_on_commit_callbacks
):
    endpoint, _secret = registered(receiver)
    delivery = emit(endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_redeliver(delivery=delivery, actor=endpoint.created_by)
    first, second = receiver.requests
    assert first.json == second.json
    assert first.headers["X-Portal-Event-Id"] == second.headers["X-Portal-Event-Id"]
    manual = delivery.attempt_log.get(number=2)
    assert manual.manual and manual.succeeded


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_owner_told(
    receiver, emit, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.answers = [500] * 10
    endpoint, _secret = registered(receiver)
    owner_email = endpoint.created_by.email
    first = emit(endpoint)
    emit(endpoint)
    emit(endpoint)
    endpoint.refresh_from_db()
    # Three failures in a row, but within minutes: an outage the retries carry it over.
    assert endpoint.status == EndpointStatus.ACTIVE and endpoint.consecutive_failures == 3
    type(endpoint).objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(hours=24, minutes=1)
    )
    _due_now(first)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_attempt(delivery_id=first.pk)
    endpoint.refresh_from_db()
    assert endpoint.status == EndpointStatus.DISABLED and "4 failed attempts" in (
        endpoint.disabled_reason
    )
    assert set(endpoint.deliveries.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    (message,) = mail.outbox
    assert message.to == [owner_email] and endpoint.url in message.subject
    # A disabled endpoint gets no new events; enabled again, it does.
    emit_count = WebhookDelivery.objects.count()
    events.event_record(event_type=events.ALERT_OPENED, merchant_id=endpoint.merchant_id, data={})
    assert WebhookDelivery.objects.count() == emit_count
    endpoint_enable(endpoint=endpoint, actor=endpoint.created_by)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.is_active


def test_a_success_resets_the_failure_count(receiver, emit):
    receiver.answers = [500]
    endpoint, _secret = registered(receiver)
    emit(endpoint)
    emit(endpoint)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None


def test_a_delivery_a_lost_worker_held_is_sent_again_once_its_lease_ends(receiver, settings):
    endpoint, _secret = registered(receiver)
    events.event_record(event_type=events.ALERT_OPENED, merchant_id=endpoint.merchant_id, data={})
    delivery = WebhookDelivery.objects.get()  # not sent: nothing committed
    claimed = delivery_claim(delivery_id=delivery.pk)  # a worker took it ... and died
    assert claimed is not None
    assert delivery_claim(delivery_id=delivery.pk) is None  # nobody else sends it meanwhile
    assert deliveries_due() == []
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )
    assert deliveries_due() == [delivery.pk]
    assert delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.SUCCEEDED
    lost, sent = delivery.attempt_log.order_by("number")
    assert lost.succeeded is False and "lost" in lost.error
    assert sent.succeeded and sent.number == 2


def test_the_address_is_checked_again_before_each_attempt(receiver, emit, settings):
    endpoint, _secret = registered(receiver)
    settings.WEBHOOK_ALLOWED_TEST_HOSTS = []  # as if the name now resolved to a loopback address
    delivery = emit(endpoint)
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.FAILED
    assert "https://" in delivery.last_error  # http is refused first, before any address


def test_a_private_address_at_delivery_time_is_not_called(receiver, emit, settings):
    endpoint, _secret = registered(receiver)
    type(endpoint).objects.filter(pk=endpoint.pk).update(url="https://127.0.0.1:1/hooks")
    settings.WEBHOOK_ALLOWED_TEST_HOSTS = []
    delivery = emit(endpoint)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "public addresses only" in delivery.last_error
    assert WebhookAttempt.objects.get().status_code is None
    assert json.loads(json.dumps(delivery.event.data)) == {"alert_id": 1}


def test_the_disabled_e_mail_is_in_each_owners_language(receiver, settings, mailoutbox):
    from merchants.accounts.mail import preferences_set
    from transactions.exchange.webhooks.notifications import endpoint_disabled

    endpoint, _secret = registered(receiver)
    reader_of_chinese = endpoint.created_by
    preferences_set(user=reader_of_chinese, language="zh-hans")
    reader_of_english = MembershipFactory(merchant=endpoint.merchant, role=Role.OWNER).user
    preferences_set(user=reader_of_english, language="en")
    endpoint.consecutive_failures, endpoint.failing_since = 10, timezone.now()
    endpoint_disabled(endpoint)
    by_address = {tuple(message.to): message for message in mailoutbox}
    chinese = by_address[(reader_of_chinese.email,)]
    assert chinese.subject.startswith("Webhook 端点已停用") and "连续 10 次尝试失败" in chinese.body
    english = by_address[(reader_of_english.email,)]
    assert english.subject.startswith("Webhook endpoint disabled")


def test_an_endpoint_deleted_while_its_request_is_out_records_nothing(receiver):
    from transactions.exchange.webhooks.delivery import Answer, delivery_finish

    endpoint, _secret = registered(receiver)
    events.event_record(event_type=events.ALERT_OPENED, merchant_id=endpoint.merchant_id, data={})
    delivery, attempt = delivery_claim(delivery_id=WebhookDelivery.objects.get().pk)
    endpoint.delete()
    delivery_finish(delivery=delivery, attempt=attempt, answer=Answer(200, 5, "", False))
    assert not WebhookDelivery.objects.exists() and not WebhookAttempt.objects.exists()


def test_a_delivery_being_sent_cannot_be_sent_again_meanwhile(receiver):
    from django.core.exceptions import ValidationError

    endpoint, _secret = registered(receiver)
    events.event_record(event_type=events.ALERT_OPENED, merchant_id=endpoint.merchant_id, data={})
    delivery, _attempt = delivery_claim(delivery_id=WebhookDelivery.objects.get().pk)
    with pytest.raises(ValidationError, match="being sent right now"):
        delivery_redeliver(delivery=delivery, actor=endpoint.created_by)
