"""A live data rule runs in the scheduled audit beside the built-ins, through the alert path."""

from __future__ import annotations

import pytest

from tests.transactions.audit.helpers import audit, plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.rules.helpers import BIG_UNVERIFIED, live, make_rule, reviewer, rule_revise
from transactions.models import Alert

pytestmark = pytest.mark.django_db


def big_sales(terminal):
    return [
        plant(terminal, at=shanghai(1, 10), amount="6000.00", cvm="none"),
        plant(terminal, at=shanghai(1, 11), amount="7000.00", cvm="pin"),
        plant(terminal, at=shanghai(1, 12), amount="100.00", cvm="none"),
    ]


def test_an_active_rule_raises_alerts_with_its_version_and_explanation():
    terminal = reporting_terminal()
    hit, _verified, _small = big_sales(terminal)
    rule = make_rule()
    version = live(rule)
    run = audit()
    alert = Alert.objects.get(rule=rule.audit_rule)
    assert list(alert.reports.all()) == [hit]
    assert (alert.rule_version, alert.shadow, alert.severity) == (version, False, "high")
    conditions = alert.explain["reports"][str(hit.pk)]
    assert [(c["field"], c["value"], c["met"]) for c in conditions] == [
        ("amount", "6000.00", True),
        ("cvm", "none", False),  # the leaf under "not": cvm is not pin/signature
    ]
    assert alert.explain["version"] == 1
    assert run.counts["data_big_unverified"] == 1
    assert "version 1" in alert.explanation


def test_a_repeated_audit_raises_nothing_twice():
    big_sales(reporting_terminal())
    live(make_rule())
    audit()
    from transactions.models import AuditRun

    AuditRun.objects.all().delete()
    audit()
    assert Alert.objects.filter(rule__code="data_big_unverified").count() == 1


def test_a_shadow_version_raises_shadow_alerts_kept_out_of_the_queues():
    terminal = reporting_terminal()
    big_sales(terminal)
    rule = make_rule()
    live(rule)
    changed = {**BIG_UNVERIFIED, "when": {"field": "amount", "op": "gte", "value": "5000"}}
    shadow = rule_revise(rule=rule, document=changed, reason="wider", actor=reviewer())
    live(rule, "shadow", shadow)
    run = audit()
    shadows = Alert.objects.filter(shadow=True)
    assert shadows.count() == 2 and {a.rule_version for a in shadows} == {shadow}
    assert run.counts["data_big_unverified:shadow"] == 2
    assert not Alert.objects.unresolved().filter(shadow=True).exists()
    mine = Alert.objects.for_merchant(terminal.merchant).filter(rule=rule.audit_rule)
    assert mine.count() == 1 and not mine.get().shadow


def test_a_draft_does_not_run():
    big_sales(reporting_terminal())
    make_rule()
    run = audit()
    assert "data_big_unverified" not in run.rules
    assert not Alert.objects.filter(rule__code="data_big_unverified").exists()
