"""The merchant sees its own alerts and holds in the portal and answers alerts that ask for it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from merchants.models import Role
from tests.factories import PDF_BYTES, MembershipFactory, StaffFactory, pdf_upload
from tests.transactions.audit.helpers import alerts, audit, only_rule, plant, reporting_terminal
from transactions.alerts.findings import Finding
from transactions.alerts.services import alert_answer, alert_transition, alerts_from_findings
from transactions.models import Alert, AlertResponse, AlertStatus, AuditRule
from transactions.reports.holds import hold_place, hold_release

pytestmark = pytest.mark.django_db


def _detail(alert: Alert) -> str:
    return reverse("transactions:alert_detail", args=[alert.pk])


def _attachment(answer: AlertResponse) -> str:
    return reverse("transactions:alert_attachment", args=[answer.alert_id, answer.pk])


def _shop(role: str = Role.OWNER) -> dict[str, Any]:
    """A reporting merchant whose MCC-jumping report raised one high-severity alert."""
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    known = {a.pk for a in alerts("mcc_jump")}
    # Received now, so an incremental run after an earlier one still sees it.
    report = plant(terminal, mcc="5812", received=timezone.now())
    audit()
    [alert] = [a for a in alerts("mcc_jump") if a.pk not in known]
    membership = MembershipFactory(merchant=terminal.merchant, role=role)
    return {"alert": alert, "report": report, "terminal": terminal, "user": membership.user}


@pytest.fixture
def shop(client) -> dict[str, Any]:
    data = _shop()
    client.force_login(data["user"])
    return data


@pytest.fixture
def reviewer():
    return StaffFactory(groups=["compliance reviewer"])


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


def _raise(merchant_id: int, count: int) -> None:
    """Many alerts at once, straight from findings (the list does not need their reports)."""
    rule = AuditRule.objects.get(code="late_report")
    findings = [
        Finding(key=f"page-{merchant_id}-{n}", merchant_id=merchant_id, explanation=f"late {n}")
        for n in range(count)
    ]
    alerts_from_findings(rule=rule, findings=findings, run=None)


def _clear(alert: Alert, reviewer) -> None:
    alert_transition(alert=alert, name="take", actor=reviewer)
    alert_transition(alert=alert, name="clear", actor=reviewer, reason="Explained by the invoice")


# The list


def test_list_shows_only_own_alerts(client, shop):
    other = _shop()
    response = client.get(reverse("transactions:alerts"))
    listed = [alert.pk for alert in response.context["page"].object_list]
    assert listed == [shop["alert"].pk]
    assert reverse("transactions:alert_detail", args=[other["alert"].pk]) not in (
        response.content.decode()
    )


def test_list_shows_rule_severity_status_and_report_count(client, shop):
    html = client.get(reverse("transactions:alerts")).content.decode()
    alert = shop["alert"]
    assert alert.rule.name in html and "High" in html and "Open" in html
    assert alert.explanation in html


def test_list_filters_open_and_resolved(client, shop, reviewer):
    _raise(shop["terminal"].merchant_id, 1)
    _clear(shop["alert"], reviewer)
    url = reverse("transactions:alerts")
    resolved = client.get(url, {"state": "resolved"}).context["page"].object_list
    still_open = client.get(url, {"state": "open"}).context["page"].object_list
    assert [a.pk for a in resolved] == [shop["alert"].pk]
    assert shop["alert"].pk not in [a.pk for a in still_open] and len(still_open) == 1


def test_list_is_paginated_newest_first(client, shop):
    _raise(shop["terminal"].merchant_id, 30)
    first = client.get(reverse("transactions:alerts")).context["page"]
    second = client.get(reverse("transactions:alerts"), {"page": 2}).context["page"]
    assert first.paginator.count == 31 and len(first.object_list) == 25
    assert first.object_list[0].explanation == "late 29"
    assert list(second.object_list)[-1].pk == shop["alert"].pk


# Another merchant's ids


def test_another_merchants_alert_is_404_everywhere(client, shop):
    victim = _shop()
    answer = alert_answer(
        alert=victim["alert"], actor=victim["user"], text="Our invoice", attachment=pdf_upload()
    )
    assert client.get(_detail(victim["alert"])).status_code == 404
    assert client.post(_detail(victim["alert"]), {"text": "Not mine"}).status_code == 404
    assert client.get(_attachment(answer)).status_code == 404
    assert AlertResponse.objects.filter(alert=victim["alert"]).count() == 1


def test_attachment_of_own_alert_is_served_by_content_type(client, shop):
    answer = alert_answer(
        alert=shop["alert"], actor=shop["user"], text="Invoice", attachment=pdf_upload("inv.pdf")
    )
    response = client.get(_attachment(answer))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_attachment_is_served_to_compliance_staff(client, shop, reviewer):
    answer = alert_answer(
        alert=shop["alert"], actor=shop["user"], text="Invoice", attachment=pdf_upload()
    )
    client.force_login(reviewer)
    assert client.get(_attachment(answer)).status_code == 200


def test_answer_without_attachment_has_no_download(client, shop):
    answer = alert_answer(alert=shop["alert"], actor=shop["user"], text="No paper")
    assert client.get(_attachment(answer)).status_code == 404


# Viewers


def test_viewer_sees_the_alert_without_an_answer_form(client):
    data = _shop(role=Role.VIEWER)
    client.force_login(data["user"])
    response = client.get(_detail(data["alert"]))
    assert response.status_code == 200 and response.context["form"] is None
    assert "Only the owner or staff" in response.content.decode()


def test_viewer_cannot_post_an_answer(client):
    data = _shop(role=Role.VIEWER)
    client.force_login(data["user"])
    response = client.post(_detail(data["alert"]), {"text": "Let me answer"})
    assert response.status_code == 403
    data["alert"].refresh_from_db()
    assert data["alert"].status == AlertStatus.OPEN and not data["alert"].responses.exists()


# Answering


def test_empty_answer_is_a_form_error_and_stores_nothing(client, shop):
    response = client.post(_detail(shop["alert"]), {"text": "   "})
    assert response.status_code == 200 and "text" in response.context["form"].errors
    shop["alert"].refresh_from_db()
    assert shop["alert"].status == AlertStatus.OPEN and not shop["alert"].responses.exists()


def test_attachment_that_is_not_a_document_is_a_form_error(client, shop):
    fake = SimpleUploadedFile(
        "invoice.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(_detail(shop["alert"]), {"text": "See invoice", "attachment": fake})
    assert response.status_code == 200
    assert "PDF, JPEG or PNG" in str(response.context["form"].errors["attachment"])
    shop["alert"].refresh_from_db()
    assert shop["alert"].status == AlertStatus.OPEN and not shop["alert"].responses.exists()


def test_answering_records_a_step_and_notifies_the_assignee(
    client, shop, reviewer, django_capture_on_commit_callbacks
):
    alert = shop["alert"]
    alert_transition(alert=alert, name="take", actor=reviewer)
    alert_transition(alert=alert, name="ask_merchant", actor=reviewer, reason="Why MCC 5812?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _detail(alert), {"text": "A café corner", "attachment": pdf_upload("menu.pdf")}
        )
    assert response.status_code == 302 and response["Location"] == _detail(alert)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.MERCHANT_ANSWERED
    step = alert.transitions.last()
    assert (step.from_status, step.to_status, step.actor) == (
        AlertStatus.AWAITING_MERCHANT,
        AlertStatus.MERCHANT_ANSWERED,
        shop["user"],
    )
    [answer] = alert.responses.all()
    assert (answer.text, answer.attachment_name) == ("A café corner", "menu.pdf")
    assert [m.to for m in mail.outbox] == [[reviewer.email]]


def test_success_message_after_answering(client, shop):
    response = client.post(_detail(shop["alert"]), {"text": "Explained"}, follow=True)
    assert "Your answer was sent to compliance." in response.content.decode()
    assert "Explained" in response.content.decode()


def test_cleared_alert_cannot_be_answered(client, shop, reviewer):
    _clear(shop["alert"], reviewer)
    assert client.get(_detail(shop["alert"])).context["form"] is None
    response = client.post(_detail(shop["alert"]), {"text": "Late answer"}, follow=True)
    assert "cannot be answered now" in response.content.decode()
    shop["alert"].refresh_from_db()
    assert shop["alert"].status == AlertStatus.CLEARED and not shop["alert"].responses.exists()


def test_answered_alert_waits_for_review_before_another_answer(client, shop):
    client.post(_detail(shop["alert"]), {"text": "First"})
    response = client.get(_detail(shop["alert"]))
    assert response.context["form"] is None
    assert "Compliance is reviewing your answer." in response.content.decode()


# The trail


def test_trail_shows_the_question_but_not_reviewers_notes(client, shop, reviewer):
    alert = shop["alert"]
    alert_transition(alert=alert, name="take", actor=reviewer, reason="internal: check the owner")
    alert_transition(alert=alert, name="ask_merchant", actor=reviewer, reason="Why MCC 5812?")
    html = client.get(_detail(alert)).content.decode()
    assert "Why MCC 5812?" in html
    assert "internal: check the owner" not in html
    assert "Awaiting the merchant" in html


def test_question_is_shown_above_the_answer_form(client, shop, reviewer):
    alert = shop["alert"]
    alert_transition(alert=alert, name="take", actor=reviewer)
    alert_transition(alert=alert, name="ask_merchant", actor=reviewer, reason="Why MCC 5812?")
    response = client.get(_detail(alert))
    assert response.context["question"] == "Why MCC 5812?"
    assert response.context["form"] is not None


def test_detail_links_the_reports_involved(client, shop):
    html = client.get(_detail(shop["alert"])).content.decode()
    assert reverse("transactions:report_detail", args=[shop["report"].pk]) in html


# Holds


def test_held_report_is_marked_in_the_report_list_and_detail(client, shop, lead):
    hold_place(alert=shop["alert"], actor=lead, reason="Suspected cash-out")
    listing = client.get(reverse("transactions:reports")).content.decode()
    detail = client.get(reverse("transactions:report_detail", args=[shop["report"].pk]))
    assert 'data-testid="held"' in listing
    assert 'data-testid="held"' in detail.content.decode()
    assert "Suspected cash-out" in detail.content.decode()


def test_report_of_a_held_terminal_is_marked_held(client, shop, lead):
    other = plant(shop["terminal"])
    hold_place(alert=shop["alert"], actor=lead, reason="Terminal moved", terminal=True)
    detail = client.get(reverse("transactions:report_detail", args=[other.pk])).content.decode()
    assert 'data-testid="held"' in detail and "Its terminal is held" in detail


def test_report_without_hold_has_no_badge(client, shop):
    listing = client.get(reverse("transactions:reports")).content.decode()
    assert 'data-testid="held"' not in listing


def test_alerts_page_shows_active_holds_and_the_held_alert(client, shop, lead):
    hold_place(alert=shop["alert"], actor=lead, reason="Suspected cash-out")
    response = client.get(reverse("transactions:alerts"))
    assert [h.reason for h in response.context["holds"]] == ["Suspected cash-out"]
    assert response.context["page"].object_list[0].on_hold


def test_released_hold_stays_on_the_alert_with_its_reason(client, shop, lead):
    [hold] = hold_place(alert=shop["alert"], actor=lead, reason="Suspected cash-out")
    hold_release(hold=hold, actor=lead, reason="Invoice checked")
    assert not client.get(reverse("transactions:alerts")).context["holds"]
    html = client.get(_detail(shop["alert"])).content.decode()
    assert "Suspected cash-out" in html and "Invoice checked" in html
    listing = client.get(reverse("transactions:reports")).content.decode()
    assert 'data-testid="held"' not in listing


def test_another_merchants_holds_are_not_shown(client, shop, lead):
    victim = _shop()
    hold_place(alert=victim["alert"], actor=lead, reason="Their problem")
    assert not client.get(reverse("transactions:alerts")).context["holds"]


def test_navigation_links_to_alerts(client, shop):
    html = client.get(reverse("transactions:reports")).content.decode()
    assert f'href="{reverse("transactions:alerts")}"' in html
