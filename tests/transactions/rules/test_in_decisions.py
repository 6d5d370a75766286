"""A live review / hold rule screens every API report at report time; a shadow one only records."""

from __future__ import annotations

import pytest

from tests.transactions.decisions.helpers import codes, decide
from tests.transactions.helpers import TerminalAPI
from tests.transactions.rules.helpers import BIG_UNVERIFIED, live, make_rule
from transactions.models import Alert, Decision, Hold

pytestmark = pytest.mark.django_db

HOLD_BIG = {**BIG_UNVERIFIED, "action": "hold", "severity": "critical"}


@pytest.fixture
def api(client):
    return TerminalAPI(client)


def test_an_active_hold_rule_holds_the_sale_with_its_reasons(api):
    version = live(make_rule(HOLD_BIG))
    decision = decide(api, amount="6000.00", cvm="none", method="debit_card")
    assert decision["outcome"] == "hold"
    assert "rule:big_unverified" in codes(decision)
    reason = next(r for r in decision["reasons"] if r["code"] == "rule:big_unverified")
    assert "amount gte 5000 → 6000.00" in reason["message"]
    alert = Alert.objects.get(rule__code="data_big_unverified")
    assert (alert.rule_version, alert.severity, alert.shadow) == (version, "critical", False)
    held = Hold.objects.get(alert=alert)
    assert alert.explain["reports"][str(held.report_id)][0]["value"] == "6000.00"


def test_a_report_that_does_not_match_is_accepted(api):
    live(make_rule(HOLD_BIG))
    decision = decide(api, amount="6000.00", cvm="pin", method="debit_card")
    assert "rule:big_unverified" not in codes(decision)


def test_a_shadow_rule_is_recorded_never_acted_on(api):
    live(make_rule(HOLD_BIG), "shadow")
    decision = decide(api, amount="6000.00", cvm="none", method="debit_card")
    assert "rule:big_unverified" not in codes(decision)
    row = Decision.objects.get()
    (ran,) = [c for c in row.checks if c["code"] == "rule:big_unverified"]
    assert ran["hit"] and ran["shadow"]
    assert not Alert.objects.filter(rule__code="data_big_unverified").exists()


def test_an_alert_only_rule_does_not_run_at_report_time(api):
    live(make_rule())
    decide(api, amount="6000.00", cvm="none", method="debit_card")
    assert not [c for c in Decision.objects.get().checks if c["code"].startswith("rule:")]


def test_the_audit_does_not_raise_again_what_the_screening_raised(api):
    from tests.transactions.audit.helpers import audit

    live(make_rule({**BIG_UNVERIFIED, "action": "review"}))
    decide(api, amount="6000.00", cvm="none", method="debit_card")
    audit()
    assert Alert.objects.filter(rule__code="data_big_unverified").count() == 1
