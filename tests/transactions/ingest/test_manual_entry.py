"""Manual entry: the same rules as the API, in a form."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.models import Role
from tests.factories import MembershipFactory, TerminalFactory
from tests.transactions.helpers import reporting_terminal
from transactions.models import Report

pytestmark = pytest.mark.django_db

URL = reverse("transactions:report_new")


@pytest.fixture
def terminal():
    return reporting_terminal()


@pytest.fixture
def staff_client(client, terminal):
    client.force_login(MembershipFactory(merchant=terminal.merchant, role=Role.STAFF).user)
    return client


def _form(terminal, **overrides):
    data = {
        "report_id": str(uuid.uuid4()),
        "terminal": terminal.pk,
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
        "amount": "88.00",
        "type": "sale",
        "method": "debit_card",
        "card_first6": "622848",
        "card_last4": "1234",
        "rrn": "401234567890",
        "trace_no": "000777",
        "cvm": "signature",
    }
    data.update(overrides)
    return data


def test_manual_report_is_stored_with_the_merchants_ids(staff_client, terminal):
    response = staff_client.post(URL, _form(terminal))
    report = Report.objects.get()
    assert response["Location"] == reverse("transactions:report_detail", args=[report.pk])
    assert (report.source, report.tid, report.acquirer_mid, report.mcc) == (
        "manual",
        terminal.tid,
        terminal.merchant.mid,
        terminal.merchant.mcc,
    )
    assert report.masked_pan == "622848******1234"


def test_time_is_read_as_beijing_time(staff_client, terminal):
    staff_client.post(URL, _form(terminal, occurred_at="2026-11-25T10:00:00"))
    stored = Report.objects.get().occurred_at
    assert timezone.localtime(stored).strftime("%H:%M %z") == "10:00 +0800"


def test_sending_the_form_twice_stores_once(staff_client, terminal):
    data = _form(terminal)
    staff_client.post(URL, data)
    staff_client.post(URL, data)
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "0"),
        ("amount", "1.234"),
        ("rrn", "123"),
        ("card_last4", "12"),
        ("trace_no", "abcdef"),
    ],
)
def test_bad_values_are_form_errors(staff_client, terminal, field, value):
    response = staff_client.post(URL, _form(terminal, **{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Report.objects.exists()


def test_card_payment_without_card_digits_is_refused(staff_client, terminal):
    response = staff_client.post(URL, _form(terminal, card_first6="", card_last4=""))
    assert "card_last4" in response.context["form"].errors


def test_future_time_is_refused(staff_client, terminal):
    later = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
    response = staff_client.post(URL, _form(terminal, occurred_at=later))
    assert "occurred_at" in response.context["form"].errors


def test_another_merchants_terminal_cannot_be_chosen(staff_client, terminal):
    other = TerminalFactory(active=True)
    response = staff_client.post(URL, {**_form(terminal), "terminal": other.pk})
    assert "terminal" in response.context["form"].errors
    assert not Report.objects.exists()


def test_viewer_cannot_enter_reports(client, terminal):
    client.force_login(MembershipFactory(merchant=terminal.merchant, role=Role.VIEWER).user)
    assert client.post(URL, _form(terminal)).status_code == 403


def test_report_pages_show_only_own_reports(staff_client, terminal):
    staff_client.post(URL, _form(terminal))
    mine = Report.objects.get()
    assert staff_client.get(reverse("transactions:reports")).status_code == 200
    assert (
        staff_client.get(reverse("transactions:report_detail", args=[mine.pk])).status_code == 200
    )
    staff_client.force_login(MembershipFactory().user)
    assert mine.rrn not in staff_client.get(reverse("transactions:reports")).content.decode()
    assert (
        staff_client.get(reverse("transactions:report_detail", args=[mine.pk])).status_code == 404
    )
