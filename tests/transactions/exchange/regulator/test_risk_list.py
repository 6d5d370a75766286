"""The risk-merchant list: who is on it for the period, why, and what it says of each."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from merchants.models import RiskLevelChange
from portal.common.beijing import SHANGHAI
from tests.transactions.exchange.regulator.helpers import MARCH, march_data
from transactions.exchange.regulator.periods import Period
from transactions.exchange.regulator.risk_list import (
    COLUMNS,
    FRAUD_RULES,
    RISK_LEVELS,
    risk_merchants_section,
)
from transactions.exchange.regulator.sections import cell
from transactions.models import AlertTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return march_data()


def _rows(section) -> dict[str, dict[str, object]]:
    keys = [c.key for c in section.columns]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in section.rows}


def test_the_list_is_who_was_high_in_the_period_or_had_a_fraud_alert_confirmed(data):
    rows = _rows(risk_merchants_section(MARCH))
    m = data.merchants
    assert set(rows) == {m["sh"].mid, m["gd"].mid, m["was_high"].mid, m["fraud"].mid}
    # Direct: high or prohibited at the start, or rated so within the period, or a fraud-type
    # alert confirmed within it.
    listed = set()
    for merchant in m.values():
        if merchant.approved_at >= MARCH.until:
            continue
        changes = RiskLevelChange.objects.filter(merchant=merchant)
        at_start = changes.filter(created_at__lt=MARCH.since).order_by("-created_at").first()
        if at_start and at_start.to_level in RISK_LEVELS:
            listed.add(merchant.mid)
        if changes.filter(
            created_at__gte=MARCH.since, created_at__lt=MARCH.until, to_level__in=RISK_LEVELS
        ).exists():
            listed.add(merchant.mid)
        if AlertTransition.objects.filter(
            alert__merchant=merchant,
            alert__rule__code__in=FRAUD_RULES,
            to_status="confirmed",
            created_at__gte=MARCH.since,
            created_at__lt=MARCH.until,
        ).exists():
            listed.add(merchant.mid)
    assert set(rows) == listed


def test_each_merchant_has_its_levels_reasons_and_dates(data):
    rows = _rows(risk_merchants_section(MARCH))
    m = data.merchants
    sh = rows[m["sh"].mid]
    assert (sh["level_end"], sh["level_highest"]) == ("high", "high")
    assert [r["code"] for r in sh["reasons"]] == ["alert", "level_change"]
    assert (sh["first_date"], sh["last_date"]) == ("2026-03-12", "2026-03-31")
    was_high = rows[m["was_high"].mid]
    assert (was_high["level_end"], was_high["level_highest"]) == ("low", "high")
    assert was_high["reasons"] == [{"code": "level_start", "level": "high", "date": "2026-03-01"}]
    gd = rows[m["gd"].mid]  # low only from 00:10 after the period
    assert (gd["level_end"], gd["province"], gd["city"]) == ("high", "44", "广州市")
    fraud = rows[m["fraud"].mid]
    assert fraud["reasons"] == [
        {
            "code": "alert",
            "alert": data.alerts["fraud"].pk,
            "rule": data.alerts["fraud"].rule.name,
            "date": "2026-03-31",  # 23:30 Beijing: still 31 March (15:30 UTC)
        }
    ]
    assert fraud["level_end"] == "low"


def test_identity_is_what_risk_sharing_needs_with_the_id_number_masked(data):
    row = _rows(risk_merchants_section(MARCH))[data.merchants["sh"].mid]
    merchant = data.merchants["sh"]
    assert row["legal_name"] == merchant.legal_name
    assert row["uscc"] == merchant.uscc
    assert row["legal_rep_name"] == merchant.legal_rep_name
    assert row["legal_rep_id"] == merchant.legal_rep_id_masked
    assert "*" in row["legal_rep_id"]
    assert row["mcc"] == "5411"


def test_reasons_read_in_the_readers_language(data):
    row = _rows(risk_merchants_section(MARCH))[data.merchants["was_high"].mid]
    column = next(c for c in COLUMNS if c.key == "reasons")
    with translation.override("en"):
        assert cell(column, row["reasons"]) == "rated High at the start of the period"


def test_a_confirmation_in_beijing_time_on_the_last_evening_is_dated_that_day(data):
    step = AlertTransition.objects.filter(alert=data.alerts["fraud"], to_status="confirmed").get()
    assert step.created_at.astimezone(SHANGHAI).date() == date(2026, 3, 31)
    assert step.created_at.date() == date(2026, 3, 31)  # UTC 15:30, same day
    after = AlertTransition.objects.filter(
        alert=data.alerts["fraud_after"], to_status="confirmed"
    ).get()
    # 00:10 Beijing on 1 April is still 31 March in UTC: a UTC day would wrongly list it.
    assert after.created_at.astimezone(SHANGHAI).date() == date(2026, 4, 1)
    assert data.merchants["fraud_after"].mid not in _rows(risk_merchants_section(MARCH))


def test_an_empty_period_lists_nobody(data):
    assert risk_merchants_section(Period(date(2025, 1, 1), date(2025, 1, 31))).is_empty
