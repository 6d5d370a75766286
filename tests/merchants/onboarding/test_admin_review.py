"""The compliance review queue in Django admin."""

import re

import pytest
from django.urls import reverse

from merchants.models import ApplicationStatus, ApplicationTransition, Merchant
from tests.factories import MerchantFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:merchants_merchant_changelist")
S = ApplicationStatus


@pytest.fixture
def lead_client(client):
    client.force_login(StaffFactory(groups=["compliance lead"]))
    return client


@pytest.fixture
def reviewer_client(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    return client


def _act(client, action, *merchants, **extra):
    data = {"action": action, "_selected_action": [m.pk for m in merchants], **extra}
    return client.post(CHANGELIST, data, follow=True)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status__exact=submitted",
        "?waiting=gt3",
        "?waiting=lt1",
        "?business_province__exact=31",
        "?q=测试",
    ],
)
def test_queue_loads_with_each_filter_and_search(lead_client, query):
    MerchantFactory(status=S.SUBMITTED)
    assert lead_client.get(CHANGELIST + query).status_code == 200


def test_search_by_uscc_finds_the_merchant(lead_client):
    wanted = MerchantFactory(status=S.SUBMITTED)
    MerchantFactory(status=S.SUBMITTED)
    response = lead_client.get(CHANGELIST, {"q": wanted.uscc})
    assert list(response.context["cl"].result_list) == [wanted]


def test_waiting_filter_picks_old_applications(lead_client):
    from datetime import timedelta

    from django.utils import timezone

    old = MerchantFactory(status=S.SUBMITTED, submitted_at=timezone.now() - timedelta(days=5))
    MerchantFactory(status=S.SUBMITTED, submitted_at=timezone.now())
    response = lead_client.get(CHANGELIST, {"waiting": "gt3"})
    assert list(response.context["cl"].result_list) == [old]


def test_start_review_then_approve_assigns_a_mid(lead_client):
    merchant = MerchantFactory(status=S.SUBMITTED)
    _act(lead_client, "start_review", merchant)
    _act(lead_client, "approve", merchant)
    merchant.refresh_from_db()
    assert merchant.status == S.APPROVED
    assert re.fullmatch(r"\d{15}", merchant.mid)


def test_approving_a_merchant_not_under_review_is_refused_with_a_message(lead_client):
    merchant = MerchantFactory(status=S.SUBMITTED)
    response = _act(lead_client, "approve", merchant)
    assert "Cannot approve" in response.content.decode()
    assert Merchant.objects.get(pk=merchant.pk).status == S.SUBMITTED


def test_reject_first_asks_for_a_reason(lead_client):
    merchant = MerchantFactory(status=S.UNDER_REVIEW)
    response = _act(lead_client, "reject", merchant)
    assert 'name="reason"' in response.content.decode()
    assert Merchant.objects.get(pk=merchant.pk).status == S.UNDER_REVIEW


def test_reject_with_an_empty_reason_is_refused(lead_client):
    merchant = MerchantFactory(status=S.UNDER_REVIEW)
    response = _act(lead_client, "reject", merchant, apply="1", reason="   ")
    assert "A reason is required." in response.content.decode()
    assert Merchant.objects.get(pk=merchant.pk).status == S.UNDER_REVIEW


def test_reject_with_a_reason_records_it(lead_client):
    merchant = MerchantFactory(status=S.UNDER_REVIEW)
    _act(lead_client, "reject", merchant, apply="1", reason="Licence expired")
    step = ApplicationTransition.objects.get(merchant=merchant)
    assert (step.to_status, step.reason) == (S.REJECTED, "Licence expired")
    assert step.actor.groups.filter(name="compliance lead").exists()


def test_request_info_for_several_at_once(lead_client):
    merchants = MerchantFactory.create_batch(2, status=S.UNDER_REVIEW)
    _act(lead_client, "request_info", *merchants, apply="1", reason="Need a clearer scan")
    assert set(Merchant.objects.values_list("status", flat=True)) == {S.INFO_REQUESTED}


def test_reviewer_does_not_get_the_approve_action(reviewer_client):
    MerchantFactory(status=S.UNDER_REVIEW)
    actions = dict(reviewer_client.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert "start_review" in actions
    assert "approve" not in actions


def test_reviewer_posting_approve_anyway_changes_nothing(reviewer_client):
    merchant = MerchantFactory(status=S.UNDER_REVIEW)
    _act(reviewer_client, "approve", merchant)
    assert Merchant.objects.get(pk=merchant.pk).status == S.UNDER_REVIEW


def test_staff_without_a_group_cannot_open_the_queue(client):
    client.force_login(StaffFactory())
    assert client.get(CHANGELIST).status_code == 403


def test_change_page_shows_the_account_masked_and_never_in_full(lead_client):
    merchant = MerchantFactory(status=S.SUBMITTED, with_documents=True)
    page = lead_client.get(reverse("admin:merchants_merchant_change", args=[merchant.pk]))
    html = page.content.decode()
    assert "**** **** **** 0123" in html
    assert "6222021234567890123" not in html


def test_change_page_is_read_only_for_application_data(lead_client):
    merchant = MerchantFactory(status=S.SUBMITTED)
    url = reverse("admin:merchants_merchant_change", args=[merchant.pk])
    lead_client.post(url, {"legal_name": "Hacked"})
    assert Merchant.objects.get(pk=merchant.pk).legal_name != "Hacked"


def test_history_cannot_be_reverted_from_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    merchant = MerchantFactory(status=S.SUBMITTED)
    record = merchant.history.latest()
    url = reverse("admin:merchants_merchant_simple_history", args=[merchant.pk, record.history_id])
    assert client.post(url, {"legal_name": "Reverted"}).status_code == 403
    assert Merchant.objects.get(pk=merchant.pk).legal_name != "Reverted"
