"""Interception from admin: holds placed on an alert's reports or terminal, and released, with reasons."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory
from tests.transactions.alert_factories import AlertFactory, raised_alert
from transactions.models import AlertStatus, Hold
from transactions.reports.holds import hold_place

pytestmark = pytest.mark.django_db

ALERTS = reverse("admin:transactions_alert_changelist")
HOLDS = reverse("admin:transactions_hold_changelist")


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def reviewer_client(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    return client


def _act(client, url, action, *objects, **extra):
    data = {"action": action, "_selected_action": [o.pk for o in objects], **extra}
    return client.post(url, data, follow=True)


def _held(alert, lead):
    [hold] = hold_place(alert=alert, actor=lead, reason="Card testing")
    return hold


def test_a_lead_holds_the_reports_of_a_high_severity_alert(lead_client, lead):
    alert = raised_alert()
    _act(lead_client, ALERTS, "hold_reports", alert, apply="1", reason="Suspected 跳码")
    [hold] = Hold.objects.all()
    assert (hold.report, hold.terminal, hold.reason, hold.placed_by) == (
        alert.reports.get(),
        None,
        "Suspected 跳码",
        lead,
    )


def test_a_lead_holds_the_terminal_of_an_alert(lead_client):
    alert = raised_alert()
    _act(lead_client, ALERTS, "hold_terminal", alert, apply="1", reason="Moved to another city")
    [hold] = Hold.objects.all()
    assert (hold.terminal, hold.report) == (alert.terminal, None)


def test_a_hold_first_asks_for_the_reason(lead_client):
    alert = raised_alert()
    response = _act(lead_client, ALERTS, "hold_reports", alert)
    assert 'name="reason"' in response.content.decode()
    assert not Hold.objects.exists()


def test_a_hold_with_an_empty_reason_is_refused(lead_client):
    alert = raised_alert()
    response = _act(lead_client, ALERTS, "hold_reports", alert, apply="1", reason=" ")
    assert "A reason is required." in response.content.decode()
    assert not Hold.objects.exists()


def test_an_unconfirmed_medium_alert_cannot_put_reports_on_hold(lead_client):
    alert = AlertFactory(severity="medium", status=AlertStatus.IN_REVIEW)
    response = _act(lead_client, ALERTS, "hold_reports", alert, apply="1", reason="Just in case")
    assert "Only confirmed or high-severity alerts" in response.content.decode()
    assert not Hold.objects.exists()


def test_an_alert_without_a_terminal_cannot_hold_one(lead_client):
    alert = AlertFactory(severity="high")
    response = _act(lead_client, ALERTS, "hold_terminal", alert, apply="1", reason="Moved")
    assert "This alert is not about one terminal." in response.content.decode()
    assert not Hold.objects.exists()


def test_a_reviewer_posting_a_hold_anyway_holds_nothing(reviewer_client):
    alert = raised_alert()
    _act(reviewer_client, ALERTS, "hold_reports", alert, apply="1", reason="Suspected 跳码")
    assert not Hold.objects.exists()


def test_holds_show_on_the_alert_page(reviewer_client, lead):
    alert = raised_alert()
    _held(alert, lead)
    page = reviewer_client.get(reverse("admin:transactions_alert_change", args=[alert.pk]))
    assert "Card testing" in page.content.decode()


def test_a_lead_releases_a_hold_with_a_reason(lead_client, lead):
    hold = _held(raised_alert(), lead)
    _act(lead_client, HOLDS, "release", hold, apply="1", reason="Receipts checked")
    hold.refresh_from_db()
    assert (hold.is_active, hold.released_by, hold.release_reason) == (
        False,
        lead,
        "Receipts checked",
    )


def test_release_first_asks_for_the_reason(lead_client, lead):
    hold = _held(raised_alert(), lead)
    response = _act(lead_client, HOLDS, "release", hold)
    assert 'name="reason"' in response.content.decode()
    assert Hold.objects.get(pk=hold.pk).is_active


def test_release_with_an_empty_reason_is_refused(lead_client, lead):
    hold = _held(raised_alert(), lead)
    response = _act(lead_client, HOLDS, "release", hold, apply="1", reason="")
    assert "A reason is required." in response.content.decode()
    assert Hold.objects.get(pk=hold.pk).is_active


def test_releasing_twice_is_refused_with_a_message(lead_client, lead):
    hold = _held(raised_alert(), lead)
    _act(lead_client, HOLDS, "release", hold, apply="1", reason="Receipts checked")
    response = _act(lead_client, HOLDS, "release", hold, apply="1", reason="Again")
    assert "This hold was already released." in response.content.decode()
    assert Hold.objects.get(pk=hold.pk).release_reason == "Receipts checked"


def test_a_reviewer_sees_holds_but_cannot_release_them(reviewer_client, lead):
    hold = _held(raised_alert(), lead)
    page = reviewer_client.get(HOLDS)
    assert page.status_code == 200 and page.context["action_form"] is None
    _act(reviewer_client, HOLDS, "release", hold, apply="1", reason="Fine")
    assert Hold.objects.get(pk=hold.pk).is_active


@pytest.mark.parametrize(("state", "active"), [("active", True), ("released", False)])
def test_holds_filter_by_active_or_released(lead_client, lead, state, active):
    alert = raised_alert()
    released = hold_place(alert=alert, actor=lead, reason="Card testing", terminal=True)[0]
    _act(lead_client, HOLDS, "release", released, apply="1", reason="Receipts checked")
    current = _held(alert, lead)
    listed = list(lead_client.get(HOLDS, {"state": state}).context["cl"].result_list)
    assert listed == [current if active else released]


def test_holds_cannot_be_edited_in_admin(lead_client, lead):
    hold = _held(raised_alert(), lead)
    url = reverse("admin:transactions_hold_change", args=[hold.pk])
    lead_client.post(url, {"reason": "Rewritten", "released_at": "2026-01-01 00:00"})
    hold.refresh_from_db()
    assert (hold.reason, hold.is_active) == ("Card testing", True)
