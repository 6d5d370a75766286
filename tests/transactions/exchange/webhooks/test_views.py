"""The owner's webhook pages: add (secret shown once), edit, rotate, test, log, send again; others
refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from merchants.models import Role
from portal.common import events
from tests.factories import MembershipFactory, MerchantFactory
from tests.transactions.exchange.webhooks.helpers import registered
from transactions.models import DeliveryStatus, EndpointStatus, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

LIST = reverse("transactions:webhooks")


@pytest.fixture
def owner(client):
    membership = MembershipFactory(merchant=MerchantFactory(approved=True), role=Role.OWNER)
    client.force_login(membership.user)
    return membership


def test_the_owner_adds_an_endpoint_and_sees_its_secret_once(client, owner, receiver):
    response = client.post(
        LIST, {"url": receiver.url, "description": "ERP", "events": ["alert.opened"]}
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.merchant == owner.merchant and endpoint.events == ["alert.opened"]
    assert endpoint.secret in response.content.decode()
    page = client.get(reverse("transactions:webhook_detail", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()


def test_a_bad_url_is_a_field_error_and_nothing_is_stored(client, owner):
    response = client.post(LIST, {"url": "https://user:pw@10.0.0.1/x", "events": ["alert.opened"]})
    assert response.status_code == 400
    assert "user name or password" in response.context["form"].errors["url"][0]
    response = client.post(LIST, {"url": "https://169.254.169.254/", "events": []})
    errors = response.context["form"].errors
    assert "public addresses only" in errors["url"][0] and errors["events"]
    assert not WebhookEndpoint.objects.exists()


def test_the_owner_edits_events_and_rotates_the_secret(client, owner, receiver):
    endpoint, secret = registered(receiver, merchant=owner.merchant, actor=owner.user)
    url = reverse("transactions:webhook_detail", args=[endpoint.pk])
    response = client.post(url, {"url": receiver.url, "events": ["complaint.received"]})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["complaint.received"]
    response = client.post(reverse("transactions:webhook_rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != secret and endpoint.secret in response.content.decode()
    assert endpoint.history.count() == 3  # registered, changed, rotated (secret never recorded)


def test_a_test_event_shows_in_the_log_and_can_be_sent_again(
    client, owner, receiver, django_capture_on_commit_callbacks
):
    endpoint, _secret = registered(receiver, merchant=owner.merchant, actor=owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("transactions:webhook_ping", args=[endpoint.pk]))
    delivery = endpoint.deliveries.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    page = client.get(reverse("transactions:webhook_detail", args=[endpoint.pk])).content.decode()
    assert delivery.event.public_id in page and "HTTP 200" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("transactions:webhook_redeliver", args=[endpoint.pk, delivery.pk]))
    assert receiver.event_ids() == [delivery.event.public_id] * 2


def test_a_disabled_endpoint_is_enabled_again(client, owner, receiver):
    endpoint, _secret = registered(receiver, merchant=owner.merchant, actor=owner.user)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        status=EndpointStatus.DISABLED, consecutive_failures=12
    )
    client.post(reverse("transactions:webhook_enable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0


def test_the_owner_disables_an_endpoint_and_keeps_its_log(client, owner, receiver):
    endpoint, _secret = registered(receiver, merchant=owner.merchant, actor=owner.user)
    events.event_record(
        event_type=events.ALERT_OPENED, merchant_id=owner.merchant.pk, data={"alert": 1}
    )
    waiting = WebhookDelivery.objects.get(endpoint=endpoint)

    page = client.post(reverse("transactions:webhook_disable", args=[endpoint.pk]), follow=True)

    endpoint.refresh_from_db()
    waiting.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == f"disabled by {owner.user}"
    assert waiting.status == DeliveryStatus.FAILED  # kept in the log, to be sent again by hand
    assert endpoint.history.first().history_change_reason == f"disabled by {owner.user}"
    assert "Endpoint disabled" in page.content.decode()
    events.event_record(
        event_type=events.ALERT_OPENED, merchant_id=owner.merchant.pk, data={"alert": 2}
    )
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1  # skipped now


def test_disabling_a_disabled_endpoint_says_so(client, owner, receiver):
    endpoint, _secret = registered(receiver, merchant=owner.merchant, actor=owner.user)
    client.post(reverse("transactions:webhook_disable", args=[endpoint.pk]))
    page = client.post(reverse("transactions:webhook_disable", args=[endpoint.pk]), follow=True)
    assert "already disabled" in page.content.decode()


def test_the_owner_deletes_an_endpoint(client, owner, receiver):
    endpoint, _secret = registered(receiver, merchant=owner.merchant, actor=owner.user)
    client.post(reverse("transactions:webhook_delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_members_who_are_not_owners_are_refused(client, receiver, role):
    endpoint, _secret = registered(receiver)
    member = MembershipFactory(merchant=endpoint.merchant, role=role)
    client.force_login(member.user)
    pk = endpoint.pk
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"url": receiver.url, "events": ["alert.opened"]}).status_code == 403
    names = (
        "webhook_detail",
        "webhook_rotate",
        "webhook_ping",
        "webhook_disable",
        "webhook_delete",
    )
    for name in names:
        assert client.post(reverse(f"transactions:{name}", args=[pk])).status_code == 403
    assert WebhookEndpoint.objects.filter(pk=pk).exists()
    assert "Webhooks" not in client.get(reverse("transactions:reports")).content.decode()


def test_another_merchant_endpoint_is_404(client, owner, receiver):
    theirs, _secret = registered(receiver)
    for name in ("webhook_detail", "webhook_rotate", "webhook_enable", "webhook_delete"):
        assert client.post(reverse(f"transactions:{name}", args=[theirs.pk])).status_code == 404
    assert receiver.url not in client.get(LIST).content.decode()


def test_get_is_not_allowed_on_actions(client, owner, receiver):
    endpoint, _secret = registered(receiver, merchant=owner.merchant, actor=owner.user)
    assert client.get(reverse("transactions:webhook_rotate", args=[endpoint.pk])).status_code == 405
