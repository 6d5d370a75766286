"""Each figure of the annual report equals a direct count over the data, edges included."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from merchants.models import Inspection, InspectionStatus, RiskLevelChange, Terminal
from tests.merchants.risk.inspections.helpers import InspectionFactory
from tests.transactions.exchange.regulator.helpers import (
    IN_FIRST,
    IN_LAST,
    MARCH,
    OUT_AFTER,
    OUT_BEFORE,
    bj,
    march_data,
    money,
)
from transactions.exchange.regulator.annual import (
    ANNUAL_SECTIONS,
    _inspections_section,
    alerts_section,
    complaints_section,
    inspections_section_from,
    merchants_section,
    terminals_section,
    volumes_by_method_section,
    volumes_by_region_section,
)
from transactions.exchange.regulator.periods import Period
from transactions.models import AlertTransition, ComplaintTransition, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return march_data()


def _in_march(field: str) -> dict[str, object]:
    return {f"{field}__gte": MARCH.since, f"{field}__lt": MARCH.until}


def test_the_period_is_counted_in_beijing_days():
    assert MARCH.since.isoformat() == "2026-03-01T00:00:00+08:00"
    assert MARCH.until.isoformat() == "2026-04-01T00:00:00+08:00"


def test_volumes_by_method_are_the_sums_over_the_reports_of_the_period(data):
    section = volumes_by_method_section(MARCH)
    direct = (
        Report.objects.filter(**_in_march("occurred_at"))
        .values_list("method", "type")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("method", "type")
    )
    assert [(m, t, n, money(a)) for m, t, n, a in direct] == [
        (m, t, n, money(a)) for m, t, n, a in section.rows
    ]
    # 23:30 on the last day and 00:05 on the first are in; 00:10 after and 23:50 before are out.
    assert section.rows == [
        ["credit_card", "refund", 1, "5.55"],
        ["credit_card", "sale", 2, "155.65"],
        ["wechat", "sale", 1, "300.30"],
    ]


def test_volumes_by_region_are_the_sums_over_the_reports_of_the_period(data):
    section = volumes_by_region_section(MARCH)
    direct: Counter[tuple[str, str]] = Counter()
    amounts: dict[tuple[str, str], Decimal] = {}
    for r in Report.objects.filter(**_in_march("occurred_at")).select_related("merchant"):
        key = (r.merchant.business_province or r.merchant.registered_province, r.type)
        direct[key] += 1
        amounts[key] = amounts.get(key, Decimal(0)) + r.amount
    assert {(p, t): (n, money(a)) for p, t, n, a in section.rows} == {
        key: (direct[key], money(amounts[key])) for key in direct
    }
    assert section.rows == [
        ["31", "sale", 2, "400.40"],
        ["44", "refund", 1, "5.55"],
        ["44", "sale", 1, "55.55"],
    ]


def test_merchants_by_level_and_region_at_the_end_of_the_period(data):
    section = merchants_section(MARCH)
    rows = {(province, level): (n, new) for province, level, n, new in section.rows}
    # Direct: every approved merchant before the end, at its last rating before the end.
    expected: Counter[tuple[str, str]] = Counter()
    new: Counter[tuple[str, str]] = Counter()
    for m in data.merchants.values():
        if m.approved_at >= MARCH.until:
            continue
        last = (
            RiskLevelChange.objects.filter(merchant=m, created_at__lt=MARCH.until)
            .order_by("-created_at")
            .first()
        )
        key = (m.business_province or m.registered_province, last.to_level if last else "")
        expected[key] += 1
        new[key] += m.approved_at >= MARCH.since
    assert rows == {key: (expected[key], new[key]) for key in expected}
    assert rows == {
        ("31", "high"): (1, 0),  # rated high at 23:30 on the last day
        ("31", "low"): (2, 0),
        ("33", "low"): (1, 0),
        ("33", "medium"): (1, 0),  # high only from 00:10 after
        ("44", "high"): (1, 1),  # approved in March; low only from 00:10 after
    }


def test_terminals_by_region_and_status_at_the_end_of_the_period(data):
    section = terminals_section(MARCH)
    rows = {(p, s): (n, new) for p, s, n, new in section.rows}
    # Direct: registered before the end; the last step before the end, else the state the
    # first later step left, else the status now.
    expected: Counter[tuple[str, str]] = Counter()
    new: Counter[tuple[str, str]] = Counter()
    for t in Terminal.objects.filter(created_at__lt=MARCH.until):
        steps = list(t.transitions.order_by("created_at"))
        before = [s for s in steps if s.created_at < MARCH.until]
        after = [s for s in steps if s.created_at >= MARCH.until]
        status = before[-1].to_status if before else after[0].from_status if after else t.status
        expected[(t.province, status)] += 1
        new[(t.province, status)] += t.created_at >= MARCH.since
    assert rows == {key: (expected[key], new[key]) for key in expected}
    assert rows == {
        ("31", "active"): (1, 0),
        # gd: active through March (suspended at 00:10 after); gd_new: registered at 23:30,
        # never moved; gd_pending: activated only at 00:10 after.
        ("44", "active"): (2, 2),
        ("44", "pending"): (1, 1),
    }


def test_alerts_by_rule_count_raised_confirmed_and_cleared_in_the_period(data):
    section = alerts_section(MARCH)
    rows = {row[0]: row[2:] for row in section.rows}
    raised = Counter(
        a.rule.code for a in data.alerts.values() if MARCH.since <= _raised(a) < MARCH.until
    )
    steps = AlertTransition.objects.filter(**_in_march("created_at"))
    for code in rows:
        assert rows[code][0] == raised[code]
        assert rows[code][1] == steps.filter(alert__rule__code=code, to_status="confirmed").count()
        assert rows[code][2] == steps.filter(alert__rule__code=code, to_status="cleared").count()
    assert rows == {
        "cashout_off_hours": [1, 1, 0],
        "cashout_same_card": [1, 0, 0],  # confirmed at 00:10 after: not in March
        "late_report": [1, 1, 0],  # the one raised at 00:10 after is not counted
        "mcc_jump": [1, 1, 1],  # cleared on 1 March, raised on 28 February
    }


def _raised(alert):
    alert.refresh_from_db()
    return alert.created_at


def test_complaints_by_reason_count_received_and_decided_in_the_period(data):
    section = complaints_section(MARCH)
    rows = {row[0]: row[2:] for row in section.rows}
    steps = ComplaintTransition.objects.filter(**_in_march("created_at"))
    assert (
        rows["wrong_amount"][0]
        == Report.objects.filter(
            complaints__reason__code="wrong_amount",
            complaints__created_at__gte=MARCH.since,
            complaints__created_at__lt=MARCH.until,
        ).count()
    )
    assert rows["duplicate_charge"][1] == steps.filter(to_status="upheld").count()
    assert rows == {
        "duplicate_charge": [1, 1, 0, 0],
        "wrong_amount": [1, 0, 0, 0],  # 23:30 in; 00:10 after out; rejected after: out
    }


def test_inspections_section_counts_each_outcome():
    section = inspections_section_from({"pass": 3, "fail": 1})
    assert section.rows == [["pass", 3], ["remediation", 0], ["fail", 1]]
    assert inspections_section_from({}).is_empty
    assert inspections_section_from({"pass": 0}).is_empty


def test_a_period_with_no_data_gives_empty_sections_not_errors(data):
    before = Period(date(2025, 1, 1), date(2025, 12, 31))
    sections = [build(before) for build in ANNUAL_SECTIONS]
    assert [s.code for s in sections if not s.is_empty] == []


def test_volumes_read_from_the_rollups_match_the_reports_over_a_whole_quarter(data):
    quarter = Period(date(2026, 1, 1), date(2026, 4, 30))
    rows = volumes_by_method_section(quarter).rows
    total = Report.objects.filter(
        occurred_at__gte=quarter.since, occurred_at__lt=quarter.until
    ).aggregate(n=Count("pk"), amount=Sum("amount"))
    assert sum(row[2] for row in rows) == total["n"] == 6
    assert sum(Decimal(row[3]) for row in rows) == total["amount"]
    assert bj(4, 1) < quarter.until


def test_inspections_done_are_those_completed_in_the_period_by_outcome():
    def done(outcome, at):
        InspectionFactory(status=InspectionStatus.COMPLETED, outcome=outcome, completed_at=at)

    done("pass", IN_LAST)
    done("fail", IN_FIRST)
    done("remediation", OUT_AFTER)
    done("remediation", OUT_BEFORE)
    InspectionFactory(status=InspectionStatus.CHECKED_IN)

    section = _inspections_section(MARCH)

    assert section.rows == [["pass", 1], ["remediation", 0], ["fail", 1]]
    direct = Inspection.objects.filter(
        status=InspectionStatus.COMPLETED, **_in_march("completed_at")
    )
    assert {outcome: n for outcome, n in section.rows} == {
        o: direct.filter(outcome=o).count() for o in ("pass", "remediation", "fail")
    }


def test_a_period_without_inspections_says_so():
    assert _inspections_section(MARCH).rows == []
