"""Risk level limits: a sale above its level's per-sale limit, or taking the day over the daily
limit, is held at report time; thresholds of the other checks follow the level's own set."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from merchants.models import MerchantRisk, RiskLevelPolicy
from tests.transactions.decisions.helpers import codes, decide, set_check
from tests.transactions.helpers import BATCH, REPORTS, report
from transactions.decisions.checks import REGISTRY
from transactions.decisions.inputs import ensure_checks
from transactions.models import Decision, ScreeningCheck, ScreeningCheckLevel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_limits():
    ensure_checks()
    ScreeningCheck.objects.exclude(code="level_limits").update(enabled=False)


def _at(api, level):
    MerchantRisk.objects.update_or_create(
        merchant=api.terminal.merchant,
        defaults={
            "score": 0,
            "computed_level": level,
            "factors": [],
            "computed_at": timezone.now(),
        },
    )


def _sale(api, amount, **fields):
    token = uuid.uuid4().hex[:12]
    return decide(api, method="debit_card", cvm="pin", amount=amount, card_token=token, **fields)


def test_a_sale_above_the_high_levels_per_sale_limit_is_held(api):
    _at(api, "high")  # ¥10,000 a sale, ¥50,000 a day (the migration's defaults)
    decision = _sale(api, "10000.01")
    assert decision["outcome"] == "hold"
    assert decision["reasons"] == [
        {
            "code": "level_limits",
            "message": "A sale of ¥10,000.01 is above the per-sale limit of ¥10,000.00 for this "
            "merchant's risk level.",
            "figures": {"amount": "¥10,000.01", "limit": "¥10,000.00", "level": "high"},
        }
    ]


def test_a_sale_at_the_limit_is_accepted(api):
    _at(api, "high")
    assert _sale(api, "10000.00")["outcome"] == "accept"


def test_a_low_level_has_no_limits(api):
    _at(api, "low")
    assert _sale(api, "900000.00")["outcome"] == "accept"


def test_an_unrated_merchant_is_not_limited(api):
    assert _sale(api, "900000.00")["outcome"] == "accept"


def test_the_sale_that_takes_the_day_over_the_daily_limit_is_held(api):
    _at(api, "high")
    outcomes = [_sale(api, "9000.00")["outcome"] for _ in range(6)]
    assert outcomes == ["accept"] * 5 + ["hold"]  # 45,000 then 54,000 > 50,000
    last = Decision.objects.order_by("-pk").first()
    assert last.reasons[0]["figures"]["total"] == "¥54,000.00"


def test_refunds_do_not_count_towards_the_daily_limit(api):
    _at(api, "high")
    RiskLevelPolicy.objects.filter(level="high").update(daily_limit=Decimal("100"))
    sale = report(api.terminal, method="debit_card", cvm="pin", amount="60.00")
    assert api.post(REPORTS, sale).json()["decision"]["outcome"] == "accept"
    refund = decide(
        api,
        type="refund",
        method="debit_card",
        cvm="pin",
        amount="60.00",
        original_report_id=sale["report_id"],
    )
    assert "level_limits" not in codes(refund)


def test_yesterdays_sales_do_not_count_today(api):
    _at(api, "high")
    yesterday = (timezone.now() - timedelta(days=1, hours=1)).isoformat()
    for _ in range(5):
        _sale(api, "9000.00", occurred_at=yesterday)
    assert _sale(api, "9000.00")["outcome"] == "accept"


def test_in_a_batch_only_the_sales_past_the_daily_limit_are_held(api):
    _at(api, "high")
    start = timezone.now() - timedelta(minutes=30)
    rows = [
        report(
            api.terminal,
            method="debit_card",
            cvm="pin",
            amount="9000.00",
            card_token=f"tok_{i}",
            occurred_at=(start + timedelta(minutes=i)).isoformat(),
        )
        for i in range(7)
    ]
    response = api.post(BATCH, {"reports": rows})
    assert response.status_code in (200, 201, 207), response.json()
    by_id = {str(d.report.report_id): d.outcome for d in Decision.objects.select_related("report")}
    assert [by_id[row["report_id"]] for row in rows] == ["accept"] * 5 + ["hold"] * 2


def test_a_prohibited_merchants_every_sale_is_held(api):
    _at(api, "prohibited")
    assert _sale(api, "0.01")["outcome"] == "hold"


def test_a_lead_override_sets_the_limits_that_apply(api):
    _at(api, "low")
    MerchantRisk.objects.filter(merchant=api.terminal.merchant).update(
        override_level="high", override_expires_at=timezone.now() + timedelta(days=1)
    )
    assert _sale(api, "20000.00")["outcome"] == "hold"


def test_an_expired_override_no_longer_limits(api):
    _at(api, "low")
    MerchantRisk.objects.filter(merchant=api.terminal.merchant).update(
        override_level="high", override_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert _sale(api, "20000.00")["outcome"] == "accept"


def test_the_check_can_review_instead_of_hold(api):
    _at(api, "high")
    set_check("level_limits", action="review")
    assert _sale(api, "20000.00")["outcome"] == "review"


def test_a_levels_own_thresholds_apply_to_its_merchants(api):
    set_check("unverified_high_value", enabled=True)
    row = ScreeningCheck.objects.get(code="unverified_high_value")
    ScreeningCheckLevel.objects.create(
        check_row=row,
        level="medium",
        parameters={**REGISTRY[row.code].defaults, "min_amount": 1000},
    )
    assert decide(api, method="debit_card", cvm="none", amount="1500.00")["outcome"] == "accept"
    _at(api, "medium")
    decision = decide(api, method="debit_card", cvm="none", amount="1500.00")
    assert codes(decision) == ["unverified_high_value"]
    assert decision["reasons"][0]["figures"]["limit"] == "¥1,000.00"


def test_another_levels_thresholds_do_not_apply(api):
    set_check("unverified_high_value", enabled=True)
    row = ScreeningCheck.objects.get(code="unverified_high_value")
    ScreeningCheckLevel.objects.create(
        check_row=row, level="high", parameters={**REGISTRY[row.code].defaults, "min_amount": 1000}
    )
    _at(api, "low")
    assert decide(api, method="debit_card", cvm="none", amount="1500.00")["outcome"] == "accept"
