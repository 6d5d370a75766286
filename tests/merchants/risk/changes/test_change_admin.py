"""Staff review in admin: read-only requests, one action per step, e-mail to the merchant."""

import pytest
from django.core import mail
from django.urls import reverse

from merchants.models import ChangeKind, ChangeStatus, Merchant
from tests.factories import StaffFactory
from tests.merchants.risk.changes.helpers import NEW_ACCOUNT, ask, owned_merchant

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:merchants_changerequest_changelist")


def _act(client, action, change, **extra):
    data = {"action": action, "_selected_action": [change.pk], **extra}
    return client.post(CHANGELIST, data, follow=True)


@pytest.fixture
def lead_client(client):
    client.force_login(StaffFactory(groups=["compliance lead"]))
    return client


def test_review_then_approve_in_admin_applies_and_mails(
    lead_client, django_capture_on_commit_callbacks
):
    merchant, owner = owned_merchant()
    change = ask(merchant, owner, ChangeKind.MCC)
    with django_capture_on_commit_callbacks(execute=True):
        _act(lead_client, "start_review", change)
        _act(lead_client, "approve", change)
    change.refresh_from_db()
    merchant.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and merchant.mcc == "5812"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert "approved" in message.subject and "已批准" in message.subject
    assert "5812" not in message.body


def test_reject_asks_for_a_reason_first_and_mails_it(
    lead_client, django_capture_on_commit_callbacks
):
    merchant, owner = owned_merchant()
    change = ask(merchant, owner)
    _act(lead_client, "start_review", change)
    response = _act(lead_client, "reject", change)
    assert "reason" in response.content.decode().lower()
    change.refresh_from_db()
    assert change.status == ChangeStatus.UNDER_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        _act(lead_client, "reject", change, apply="1", reason="licence does not match")
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
    assert Merchant.objects.get(pk=merchant.pk).legal_name == merchant.legal_name
    assert "licence does not match" in mail.outbox[0].body


def test_a_reviewer_has_no_approve_action(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    names = {name for name, _label in actions}
    assert "start_review" in names and "approve" not in names


def test_the_list_masks_the_account_and_the_page_is_read_only(lead_client):
    merchant, owner = owned_merchant()
    change = ask(merchant, owner, ChangeKind.SETTLEMENT_ACCOUNT, contact_phone="13912345678")
    listing = lead_client.get(CHANGELIST).content.decode()
    assert "**** **** **** 5555" in listing
    assert NEW_ACCOUNT not in listing and "13912345678" not in listing
    page = lead_client.get(reverse("admin:merchants_changerequest_change", args=[change.pk]))
    html = page.content.decode()
    assert NEW_ACCOUNT not in html
    assert 'name="_save"' not in html
    assert page.context["has_add_permission"] is False


def test_staff_without_the_right_cannot_see_change_requests(client):
    client.force_login(StaffFactory())
    assert client.get(CHANGELIST).status_code == 403


def test_the_merchant_admin_keeps_key_information_read_only(lead_client):
    merchant, _owner = owned_merchant()
    url = reverse("admin:merchants_merchant_change", args=[merchant.pk])
    html = lead_client.get(url).content.decode()
    for name in ("legal_name", "uscc", "mcc", "bank_name", "registered_address"):
        assert f'name="{name}"' not in html
    lead_client.post(url, {"legal_name": "改名", "mcc": "5812"})
    merchant.refresh_from_db()
    assert merchant.legal_name != "改名" and merchant.mcc == "5411"


def test_the_merchant_admin_lists_its_change_requests(lead_client):
    merchant, owner = owned_merchant()
    change = ask(merchant, owner, ChangeKind.MCC)
    html = lead_client.get(reverse("admin:merchants_merchant_change", args=[merchant.pk]))
    assert (
        reverse("admin:merchants_changerequest_change", args=[change.pk]) in html.content.decode()
    )
