"""The rating factor ``risk_list``: a hit gives the points that start the prohibited band."""

from __future__ import annotations

import pytest

from merchants.models import RiskLevelPolicy
from merchants.risk.risklist.services import risk_list_check_record
from tests.factories import MerchantFactory, RiskListEntryFactory
from tests.merchants.risk.rating.helpers import factor, rate
from tests.merchants.risk.risklist.helpers import reviewer

pytestmark = pytest.mark.django_db


def test_a_merchant_not_on_the_list_scores_nothing():
    entry = factor(MerchantFactory(approved=True), "risk_list")
    assert (entry["value"], entry["points"]) == ("0", 0)


def test_a_listed_merchant_is_rated_prohibited():
    merchant = MerchantFactory(approved=True)
    RiskListEntryFactory(value=merchant.uscc)
    RiskListEntryFactory.mid(merchant.mid)
    risk = rate(merchant)
    entry = next(f for f in risk.factors if f["code"] == "risk_list")
    assert (entry["value"], entry["points"]) == ("2", 90)
    assert risk.computed_level == "prohibited"


def test_the_points_follow_the_prohibited_band():
    RiskLevelPolicy.objects.filter(level="prohibited").update(min_score=120)
    merchant = MerchantFactory(approved=True)
    RiskListEntryFactory(value=merchant.uscc)
    risk = rate(merchant)
    assert risk.computed_level == "prohibited" and risk.score >= 120


def test_a_hit_recorded_by_staff_counts_and_rates_the_merchant_at_once():
    merchant = MerchantFactory(approved=True)
    risk_list_check_record(merchant=merchant, actor=reviewer(), result="hit", note="列入")
    assert merchant.risk.computed_level == "prohibited"
    risk_list_check_record(merchant=merchant, actor=reviewer(), result="clear", note="移出")
    merchant.risk.refresh_from_db()
    assert merchant.risk.computed_level != "prohibited"


def test_the_explanation_names_no_list_nor_value():
    merchant = MerchantFactory(approved=True)
    RiskListEntryFactory(value=merchant.uscc, source="商户黑名单")
    entry = factor(merchant, "risk_list")
    assert merchant.uscc not in str(entry) and "商户黑名单" not in str(entry)


def test_a_scheduled_hit_rates_the_merchant_again():
    from merchants.risk.risklist.services import risk_list_recheck

    merchant = MerchantFactory(approved=True)
    rate(merchant)
    RiskListEntryFactory(value=merchant.uscc)
    risk_list_recheck(cause="nightly")
    merchant.risk.refresh_from_db()
    assert merchant.risk.computed_level == "prohibited"
    change = merchant.risk_changes.first()
    assert change.trigger == "risk list: nightly"


def test_a_hit_gone_rates_the_merchant_again():
    from merchants.models import RiskListEntry
    from merchants.risk.risklist.services import risk_list_delist, risk_list_recheck
    from tests.merchants.risk.risklist.helpers import lead

    merchant = MerchantFactory(approved=True)
    RiskListEntryFactory(value=merchant.uscc)
    risk_list_recheck(cause="nightly")
    risk_list_delist(entries=RiskListEntry.objects.all(), actor=lead(), reason="移出")
    risk_list_recheck(cause="delisted")
    merchant.risk.refresh_from_db()
    assert merchant.risk.computed_level != "prohibited"
    assert merchant.risk_changes.first().trigger == "risk list: delisted"
