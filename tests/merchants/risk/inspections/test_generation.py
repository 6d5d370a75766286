"""Tasks are generated from each merchant's level (its interval, editable) and last inspection;
never two open per merchant; merchants without fixed premises are asked for photos instead."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError

from merchants.models import (
    Inspection,
    InspectionKind,
    InspectionStatus,
    MerchantRisk,
    RiskLevel,
    RiskLevelPolicy,
)
from merchants.risk.inspections.schedule import (
    AHEAD_DAYS,
    MIN_NOTICE_DAYS,
    add_months,
    generate_inspections,
)
from portal.common.beijing import SHANGHAI
from tests.factories import MembershipFactory, MerchantFactory
from tests.merchants.risk.inspections.helpers import InspectionFactory, completed

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


def _at(level: str, **merchant_fields):
    """An approved merchant rated at ``level`` (set on its rating, as the nightly run would)."""
    merchant = MerchantFactory(approved=True, **merchant_fields)
    MerchantRisk.objects.create(
        merchant=merchant, score=0, computed_level=level, computed_at=datetime.now(SHANGHAI)
    )
    return merchant


def _last_inspected(merchant, day: date, outcome: str = "pass"):
    inspection = completed(InspectionFactory(merchant=merchant), outcome=outcome, findings="x")
    Inspection.objects.filter(pk=inspection.pk).update(
        completed_at=datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI)
    )
    return inspection


@pytest.mark.parametrize(
    ("level", "months"),
    [(RiskLevel.HIGH, 3), (RiskLevel.MEDIUM, 6), (RiskLevel.LOW, 12)],
)
def test_each_level_is_due_its_interval_after_the_last_inspection(level, months):
    merchant = _at(level)
    last = date(2026, 1, 10)
    _last_inspected(merchant, last)
    due = add_months(last, months)
    assert generate_inspections(today=due - timedelta(days=AHEAD_DAYS + 1)).created == 0
    assert generate_inspections(today=due - timedelta(days=AHEAD_DAYS)).created == 1
    task = Inspection.objects.open().get(merchant=merchant)
    assert (task.due_on, task.kind, task.level) == (due, InspectionKind.ON_SITE, level)


def test_the_interval_is_the_level_policy_s_and_editable():
    RiskLevelPolicy.objects.filter(level=RiskLevel.HIGH).update(inspection_every_months=1)
    merchant = _at(RiskLevel.HIGH)
    _last_inspected(merchant, date(2026, 11, 20))
    generate_inspections(today=TODAY)
    assert Inspection.objects.open().get(merchant=merchant).due_on == max(
        date(2026, 12, 20), TODAY + timedelta(days=MIN_NOTICE_DAYS)
    )


def test_the_interval_can_be_at_most_a_year():
    policy = RiskLevelPolicy.objects.get(level=RiskLevel.LOW)
    policy.inspection_every_months = 13
    with pytest.raises(Exception, match="12"):
        policy.full_clean()


def test_a_merchant_never_inspected_is_due_its_interval_after_approval():
    approved = datetime(2026, 3, 1, 10, tzinfo=SHANGHAI)
    merchant = _at(RiskLevel.MEDIUM, approved_at=approved)
    assert generate_inspections(today=date(2026, 8, 1)).created == 0
    generate_inspections(today=date(2026, 8, 2))
    assert Inspection.objects.open().get(merchant=merchant).due_on == date(2026, 9, 1)


def test_an_unrated_merchant_is_inspected_yearly():
    merchant = MerchantFactory(approved=True, approved_at=datetime(2026, 1, 5, tzinfo=SHANGHAI))
    generate_inspections(today=TODAY)
    assert Inspection.objects.open().get(merchant=merchant).due_on == date(2027, 1, 5)


def test_a_long_overdue_merchant_gets_at_least_the_minimum_notice():
    merchant = _at(RiskLevel.LOW, approved_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    generate_inspections(today=TODAY)
    task = Inspection.objects.open().get(merchant=merchant)
    assert task.due_on == TODAY + timedelta(days=MIN_NOTICE_DAYS)


def test_after_a_remediation_the_next_visit_is_due_when_the_fix_is(settings):
    merchant = _at(RiskLevel.LOW)
    fix_due = date.today() + timedelta(days=60)
    completed(
        InspectionFactory(merchant=merchant),
        outcome="remediation",
        findings="no sign",
        fix_due=fix_due,
    )
    generate_inspections(today=fix_due - timedelta(days=AHEAD_DAYS))
    assert Inspection.objects.open().get(merchant=merchant).due_on == fix_due


def test_generating_twice_creates_one_task_per_merchant():
    merchants = [
        _at(RiskLevel.HIGH, approved_at=datetime(2025, 1, 1, tzinfo=SHANGHAI)) for _ in range(3)
    ]
    assert generate_inspections(today=TODAY).created == 3
    assert generate_inspections(today=TODAY).created == 0
    assert generate_inspections(today=TODAY + timedelta(days=200)).created == 0
    for merchant in merchants:
        assert Inspection.objects.filter(merchant=merchant).count() == 1


def test_the_database_refuses_a_second_open_task():
    task = InspectionFactory()
    with pytest.raises(IntegrityError):
        InspectionFactory(merchant=task.merchant, status=InspectionStatus.ASSIGNED)


def test_a_cancelled_or_completed_task_does_not_block_the_next():
    task = InspectionFactory(status=InspectionStatus.CANCELLED)
    InspectionFactory(merchant=task.merchant)
    assert Inspection.objects.open().filter(merchant=task.merchant).count() == 1


def test_merchants_not_approved_get_no_task():
    MerchantFactory(approved_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    assert generate_inspections(today=TODAY).created == 0


def test_without_fixed_premises_the_merchant_is_asked_for_photos_by_mail(
    django_capture_on_commit_callbacks,
):
    merchant = _at(
        RiskLevel.LOW, fixed_premises=False, approved_at=datetime(2025, 1, 1, tzinfo=SHANGHAI)
    )
    owner = MembershipFactory(merchant=merchant).user
    with django_capture_on_commit_callbacks(execute=True):
        summary = generate_inspections(today=TODAY)
    assert (summary.on_site, summary.photos) == (0, 1)
    task = Inspection.objects.get(merchant=merchant)
    assert task.kind == InspectionKind.PHOTOS and task.status == InspectionStatus.SCHEDULED
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "/merchant/risk/inspections/" in mail.outbox[0].body


def test_the_generation_is_on_the_task_s_history():
    _at(RiskLevel.HIGH, approved_at=datetime(2025, 1, 1, tzinfo=SHANGHAI))
    generate_inspections(today=TODAY)
    record = Inspection.objects.get().history.get()
    assert record.history_type == "+" and "level high" in record.history_change_reason


def test_add_months_keeps_the_day_or_takes_the_month_s_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
