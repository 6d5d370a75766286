"""A report is settled by one line at most (or by the parts of one split); the rest is flagged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.common.beijing import SHANGHAI
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import line_for, reconcile
from transactions.models import SettlementLineOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    return plant(reporting_terminal(), at=shanghai(2, 10), rrn="331200000001", amount="100.50")


def counts(run) -> tuple[int, int, int, int, int]:
    return (
        run.matched,
        run.amount_mismatch,
        run.settled_not_reported,
        run.reported_not_settled,
        run.duplicate_in_file,
    )


def outcomes() -> dict[int, tuple[str, int | None]]:
    rows = SettlementLineOutcome.objects.values_list("line__line_no", "outcome", "report_id")
    return {line_no: (outcome, report_id) for line_no, outcome, report_id in rows}


def part(report, amount: str, second: int) -> dict[str, str]:
    """One part of a split settlement: the report's keys, its own amount and time."""
    moment = (report.occurred_at + timedelta(seconds=second)).astimezone(SHANGHAI)
    return line_for(report, amount=amount, occurred_at=moment.strftime("%Y-%m-%d %H:%M:%S"))


def test_an_exact_line_takes_the_report_and_parts_beside_it_are_settled_not_reported(report):
    run = reconcile(
        [line_for(report), line_for(report, amount="60.00"), line_for(report, amount="40.50")]
    )
    assert counts(run) == (1, 0, 2, 0, 0)
    assert outcomes() == {
        2: ("matched", report.pk),
        3: ("settled_not_reported", None),
        4: ("settled_not_reported", None),
    }


def test_two_lines_within_the_tolerance_settle_the_report_once_the_equal_amount_first(report):
    run = reconcile([line_for(report, amount="100.52"), line_for(report, amount="100.50")])
    assert counts(run) == (1, 0, 1, 0, 0)
    assert outcomes() == {2: ("settled_not_reported", None), 3: ("matched", report.pk)}


def test_equal_parts_of_a_split_are_not_duplicates(report):
    rows = [part(report, "25.00", s) for s in (0, 1, 2)] + [part(report, "25.50", 3)]
    run = reconcile(rows)
    assert counts(run) == (4, 0, 0, 0, 0)
    assert set(SettlementLineOutcome.objects.values_list("report_id", flat=True)) == {report.pk}
    assert sum(SettlementLineOutcome.objects.values_list("reported_amount", flat=True)) == Decimal(
        "100.50"
    )


def test_a_line_identical_in_every_field_is_a_duplicate_beside_split_parts(report):
    first, second = part(report, "60.00", 0), part(report, "40.50", 1)
    run = reconcile([first, second, dict(second)])
    assert counts(run) == (2, 0, 0, 0, 1)
    assert outcomes()[4] == ("duplicate_in_file", None)


def test_the_parts_of_a_split_are_found_among_other_lines_with_the_key(report):
    rows = [
        part(report, "60.00", 0),
        part(report, "7.00", 1),  # settled with the report's keys but not part of it
        part(report, "30.00", 2),
        part(report, "10.50", 3),
    ]
    run = reconcile(rows)
    assert counts(run) == (3, 0, 1, 0, 0)
    assert outcomes()[3] == ("settled_not_reported", None)


def test_a_second_report_with_the_same_key_takes_the_second_line():
    terminal = reporting_terminal()
    one = plant(terminal, at=shanghai(2, 10), rrn="331200000001", amount="50.00")
    two = plant(terminal, at=shanghai(2, 10), rrn="331200000001", amount="50.00")
    run = reconcile([part(one, "50.00", 0), part(two, "50.00", 1)])
    assert counts(run) == (2, 0, 0, 0, 0)
    assert {r for _outcome, r in outcomes().values()} == {one.pk, two.pk}
