"""The rating factor *inspection results*: the last outcome, and an inspection left overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from merchants.models import InspectionStatus
from tests.merchants.risk.inspections.helpers import InspectionFactory, completed
from tests.merchants.risk.rating.helpers import factor

pytestmark = pytest.mark.django_db


def test_a_merchant_never_inspected_and_not_overdue_scores_nothing():
    inspection = InspectionFactory()
    entry = factor(inspection.merchant, "inspection")
    assert entry["points"] == 0 and entry["name"] == "Inspection results"


def test_a_pass_scores_nothing():
    assert factor(completed().merchant, "inspection")["points"] == 0


def test_a_fail_scores_most():
    entry = factor(completed(outcome="fail", findings="x").merchant, "inspection")
    assert (entry["value"], entry["points"]) == ("fail", 30)
    assert entry["params"]["date"] == timezone.localdate().isoformat()


def test_a_remediation_scores_less():
    inspection = completed(
        outcome="remediation", findings="x", fix_due=timezone.localdate() + timedelta(days=9)
    )
    assert factor(inspection.merchant, "inspection")["points"] == 15


def test_an_overdue_inspection_scores_on_its_own_and_on_top_of_an_outcome():
    overdue = InspectionFactory(due_on=timezone.localdate() - timedelta(days=1))
    assert factor(overdue.merchant, "inspection")["points"] == 10
    failed = completed(outcome="fail", findings="x")
    InspectionFactory(
        merchant=failed.merchant,
        status=InspectionStatus.ASSIGNED,
        due_on=timezone.localdate() - timedelta(days=3),
    )
    entry = factor(failed.merchant, "inspection")
    assert entry["points"] == 40 and "not done" in entry["message"]


def test_due_today_is_not_overdue():
    inspection = InspectionFactory(due_on=timezone.localdate())
    assert factor(inspection.merchant, "inspection")["points"] == 0


def test_the_last_outcome_counts_not_an_older_one():
    failed = completed(outcome="fail", findings="x")
    completed(InspectionFactory(merchant=failed.merchant))
    assert factor(failed.merchant, "inspection")["points"] == 0
