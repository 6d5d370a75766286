"""One report settled in several lines whose amounts sum to it: a match, not mismatches."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import line_for, reconcile
from transactions.models import ReconciliationTotal, SettlementLineOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    return plant(reporting_terminal(), at=shanghai(2, 10), rrn="331200000001", amount="100.50")


def test_two_lines_that_sum_to_the_report_are_matched(report):
    run = reconcile([line_for(report, amount="60.00"), line_for(report, amount="40.50")])
    assert (run.matched, run.amount_mismatch, run.settled_not_reported) == (2, 0, 0)
    assert run.reported_not_settled == 0 and run.alerts_created == 0
    assert set(SettlementLineOutcome.objects.values_list("report_id", flat=True)) == {report.pk}


def test_the_parts_of_a_split_count_the_report_once_in_the_totals(report):
    run = reconcile([line_for(report, amount="60.00"), line_for(report, amount="40.50")])
    total = ReconciliationTotal.objects.get(run=run, outcome="matched")
    assert (total.count, total.settled_amount, total.reported_amount) == (
        2,
        Decimal("100.50"),
        Decimal("100.50"),
    )


def test_parts_within_the_tolerance_of_the_report_are_matched(report):
    run = reconcile([line_for(report, amount="60.00"), line_for(report, amount="40.47")])
    assert (run.matched, run.amount_mismatch) == (2, 0)


def test_parts_that_do_not_sum_pair_the_closest_as_a_mismatch_and_leave_the_other(report):
    run = reconcile([line_for(report, amount="60.00"), line_for(report, amount="30.00")])
    assert (run.matched, run.amount_mismatch, run.settled_not_reported) == (0, 1, 1)
    assert SettlementLineOutcome.objects.get(outcome="amount_mismatch").line.amount == Decimal(
        "60.00"
    )


def test_a_line_repeated_with_its_amount_is_still_a_duplicate_not_a_split(report):
    run = reconcile([line_for(report, amount="60.00"), line_for(report, amount="60.00")])
    assert (run.duplicate_in_file, run.amount_mismatch, run.matched) == (1, 1, 0)
