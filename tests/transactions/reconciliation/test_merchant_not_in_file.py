"""A merchant with reports on a day of the acquirer's settlement file and no line in it is not
settled: its reports are reported but not settled, its day is flagged, an alert is raised, and the
portal and admin show it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from merchants.models import Role
from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import AcquirerFactory, line_for, process, upload
from transactions.models import Alert, Outcome, ReconciliationItem, ReconciliationTotal
from transactions.reconciliation.services import reconciliation_run, settlement_file_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled():
    """Merchant A: one sale on day 2, in the file."""
    terminal = reporting_terminal()
    return plant(terminal, at=shanghai(2, 10), rrn="331200000001", amount="100.00")


@pytest.fixture
def absent():
    """Merchant B: two sales and a refund on day 2, none in the file."""
    terminal = reporting_terminal()
    sale = plant(terminal, at=shanghai(2, 9), rrn="441200000001", amount="30.00")
    reports = [
        sale,
        plant(terminal, at=shanghai(2, 11), rrn="441200000002", amount="12.50"),
        plant(
            terminal,
            at=shanghai(2, 12),
            rrn="441200000003",
            amount="5.00",
            type="refund",
            original_report_id=str(sale.report_id),
        ),
    ]
    return terminal.merchant, reports


def _flags(run) -> list[tuple[int, object, Decimal | None]]:
    items = ReconciliationItem.objects.filter(run=run, kind=Outcome.MERCHANT_NOT_IN_FILE)
    return sorted(items.values_list("merchant_id", "day", "reported_amount"))


def test_a_merchant_with_reports_and_no_line_is_flagged_not_settled(settled, absent):
    merchant, reports = absent
    run = process(upload([line_for(settled)]))
    assert _flags(run) == [(merchant.pk, shanghai(2, 0).date(), Decimal("47.50"))]
    unsettled = ReconciliationItem.objects.filter(run=run, kind=Outcome.REPORTED_NOT_SETTLED)
    assert sorted(unsettled.values_list("report_id", flat=True)) == sorted(r.pk for r in reports)
    assert (run.matched, run.reported_not_settled, run.merchant_not_in_file) == (1, 3, 1)
    total = ReconciliationTotal.objects.get(run=run, outcome=Outcome.MERCHANT_NOT_IN_FILE)
    assert (total.merchant_id, total.count, total.reported_amount) == (merchant.pk, 1, None)


def test_the_merchant_in_the_file_is_not_flagged_even_with_a_report_missing(settled):
    plant(settled.terminal, at=shanghai(2, 15), rrn="331200000009", amount="7.00")
    run = process(upload([line_for(settled)]))
    assert _flags(run) == []
    assert run.reported_not_settled == 1


def test_reports_on_other_days_do_not_count(settled):
    plant(reporting_terminal(), at=shanghai(3, 10), rrn="551200000001")
    run = process(upload([line_for(settled)]))
    assert _flags(run) == [] and run.reported_not_settled == 0


def test_a_merchant_an_earlier_acquirer_file_settled_is_not_flagged(settled, absent):
    _merchant, reports = absent
    acquirer = AcquirerFactory()
    process(upload([line_for(r) for r in reports], acquirer=acquirer, name="b.csv"))
    run = process(upload([line_for(settled)], acquirer=acquirer))
    assert _flags(run) == [] and run.reported_not_settled == 0


def test_a_merchants_own_upload_answers_for_that_merchant_only(settled, absent):
    run = process(upload([line_for(settled)], merchant=settled.merchant))
    assert _flags(run) == [] and run.reported_not_settled == 0


def test_a_file_of_no_valid_line_flags_nobody(absent):
    settlement = upload([], content=b"\xef\xbb\xbfnot,the,header\n1,2,3\n")
    assert settlement_file_process(file_id=settlement.pk, trigger="test") is None
    assert not ReconciliationItem.objects.filter(kind=Outcome.MERCHANT_NOT_IN_FILE).exists()


def test_one_alert_per_merchant_day_and_none_twice(settled, absent):
    merchant, _reports = absent
    settlement = upload([line_for(settled)])
    first = process(settlement)
    again = reconciliation_run(file_id=settlement.pk, trigger="again")
    alerts = Alert.objects.filter(rule__code="recon_merchant_not_in_file")
    assert [(a.merchant_id, a.severity) for a in alerts] == [(merchant.pk, "high")]
    assert first.alerts_created == 1 and again.alerts_created == 0
    assert again.merchant_not_in_file == 1
    assert "47.50" in alerts.get().explanation


def test_the_absent_merchant_sees_the_run_flagged_in_the_portal(client, settled, absent):
    merchant, _reports = absent
    run = process(upload([line_for(settled)]))
    client.force_login(MembershipFactory(merchant=merchant, role=Role.VIEWER).user)
    listed = client.get(reverse("transactions:recon_list"))
    assert run in listed.context["runs"]
    page = client.get(reverse("transactions:recon_run", args=[run.pk]))
    assert page.status_code == 200
    assert page.context["not_in_file"] == 1
    assert b'data-testid="not-in-file"' in page.content
    kinds = {item.kind for item in page.context["items"]}
    assert kinds == {Outcome.REPORTED_NOT_SETTLED, Outcome.MERCHANT_NOT_IN_FILE}


def test_the_merchant_in_the_file_sees_nothing_of_the_absent_one(client, settled, absent):
    run = process(upload([line_for(settled)]))
    client.force_login(MembershipFactory(merchant=settled.merchant, role=Role.OWNER).user)
    page = client.get(reverse("transactions:recon_run", args=[run.pk]))
    assert page.context["not_in_file"] == 0
    assert b'data-testid="not-in-file"' not in page.content
    assert list(page.context["items"]) == []


def test_the_absent_merchants_reports_are_listed_as_not_settled(client, settled, absent):
    merchant, reports = absent
    process(upload([line_for(settled)]))
    client.force_login(MembershipFactory(merchant=merchant, role=Role.VIEWER).user)
    page = client.get(reverse("transactions:reports"), {"status": "not_settled"})
    assert sorted(r.pk for r in page.context["page"].reports) == sorted(r.pk for r in reports)


def test_admin_shows_the_count_and_filters_the_flagged_days(client, settled, absent):
    run = process(upload([line_for(settled)]))
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    runs = client.get(reverse("admin:transactions_reconciliationrun_changelist"))
    assert "merchant_not_in_file" in runs.context["cl"].list_display
    items = client.get(
        reverse("admin:transactions_reconciliationitem_changelist"),
        {"kind__exact": Outcome.MERCHANT_NOT_IN_FILE, "run__id__exact": run.pk},
    )
    assert items.status_code == 200
    assert [i.merchant_id for i in items.context["cl"].result_list] == [absent[0].pk]
