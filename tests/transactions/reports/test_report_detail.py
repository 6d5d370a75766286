"""One report's page: its alerts, holds, amendments and reconciliation status; isolation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import line_for, reconcile
from tests.transactions.report_factories import make_report, signed_in_shop
from transactions.models import Hold, Outcome, ReportAmendment
from transactions.reports.status import report_reconciliation

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(client) -> dict[str, Any]:
    return signed_in_shop(client)


def _url(report: Any) -> str:
    return reverse("transactions:report_detail", args=[report.pk])


def test_detail_shows_the_report(client, shop):
    report = make_report(shop["terminal"], rrn="331234567890", masked_pan="622848******4321")
    html = client.get(_url(report)).content.decode()
    assert "331234567890" in html and "622848******4321" in html


def test_another_merchants_report_is_404(client, shop):
    foreign = make_report(reporting_terminal())
    assert client.get(_url(foreign)).status_code == 404


def test_detail_lists_its_alerts_with_links(client, shop):
    report = make_report(shop["terminal"])
    alert = AlertFactory(merchant=shop["merchant"])
    alert.reports.add(report)
    AlertFactory(merchant=shop["merchant"])  # about something else
    response = client.get(_url(report))
    assert list(response.context["alerts"]) == [alert]
    assert reverse("transactions:alert_detail", args=[alert.pk]) in response.content.decode()


def test_detail_without_alerts_says_so(client, shop):
    response = client.get(_url(make_report(shop["terminal"])))
    assert b"No alert concerns this report." in response.content


def test_detail_shows_its_hold(client, shop):
    report = make_report(shop["terminal"])
    Hold.objects.create(alert=AlertFactory(merchant=shop["merchant"]), report=report, reason="why")
    response = client.get(_url(report))
    assert b'data-testid="holds"' in response.content and b"why" in response.content


def test_detail_shows_its_amendments(client, shop):
    report = make_report(shop["terminal"])
    ReportAmendment.objects.create(report=report, changes={"amount": "12.85"}, reason="typed wrong")
    assert b"typed wrong" in client.get(_url(report)).content


# Reconciliation status


def _planted(terminal: Any, n: int) -> list[Any]:
    return [
        plant(
            terminal,
            at=shanghai(2, 10, i),
            rrn=f"3312{i:08d}",
            trace_no=f"{i:06d}",
            amount=f"{100 + i}.50",
        )
        for i in range(n)
    ]


def test_not_reconciled_yet(client, shop):
    report = make_report(shop["terminal"])
    response = client.get(_url(report))
    assert response.context["reconciliation"] is None
    assert b"Not reconciled yet" in response.content


def test_matched_report_shows_matched_with_file_and_line(client, shop):
    [report] = _planted(shop["terminal"], 1)
    reconcile([line_for(report)])
    response = client.get(_url(report))
    status = response.context["reconciliation"]
    assert status.outcome == Outcome.MATCHED and status.line_no is not None
    assert b"Matched" in response.content and b"settle.csv" in response.content


def test_amount_mismatch_shows_the_settled_amount(client, shop):
    [report] = _planted(shop["terminal"], 1)
    reconcile([line_for(report, amount=f"{report.amount + Decimal('3.00'):.2f}")])
    status = report_reconciliation(report=report)
    assert status.outcome == Outcome.AMOUNT_MISMATCH
    assert status.settled_amount == report.amount + Decimal("3.00")
    assert b"Amount mismatch" in client.get(_url(report)).content


def test_report_missing_from_the_file_is_not_settled(client, shop):
    kept, missing = _planted(shop["terminal"], 2)
    reconcile([line_for(kept)])
    assert report_reconciliation(report=missing).outcome == Outcome.REPORTED_NOT_SETTLED
    assert b"Reported but not settled" in client.get(_url(missing)).content


def test_a_later_file_that_settles_it_wins(client, shop):
    kept, missing = _planted(shop["terminal"], 2)
    reconcile([line_for(kept)])
    reconcile([line_for(missing, fee="0.40")])
    assert report_reconciliation(report=missing).outcome == Outcome.MATCHED


def test_status_filters_of_the_list_follow_reconciliation(client, shop):
    matched, mismatched, missing = _planted(shop["terminal"], 3)
    reconcile([line_for(matched), line_for(mismatched, amount=f"{mismatched.amount + 5:.2f}")])
    url = reverse("transactions:reports")

    def pks(status: str) -> list[int]:
        return [r.pk for r in client.get(url, {"status": status}).context["page"].reports]

    assert pks("amount_mismatch") == [mismatched.pk]
    assert pks("not_settled") == [missing.pk]


def test_the_not_settled_filter_drops_a_report_a_later_file_settled(client, shop):
    kept, missing = _planted(shop["terminal"], 2)
    reconcile([line_for(kept)])
    url = reverse("transactions:reports")
    assert [r.pk for r in client.get(url, {"status": "not_settled"}).context["page"].reports] == [
        missing.pk
    ]
    reconcile([line_for(missing, fee="0.40")])
    assert list(client.get(url, {"status": "not_settled"}).context["page"].reports) == []
