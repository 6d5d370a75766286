"""Recording the outcome: the checklist complete, findings for anything but a pass, a fix date for
a remediation; a fail suspends the merchant's active terminals, on record; the merchant re-rated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from merchants.models import (
    InspectionAnswer,
    InspectionOutcome,
    InspectionStatus,
    MerchantRisk,
    TerminalStatus,
    TerminalTransition,
)
from merchants.risk.inspections.checklist import CHECKLIST
from merchants.risk.inspections.services import inspection_complete
from tests.factories import TerminalFactory
from tests.merchants.risk.inspections.helpers import all_answers, checked_in, completed

pytestmark = pytest.mark.django_db


def _complete(inspection, **kwargs):
    args = {"answers": all_answers(), "findings": "", "outcome": "pass"} | kwargs
    return inspection_complete(inspection=inspection, actor=inspection.assignee, **args)


def test_a_pass_completes_the_inspection_with_its_answers():
    inspection = _complete(
        checked_in(), answers=all_answers("yes") | {"signage": ("no", "old sign")}
    )
    assert inspection.status == InspectionStatus.COMPLETED
    assert inspection.outcome == InspectionOutcome.PASS
    assert inspection.completed_by == inspection.assignee and inspection.completed_at
    answers = dict(InspectionAnswer.objects.values_list("item", "answer"))
    assert len(answers) == len(CHECKLIST) and answers["signage"] == "no"
    assert InspectionAnswer.objects.get(item="signage").note == "old sign"


def test_an_unanswered_item_is_refused_and_nothing_is_written():
    inspection = checked_in()
    answers = all_answers()
    del answers["signage"]
    with pytest.raises(ValidationError) as refused:
        _complete(inspection, answers=answers)
    assert "shop sign" in str(refused.value.message_dict["answers"])
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CHECKED_IN
    assert not InspectionAnswer.objects.exists()


def test_a_remediation_needs_findings_and_a_fix_date_in_the_coming_months():
    inspection = checked_in()
    with pytest.raises(ValidationError) as refused:
        _complete(inspection, outcome="remediation")
    assert set(refused.value.message_dict) == {"findings", "remediation_due_on"}
    today = timezone.localdate()
    for bad in (today, today + timedelta(days=181)):
        with pytest.raises(ValidationError, match="within 180 days"):
            _complete(inspection, outcome="remediation", findings="x", remediation_due_on=bad)
    done = _complete(
        inspection,
        outcome="remediation",
        findings="The licence is not displayed.",
        remediation_due_on=today + timedelta(days=30),
    )
    assert done.remediation_due_on == today + timedelta(days=30)


def test_a_pass_keeps_no_fix_date():
    inspection = _complete(
        checked_in(), remediation_due_on=timezone.localdate() + timedelta(days=5)
    )
    assert inspection.remediation_due_on is None


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValidationError, match="Choose the outcome"):
        _complete(checked_in(), outcome="maybe")


def test_a_fail_suspends_the_active_terminals_with_the_inspection_as_reason():
    inspection = checked_in()
    active = [TerminalFactory(merchant=inspection.merchant, active=True) for _ in range(2)]
    pending = TerminalFactory(merchant=inspection.merchant)
    other = TerminalFactory(active=True)
    _complete(inspection, outcome="fail", findings="Terminals used at another shop.")
    for terminal in active:
        terminal.refresh_from_db()
        assert terminal.status == TerminalStatus.SUSPENDED
        step = TerminalTransition.objects.get(terminal=terminal)
        assert (step.from_status, step.to_status) == ("active", "suspended")
        assert step.actor == inspection.assignee
        assert step.reason.startswith(f"inspection #{inspection.pk} failed: Terminals used")
    pending.refresh_from_db()
    other.refresh_from_db()
    assert pending.status == TerminalStatus.PENDING and other.status == TerminalStatus.ACTIVE


def test_the_outcome_is_on_the_inspection_s_record():
    inspection = completed(outcome="fail", findings="Not the registered business.")
    step = inspection.transitions.last()
    assert (step.from_status, step.to_status, step.reason) == ("checked_in", "completed", "fail")
    assert inspection.history.first().outcome == "fail"


def test_an_outcome_has_the_merchant_rated_again(django_capture_on_commit_callbacks):
    inspection = checked_in()
    with django_capture_on_commit_callbacks(execute=True):
        _complete(inspection, outcome="fail", findings="Not the registered business.")
    risk = MerchantRisk.objects.get(merchant=inspection.merchant)
    entry = next(f for f in risk.factors if f["code"] == "inspection")
    assert entry["points"] == 30


def test_a_completed_inspection_cannot_be_completed_again():
    inspection = completed()
    with pytest.raises(ValidationError, match="Cannot record the outcome"):
        _complete(inspection)
