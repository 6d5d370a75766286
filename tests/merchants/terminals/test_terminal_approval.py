"""A new terminal of a merchant whose risk level asks for it waits for a lead's approval."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from merchants.models import HighRiskMcc, RiskLevelPolicy, TerminalStatus, TerminalTransition
from merchants.terminals.services import terminal_assign_tid, terminal_register, terminal_transition
from portal.common.statemachine import TransitionNotAllowed
from tests.factories import MerchantFactory, StaffFactory
from tests.merchants.risk.rating.helpers import rate

pytestmark = pytest.mark.django_db

DATA = {
    "serial_number": "SN-RISK-1",
    "model_name": "PAX A920",
    "province": "31",
    "city": "上海市",
    "address": "世纪大道100号",
    "latitude": "31.235929",
    "longitude": "121.506058",
}


@pytest.fixture
def high_risk():
    HighRiskMcc.objects.update_or_create(mcc="5944", defaults={"category": "x", "points": 70})
    merchant = MerchantFactory(approved=True, mcc="5944")
    assert rate(merchant).level_at() == "high"
    return merchant


def test_a_high_risk_merchants_new_terminal_awaits_approval(high_risk):
    terminal = terminal_register(merchant=high_risk, actor=None, data=DATA)
    assert terminal.status == TerminalStatus.AWAITING


def test_a_low_risk_merchants_new_terminal_is_pending_as_before():
    merchant = MerchantFactory(approved=True)
    rate(merchant)
    assert terminal_register(merchant=merchant, actor=None, data=DATA).status == "pending"


def test_an_unrated_merchants_new_terminal_is_pending():
    merchant = MerchantFactory(approved=True)
    assert terminal_register(merchant=merchant, actor=None, data=DATA).status == "pending"


def test_the_level_policy_decides_not_the_level_name(high_risk):
    RiskLevelPolicy.objects.filter(level="high").update(terminal_approval_required=False)
    assert terminal_register(merchant=high_risk, actor=None, data=DATA).status == "pending"


def test_no_tid_and_no_activation_before_approval(high_risk):
    lead = StaffFactory(groups=["compliance lead"])
    terminal = terminal_register(merchant=high_risk, actor=None, data=DATA)
    with pytest.raises(TransitionNotAllowed):
        terminal_assign_tid(terminal=terminal, actor=lead)
    with pytest.raises(TransitionNotAllowed):
        terminal_transition(terminal=terminal, name="activate", actor=lead)


def test_a_lead_approves_with_a_reason_and_it_is_recorded(high_risk):
    lead = StaffFactory(groups=["compliance lead"])
    terminal = terminal_register(merchant=high_risk, actor=None, data=DATA)
    with pytest.raises(TransitionNotAllowed):
        terminal_transition(terminal=terminal, name="approve", actor=lead, reason="")
    terminal = terminal_transition(
        terminal=terminal, name="approve", actor=lead, reason="Site visit done."
    )
    assert terminal.status == TerminalStatus.PENDING
    step = TerminalTransition.objects.get(terminal=terminal)
    assert (step.from_status, step.to_status, step.actor) == ("awaiting", "pending", lead)
    terminal = terminal_assign_tid(terminal=terminal, actor=lead)
    assert terminal_transition(terminal=terminal, name="activate", actor=lead).status == "active"


def test_a_reviewer_cannot_approve(high_risk):
    terminal = terminal_register(merchant=high_risk, actor=None, data=DATA)
    with pytest.raises(PermissionDenied):
        terminal_transition(
            terminal=terminal,
            name="approve",
            actor=StaffFactory(groups=["compliance reviewer"]),
            reason="x",
        )


def test_a_lead_refuses_by_retiring_it(high_risk):
    lead = StaffFactory(groups=["compliance lead"])
    terminal = terminal_register(merchant=high_risk, actor=None, data=DATA)
    terminal = terminal_transition(terminal=terminal, name="retire", actor=lead, reason="No.")
    assert terminal.status == TerminalStatus.RETIRED


def test_a_lead_approves_in_admin(client, high_risk):
    lead = StaffFactory(groups=["compliance lead"])
    terminal = terminal_register(merchant=high_risk, actor=None, data=DATA)
    client.force_login(lead)
    response = client.post(
        reverse("admin:merchants_terminal_changelist"),
        {
            "action": "approve",
            "_selected_action": [terminal.pk],
            "apply": "1",
            "reason": "Visited.",
        },
    )
    assert response.status_code == 302
    terminal.refresh_from_db()
    assert terminal.status == TerminalStatus.PENDING


def test_the_merchant_sees_the_terminal_awaiting_approval(client, high_risk):
    from tests.factories import MembershipFactory

    terminal_register(merchant=high_risk, actor=None, data=DATA)
    client.force_login(MembershipFactory(merchant=high_risk).user)
    html = client.get(reverse("merchants:terminals")).content.decode()
    assert "Awaiting approval" in html
