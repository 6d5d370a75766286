"""Audit thresholds per merchant risk level: a level's own set for a rule applies to the
merchants at that level; every other merchant is audited with the rule's own thresholds."""

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.models import MerchantRisk
from tests.factories import StaffFactory
from tests.transactions.audit.helpers import (
    alerts,
    audit,
    only_rule,
    plant,
    reporting_terminal,
    shanghai,
)
from transactions.audit.rules import REGISTRY
from transactions.models import AuditRule, AuditRuleLevel

pytestmark = pytest.mark.django_db

CODE = "unverified_high_value"


@pytest.fixture(autouse=True)
def _rule():
    only_rule(CODE)


def _at(merchant, level):
    MerchantRisk.objects.create(
        merchant=merchant, score=0, computed_level=level, factors=[], computed_at=timezone.now()
    )


def _high_sets_1000():
    rule = AuditRule.objects.get(code=CODE)
    AuditRuleLevel.objects.create(
        rule=rule, level="high", parameters={**REGISTRY[CODE].defaults, "min_amount": 1000}
    )


def test_the_levels_own_set_applies_to_its_merchants_and_the_default_to_the_others():
    _high_sets_1000()
    high, medium, unrated = (reporting_terminal() for _ in range(3))
    _at(high.merchant, "high")
    _at(medium.merchant, "medium")
    for terminal in (high, medium, unrated):
        plant(terminal, at=shanghai(1, 12), amount="2000.00", cvm="none")
    audit()
    assert [a.merchant for a in alerts(CODE)] == [high.merchant]
    assert "above ¥1,000.00" in alerts(CODE)[0].explanation


def test_without_level_sets_every_merchant_gets_the_rules_thresholds():
    high = reporting_terminal()
    _at(high.merchant, "high")
    plant(high, at=shanghai(1, 12), amount="2000.00", cvm="none")
    plant(high, at=shanghai(1, 13), amount="6000.00", cvm="none")
    audit()
    [alert] = alerts(CODE)
    assert alert.reports.count() == 1


def test_a_level_set_in_admin_is_checked_against_the_rules_defaults(client):
    client.force_login(StaffFactory(groups=["compliance lead"]))
    url = reverse("admin:transactions_auditrulelevel_add")
    rule = AuditRule.objects.get(code=CODE)
    bad = client.post(url, {"rule": rule.pk, "level": "high", "parameters": '{"min_amount": -1}'})
    assert bad.status_code == 200 and "must be zero or more" in bad.content.decode()
    unknown = client.post(url, {"rule": rule.pk, "level": "high", "parameters": '{"max": 1}'})
    assert "Missing: min_amount" in unknown.content.decode()
    ok = client.post(url, {"rule": rule.pk, "level": "high", "parameters": '{"min_amount": 800}'})
    assert ok.status_code == 302
    assert AuditRuleLevel.objects.get(rule=rule, level="high").parameters == {"min_amount": "800"}


def test_a_reviewer_cannot_add_a_level_set(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    rule = AuditRule.objects.get(code=CODE)
    response = client.post(
        reverse("admin:transactions_auditrulelevel_add"),
        {"rule": rule.pk, "level": "high", "parameters": '{"min_amount": 800}'},
    )
    assert response.status_code == 403
