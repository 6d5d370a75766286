"""Leaving the hot table: only verified rows, and never a report something refers to."""

import pytest

from tests.factories import StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.archive.helpers import due_month, local, reports_in
from tests.transactions.complaint_factories import ComplaintFactory
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report
from transactions.archive.holds import legal_hold_place
from transactions.archive.selectors import archive_read
from transactions.archive.services import archive_month_run
from transactions.models import AlertReport, Hold, Report, ReportAmendment

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    return due_month()


@pytest.fixture
def terminal():
    return reporting_terminal()


def _referenced(month, terminal):
    """One report for each kind of reference, and one nothing refers to."""
    alerted, held, complained, amended, free = (
        make_report(terminal, occurred_at=local(month, day)) for day in (2, 3, 4, 5, 6)
    )
    alert = AlertFactory(merchant=terminal.merchant)
    AlertReport.objects.create(alert=alert, report=alerted)
    Hold.objects.create(alert=alert, report=held, reason="suspicious")
    ComplaintFactory(report=complained, merchant=terminal.merchant)
    ReportAmendment.objects.create(report=amended, changes={"rrn": "1"}, reason="typo")
    return [alerted, held, complained, amended], free


def test_reports_that_alerts_holds_complaints_or_amendments_name_stay_hot(month, terminal):
    kept, free = _referenced(month, terminal)

    archive_month, _problems = archive_month_run(month=month)

    assert set(Report.objects.values_list("pk", flat=True)) == {r.pk for r in kept}
    assert archive_month.kept_hot == 4 and archive_month.purged_rows == 1
    # All five are in the archive all the same.
    assert {row["id"] for row in archive_read(month=month)} == {r.pk for r in [*kept, free]}


def test_a_released_hold_still_keeps_its_report(month, terminal):
    report = make_report(terminal, occurred_at=local(month, 2))
    hold = Hold.objects.create(
        alert=AlertFactory(merchant=terminal.merchant), report=report, reason="x"
    )
    Hold.objects.filter(pk=hold.pk).update(release_reason="done")
    archive_month_run(month=month)
    assert Report.objects.filter(pk=report.pk).exists()


def test_a_merchant_under_legal_hold_keeps_its_reports_hot(month, terminal):
    other = reporting_terminal()
    mine = reports_in(month, 3, terminal)
    reports_in(month, 2, other)
    legal_hold_place(
        merchant=terminal.merchant,
        actor=StaffFactory(groups=["compliance lead"]),
        reason="court order",
    )

    archive_month, _problems = archive_month_run(month=month)

    assert set(Report.objects.values_list("pk", flat=True)) == {r.pk for r in mine}
    assert archive_month.kept_hot == 3 and archive_month.purged_rows == 2


def test_a_report_that_arrived_after_the_export_stays_hot(month, terminal):
    from transactions.archive.export import archive_month_export
    from transactions.archive.hot import archive_month_purge_hot
    from transactions.archive.verify import archive_month_verify

    reports_in(month, 2, terminal)
    archive_month = archive_month_export(month=month)
    late = make_report(terminal, occurred_at=local(month, 9))
    archive_month_verify(archive_month=archive_month)
    archive_month_purge_hot(archive_month=archive_month)

    assert list(Report.objects.values_list("pk", flat=True)) == [late.pk]
