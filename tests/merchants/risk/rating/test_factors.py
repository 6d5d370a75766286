"""Each factor of the rating: its raw value, points and explanation, and its zero case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from merchants.models import HighRiskMcc, HighRiskRegion, Merchant
from merchants.risk.rating.registry import FACTORS, Factor, Score, factors
from merchants.risk.rating.services import rate_merchants
from tests.factories import MerchantFactory
from tests.merchants.risk.rating.helpers import factor, rate
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.complaint_factories import ComplaintFactory, stored_report
from tests.transactions.helpers import reporting_terminal
from transactions.models import (
    AlertStatus,
    AlertTransition,
    AuditRule,
    ComplaintStatus,
    MerchantDay,
    TerminalDay,
)

pytestmark = pytest.mark.django_db


def _merchant(**fields):
    return MerchantFactory(
        approved=True, approved_at=timezone.now() - timedelta(days=800), **fields
    )


def test_every_factor_with_a_source_is_registered_and_the_others_are_not_faked():
    assert [f.code for f in factors()] == [
        "mcc",
        "region",
        "age",
        "volume",
        "alerts",
        "complaints",
        "reporting",
        "inspection",
        "risk_list",
        "provider",
    ]


def test_a_listed_mcc_adds_its_points():
    merchant = _merchant(mcc="5944")  # jewellery shops are on the list from the migration
    entry = factor(merchant, "mcc")
    assert (entry["value"], entry["points"]) == ("5944", 20)
    assert "5944" in entry["message"] % entry["params"]


def test_an_unlisted_mcc_adds_nothing():
    assert factor(_merchant(mcc="5411"), "mcc")["points"] == 0


def test_an_mcc_added_in_admin_counts_at_the_next_rating():
    merchant = _merchant(mcc="5411")
    HighRiskMcc.objects.create(mcc="5411", category="test", points=7)
    assert factor(merchant, "mcc")["points"] == 7


def test_a_listed_city_counts_before_its_province():
    HighRiskRegion.objects.create(province="44", city="", reason="province", points=5)
    HighRiskRegion.objects.create(province="44", city="深圳市", reason="city", points=12)
    in_city = _merchant(business_province="44", business_city="深圳市")
    elsewhere = _merchant(business_province="44", business_city="广州市")
    assert factor(in_city, "region")["points"] == 12
    assert factor(elsewhere, "region")["points"] == 5


def test_an_unlisted_region_adds_nothing():
    HighRiskRegion.objects.create(province="44", city="", reason="province", points=5)
    assert factor(_merchant(business_province="31"), "region")["points"] == 0


@pytest.mark.parametrize(("days", "points"), [(10, 15), (100, 10), (200, 5), (400, 0)])
def test_age_since_approval(days, points):
    merchant = MerchantFactory(approved=True, approved_at=timezone.now() - timedelta(days=days))
    assert factor(merchant, "age")["points"] == points


def test_volume_far_above_the_declared_scale():
    terminal = reporting_terminal(merchant=_merchant(declared_monthly_sales=Decimal("10000")))
    TerminalDay.objects.create(
        terminal=terminal,
        merchant=terminal.merchant,
        day=timezone.localdate(),
        sales=3,
        sales_amount=Decimal("31000"),
    )
    entry = factor(terminal.merchant, "volume")
    assert (entry["value"], entry["points"]) == ("¥31,000.00 / ¥10,000.00", 20)
    assert entry["params"]["ratio"] == "3.10"


def test_volume_within_the_declared_scale_adds_nothing():
    terminal = reporting_terminal(merchant=_merchant(declared_monthly_sales=Decimal("10000")))
    TerminalDay.objects.create(
        terminal=terminal, merchant=terminal.merchant, day=timezone.localdate(), sales_amount=9000
    )
    assert factor(terminal.merchant, "volume")["points"] == 0


def test_volume_older_than_thirty_days_is_left_out():
    terminal = reporting_terminal(merchant=_merchant(declared_monthly_sales=Decimal("1000")))
    TerminalDay.objects.create(
        terminal=terminal,
        merchant=terminal.merchant,
        day=timezone.localdate() - timedelta(days=31),
        sales_amount=90000,
    )
    assert factor(terminal.merchant, "volume")["points"] == 0


def test_volume_without_a_declared_scale_is_not_scored():
    entry = factor(_merchant(), "volume")
    assert (entry["value"], entry["points"]) == ("—", 0)


def _confirmed(merchant, days_ago=1):
    alert = AlertFactory(merchant=merchant, status=AlertStatus.CONFIRMED)
    step = AlertTransition.objects.create(
        alert=alert, from_status="in_review", to_status="confirmed", reason="x"
    )
    AlertTransition.objects.filter(pk=step.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_confirmed_alerts_count_ten_points_each_up_to_thirty():
    merchant = _merchant()
    _confirmed(merchant)
    _confirmed(merchant)
    assert factor(merchant, "alerts")["points"] == 20
    _confirmed(merchant)
    _confirmed(merchant)
    entry = factor(merchant, "alerts")
    assert (entry["value"], entry["points"]) == ("4", 30)


def test_alerts_confirmed_long_ago_or_still_open_do_not_count():
    merchant = _merchant()
    _confirmed(merchant, days_ago=91)
    AlertFactory(merchant=merchant, status=AlertStatus.OPEN)
    assert factor(merchant, "alerts")["points"] == 0


def _upheld(terminal, days_ago=1, status=ComplaintStatus.UPHELD):
    ComplaintFactory(
        report=stored_report(terminal),
        status=status,
        resolved_at=timezone.now() - timedelta(days=days_ago),
    )


def test_upheld_complaints_count():
    terminal = reporting_terminal(merchant=_merchant())
    _upheld(terminal)
    _upheld(terminal, days_ago=100)
    _upheld(terminal, status=ComplaintStatus.REJECTED)
    entry = factor(terminal.merchant, "complaints")
    assert (entry["value"], entry["points"]) == ("1", 10)


def test_late_reports_and_missing_report_alerts_make_reporting_health():
    merchant = _merchant()
    MerchantDay.objects.create(merchant=merchant, day=timezone.localdate(), reports=10, late=3)
    AlertFactory(
        merchant=merchant,
        rule=AuditRule.objects.get(code="reporting_gap"),
        fingerprint="reporting_gap:silent:1:x",
    )
    entry = factor(merchant, "reporting")
    assert entry["points"] == 15 + 5  # 30 % late, one open missing-report alert
    assert entry["params"] == {"late": "3", "reports": "10", "days": "30", "missing": "1"}


def test_a_few_late_reports_are_a_smaller_share():
    merchant = _merchant()
    MerchantDay.objects.create(merchant=merchant, day=timezone.localdate(), reports=100, late=6)
    assert factor(merchant, "reporting")["points"] == 8


def test_a_clean_merchant_scores_zero_with_every_factor_shown():
    risk = rate(_merchant())
    assert risk.score == 0
    assert risk.computed_level == "low"
    assert len(risk.factors) == len(factors()) == 10
    assert all(
        set(f) == {"code", "name", "value", "points", "message", "params"} for f in risk.factors
    )


def test_factors_are_computed_for_many_merchants_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    for _ in range(3):
        _merchant()
    rate_merchants(trigger="warm")
    for _ in range(20):
        _merchant(mcc="5944")
    with django_assert_max_num_queries(25):
        summary = rate_merchants(merchants=Merchant.objects.approved(), trigger="test")
    assert summary.rated == 23


def test_a_new_factor_plugs_in_through_the_registry(monkeypatch):
    merchant = _merchant()

    def listed(rating):
        return {
            pk: Score("hit", 45, "Listed.") for pk in rating.merchants.values_list("pk", flat=True)
        }

    monkeypatch.setitem(
        FACTORS, "risk_list", Factor("risk_list", "Risk list", 90, listed, Score("", 0, ""))
    )
    risk = rate(merchant)
    assert (risk.score, risk.computed_level) == (45, "medium")
    assert risk.factors[-1]["code"] == "risk_list"
