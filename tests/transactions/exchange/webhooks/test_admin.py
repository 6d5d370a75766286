"""Staff in admin: the acquirer's endpoint (secret shown once), rotation, redelivery; permissions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.common import events
from tests.factories import StaffFactory
from tests.transactions.exchange.webhooks.helpers import registered
from transactions.models import DeliveryStatus, WebhookEndpoint

pytestmark = pytest.mark.django_db

ADD = reverse("admin:transactions_webhookendpoint_add")


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_staff_register_the_acquirer_endpoint_and_see_the_secret_once(admin_client, receiver):
    response = admin_client.post(
        ADD,
        {"url": receiver.url, "description": "Acquirer risk system", "events": ["alert.opened"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.merchant is None and endpoint.created_by is not None
    assert response.status_code == 200 and endpoint.secret in response.content.decode()
    change = admin_client.get(
        reverse("admin:transactions_webhookendpoint_change", args=[endpoint.pk])
    )
    assert endpoint.secret not in change.content.decode()


def test_a_private_address_is_a_field_error_in_admin(admin_client):
    response = admin_client.post(ADD, {"url": "https://10.0.0.8/hook", "events": ["alert.opened"]})
    assert response.status_code == 200
    assert "public addresses only" in str(response.context["adminform"].form.errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_staff_rotate_a_secret_and_send_a_delivery_again(
    admin_client, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = registered(receiver)
    changelist = reverse("admin:transactions_webhookendpoint_changelist")
    response = admin_client.post(
        changelist, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != secret and endpoint.secret in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        events.event_record(
            event_type=events.ALERT_OPENED, merchant_id=endpoint.merchant_id, data={}
        )
    delivery = endpoint.deliveries.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:transactions_webhookdelivery_changelist"),
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.SUCCEEDED
    assert len(set(receiver.event_ids())) == 1
    page = admin_client.get(
        reverse("admin:transactions_webhookdelivery_change", args=[delivery.pk])
    )
    assert page.status_code == 200 and delivery.event.public_id in page.content.decode()


def test_staff_without_the_permissions_cannot_manage_endpoints(client, receiver):
    reviewer = StaffFactory(groups=["compliance reviewer"])
    client.force_login(reviewer)
    assert client.get(ADD).status_code == 403
