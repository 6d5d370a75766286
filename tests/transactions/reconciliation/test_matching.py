"""Each kind of difference planted on its own, with exact counts; near misses that must match."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import AcquirerFactory, line_for, reconcile
from transactions.models import Outcome, ReconciliationItem, SettlementLineOutcome
from transactions.reconciliation.services import reconciliation_run

pytestmark = pytest.mark.django_db


def reports(terminal, n: int, *, start: int = 0, hour: int = 10):
    return [
        plant(
            terminal,
            at=shanghai(2, hour, i),
            rrn=f"3312{start + i:08d}",
            trace_no=f"{start + i:06d}",
            amount=f"{100 + i}.50",
        )
        for i in range(n)
    ]


def counts(run) -> dict[str, int]:
    return {
        "matched": run.matched,
        "amount_mismatch": run.amount_mismatch,
        "reported_not_settled": run.reported_not_settled,
        "settled_not_reported": run.settled_not_reported,
        "duplicate_in_file": run.duplicate_in_file,
    }


NONE = dict.fromkeys(
    [
        "matched",
        "amount_mismatch",
        "reported_not_settled",
        "settled_not_reported",
        "duplicate_in_file",
    ],
    0,
)


def test_every_line_of_a_clean_file_matches_its_report():
    terminal = reporting_terminal()
    planted = reports(terminal, 5)
    run = reconcile([line_for(r) for r in planted])
    assert counts(run) == {**NONE, "matched": 5}
    assert set(SettlementLineOutcome.objects.values_list("report_id", flat=True)) == {
        r.pk for r in planted
    }


def test_an_amount_beyond_the_tolerance_is_a_mismatch():
    terminal = reporting_terminal()
    planted = reports(terminal, 3)
    rows = [line_for(r) for r in planted]
    rows[1]["amount"] = f"{planted[1].amount + Decimal('1.00'):.2f}"
    run = reconcile(rows)
    assert counts(run) == {**NONE, "matched": 2, "amount_mismatch": 1}
    item = ReconciliationItem.objects.get(run=run)
    assert (item.kind, item.line_no, item.report_id) == (
        Outcome.AMOUNT_MISMATCH,
        3,
        planted[1].pk,
    )
    assert item.settled_amount - item.reported_amount == Decimal("1.00")


def test_an_amount_within_the_tolerance_matches():
    terminal = reporting_terminal()
    [report] = reports(terminal, 1)
    run = reconcile([line_for(report, amount=f"{report.amount + Decimal('0.05'):.2f}")])
    assert counts(run) == {**NONE, "matched": 1}


def test_a_report_nobody_settled_is_reported_not_settled():
    terminal = reporting_terminal()
    planted = reports(terminal, 4)
    run = reconcile([line_for(r) for r in planted[:3]])
    assert counts(run) == {**NONE, "matched": 3, "reported_not_settled": 1}
    item = ReconciliationItem.objects.get(run=run)
    assert (item.report_id, item.merchant_id) == (planted[3].pk, terminal.merchant_id)


def test_reports_of_other_days_are_out_of_scope():
    terminal = reporting_terminal()
    other = reporting_terminal()
    planted = reports(terminal, 2)
    plant(terminal, at=shanghai(5, 10), rrn="331200009999")
    plant(other, at=shanghai(5, 10), rrn="331200008888")
    run = reconcile([line_for(r) for r in planted])
    assert counts(run) == {**NONE, "matched": 2}


def test_other_merchants_are_out_of_a_merchants_own_uploads_scope():
    # The acquirer's file covers every merchant of its days (test_merchant_not_in_file.py).
    terminal = reporting_terminal()
    other = reporting_terminal()
    planted = reports(terminal, 2)
    plant(other, at=shanghai(2, 10), rrn="331200008888")
    run = reconcile([line_for(r) for r in planted], merchant=terminal.merchant)
    assert counts(run) == {**NONE, "matched": 2}


def test_a_line_without_a_report_is_settled_not_reported():
    terminal = reporting_terminal()
    planted = reports(terminal, 2)
    ghost = line_for(planted[0], rrn="339999999999", trace_no="999999", amount="77.00")
    ghost["occurred_at"] = shanghai(2, 18).strftime("%Y-%m-%d %H:%M:%S")
    run = reconcile([line_for(r) for r in planted] + [ghost])
    assert counts(run) == {**NONE, "matched": 2, "settled_not_reported": 1}
    item = ReconciliationItem.objects.get(run=run)
    assert (item.kind, item.line_no, item.report_id) == (Outcome.SETTLED_NOT_REPORTED, 4, None)


def test_a_repeated_line_is_a_duplicate_in_the_file():
    terminal = reporting_terminal()
    planted = reports(terminal, 2)
    rows = [line_for(r) for r in planted]
    run = reconcile([*rows, rows[0]])
    assert counts(run) == {**NONE, "matched": 2, "duplicate_in_file": 1}
    assert ReconciliationItem.objects.get(run=run).line_no == 4


def test_trace_and_batch_match_when_the_rrn_is_missing():
    terminal = reporting_terminal()
    [report] = reports(terminal, 1)
    run = reconcile([line_for(report, rrn="")])
    assert counts(run) == {**NONE, "matched": 1}


def test_trace_match_needs_the_same_day():
    terminal = reporting_terminal()
    [report] = reports(terminal, 1)
    row = line_for(report, rrn="")
    row["occurred_at"] = (report.occurred_at + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    run = reconcile([row])
    assert run.matched == 0
    assert run.settled_not_reported == 1


def test_near_miss_in_time_and_amount_matches_tolerantly():
    terminal = reporting_terminal()
    [report] = reports(terminal, 1)
    local = report.occurred_at + timedelta(seconds=90)
    row = line_for(
        report,
        rrn="330000000001",
        trace_no="888888",
        amount=f"{report.amount - Decimal('0.04'):.2f}",
    )
    row["occurred_at"] = local.astimezone(shanghai(0, 0).tzinfo).strftime("%Y-%m-%d %H:%M:%S")
    run = reconcile([row])
    assert counts(run) == {**NONE, "matched": 1}
    assert SettlementLineOutcome.objects.get().report_id == report.pk


def test_outside_the_time_window_does_not_match():
    terminal = reporting_terminal()
    [report] = reports(terminal, 1)
    row = line_for(report, rrn="330000000001", trace_no="888888")
    late = report.occurred_at + timedelta(seconds=121)
    row["occurred_at"] = late.astimezone(shanghai(0, 0).tzinfo).strftime("%Y-%m-%d %H:%M:%S")
    run = reconcile([row])
    assert counts(run) == {**NONE, "settled_not_reported": 1, "reported_not_settled": 1}


def test_tolerant_matching_pairs_each_report_once_with_its_closest_line():
    terminal = reporting_terminal()
    one = plant(terminal, at=shanghai(2, 10, 0, 0), rrn="331200000001", amount="50.00")
    two = plant(terminal, at=shanghai(2, 10, 1, 0), rrn="331200000002", amount="50.00")
    tz = shanghai(0, 0).tzinfo
    rows = []
    for i, report in enumerate((one, two)):
        row = line_for(report, rrn=f"33990000000{i}", trace_no=f"77777{i}")
        moment = report.occurred_at + timedelta(seconds=10)
        row["occurred_at"] = moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        rows.append(row)
    run = reconcile(rows)
    assert counts(run) == {**NONE, "matched": 2}
    pairs = dict(SettlementLineOutcome.objects.values_list("line__line_no", "report_id"))
    assert pairs == {2: one.pk, 3: two.pk}


def test_every_kind_together_counts_exactly():
    terminal = reporting_terminal()
    planted = reports(terminal, 10)
    rows = [line_for(r) for r in planted[:8]]  # 2 reported, not settled
    rows[0]["amount"] = "1.00"  # mismatch
    rows[1]["amount"] = f"{planted[1].amount + Decimal('0.05'):.2f}"  # within tolerance
    rows.append(dict(rows[2]))  # duplicate
    rows.append(line_for(planted[0], rrn="339999999999", trace_no="999999"))  # not reported
    rows[-1]["occurred_at"] = shanghai(2, 20).strftime("%Y-%m-%d %H:%M:%S")
    run = reconcile(rows)
    assert counts(run) == {
        "matched": 7,
        "amount_mismatch": 1,
        "reported_not_settled": 2,
        "settled_not_reported": 1,
        "duplicate_in_file": 1,
    }
    assert run.duration_ms is not None and run.status == "done"


def test_reconciling_again_gives_the_same_counts():
    terminal = reporting_terminal()
    planted = reports(terminal, 3)
    first = reconcile([line_for(r) for r in planted[:2]])
    second = reconciliation_run(file_id=first.file_id, trigger="again")
    assert counts(second) == counts(first) == {**NONE, "matched": 2, "reported_not_settled": 1}


def test_a_report_settled_in_an_earlier_file_is_not_matched_again():
    terminal = reporting_terminal()
    [report] = reports(terminal, 1)
    reconcile([line_for(report)])
    run = reconcile([line_for(report, fee="0.10")], acquirer=AcquirerFactory())
    assert run.matched == 0
    assert run.settled_not_reported == 1


def test_a_large_files_scan_of_its_days_finds_the_same_differences(monkeypatch):
    """Files past SCAN_DAYS_FROM_LINES read their days' reports in one scan (PostgreSQL)."""
    monkeypatch.setattr("transactions.reconciliation.matching.SCAN_DAYS_FROM_LINES", 1)
    terminal = reporting_terminal()
    other = reporting_terminal()
    planted = reports(terminal, 4)
    plant(terminal, at=shanghai(5, 10), rrn="331200009999")  # another day
    absent = plant(other, at=shanghai(2, 10), rrn="331200008888")  # a merchant not in the file
    run = reconcile([line_for(r) for r in planted[:3]])
    assert counts(run) == {**NONE, "matched": 3, "reported_not_settled": 2}
    assert run.merchant_not_in_file == 1
    items = ReconciliationItem.objects.filter(run=run, kind="reported_not_settled")
    assert sorted(items.values_list("report_id", "merchant_id")) == sorted(
        [(planted[3].pk, terminal.merchant_id), (absent.pk, other.merchant_id)]
    )
