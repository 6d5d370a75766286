"""Staff in admin: the acquirer's endpoint (secret shown once), rotation, redelivery; permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.common import events
from tests.factories import MerchantFactory, StaffFactory
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


def test_staff_disable_endpoints_and_enable_them_again(admin_client, receiver):
    endpoint, _secret = registered(receiver)
    changelist = reverse("admin:transactions_webhookendpoint_changelist")
    page = admin_client.post(
        changelist, {"action": "disable", "_selected_action": [endpoint.pk]}, follow=True
    )
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "Disabled: 1." in page.content.decode()
    admin_client.post(changelist, {"action": "enable", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_at is None


def test_staff_without_the_permissions_cannot_manage_endpoints(client, receiver):
    reviewer = StaffFactory(groups=["compliance reviewer"])
    client.force_login(reviewer)
    assert client.get(ADD).status_code == 403


def test_the_compliance_lead_keeps_endpoints_and_sends_deliveries_again(
    client, receiver, django_capture_on_commit_callbacks
):
    client.force_login(StaffFactory(groups=["compliance lead"]))
    assert client.get(ADD).status_code == 200
    client.post(ADD, {"url": receiver.url, "description": "Risk", "events": ["alert.opened"]})
    endpoint = WebhookEndpoint.objects.get()
    change = reverse("admin:transactions_webhookendpoint_change", args=[endpoint.pk])
    assert client.get(change).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        events.event_record(
            event_type=events.ALERT_OPENED, merchant_id=MerchantFactory(approved=True).pk, data={}
        )
    delivery = endpoint.deliveries.get()
    deliveries = reverse("admin:transactions_webhookdelivery_changelist")
    actions = client.get(deliveries).context["action_form"].fields["action"].choices
    assert "redeliver" in dict(actions)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(deliveries, {"action": "redeliver", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    page = client.get(reverse("admin:transactions_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200 and "200" in page.content.decode()  # the attempts are shown
    # The delivery log is read-only, so admin keeps an endpoint that has one; a new one can go.
    delete = reverse("admin:transactions_webhookendpoint_delete", args=[endpoint.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    spare, _secret = registered(receiver)
    delete = reverse("admin:transactions_webhookendpoint_delete", args=[spare.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert list(WebhookEndpoint.objects.all()) == [endpoint]
    gone = WebhookEndpoint.history.get(id=spare.pk, history_type="-")
    assert gone.history_change_reason.startswith("deleted by")


def test_a_reviewer_sees_the_webhooks_but_changes_nothing(client, receiver):
    endpoint, secret = registered(receiver)
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    changelist = reverse("admin:transactions_webhookendpoint_changelist")
    change = reverse("admin:transactions_webhookendpoint_change", args=[endpoint.pk])
    page = client.get(changelist)
    assert page.status_code == 200 and endpoint.url in page.content.decode()
    assert page.context["action_form"] is None or "rotate_secret" not in dict(
        page.context["action_form"].fields["action"].choices
    )
    assert client.get(change).status_code == 200
    response = client.post(change, {"url": "https://example.com/x", "events": ["alert.opened"]})
    assert response.status_code == 403
    rotate = client.post(changelist, {"action": "rotate_secret", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.secret == secret and secret not in rotate.content.decode()
    client.post(changelist, {"action": "disable", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.is_active
    delete = reverse("admin:transactions_webhookendpoint_delete", args=[endpoint.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    deliveries = reverse("admin:transactions_webhookdelivery_changelist")
    page = client.get(deliveries)
    assert page.status_code == 200
    assert page.context["action_form"] is None or "redeliver" not in dict(
        page.context["action_form"].fields["action"].choices
    )


def test_the_migrations_give_the_groups_their_webhook_permissions():
    lead = set(
        Group.objects.get(name="compliance lead").permissions.values_list("codename", flat=True)
    )
    reviewer = set(
        Group.objects.get(name="compliance reviewer").permissions.values_list("codename", flat=True)
    )
    assert {"change_webhookendpoint", "delete_webhookendpoint", "redeliver_webhook"} <= lead
    assert {"view_webhookendpoint", "view_webhookdelivery", "view_webhookattempt"} <= reviewer
    assert not {p for p in reviewer if "webhook" in p and not p.startswith("view_")}
