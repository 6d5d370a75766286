from io import StringIO

import pytest
from django.core.management import call_command

from merchants.models import ApplicationStatus, Merchant, Terminal, TerminalStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_merchants_in_every_state_and_prints_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert set(Merchant.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert Terminal.objects.filter(status=TerminalStatus.ACTIVE).count() == 6
    assert all(m.mid for m in Merchant.objects.approved())
    assert "shop-sh" in out.getvalue() and "demo-pass-2026" in out.getvalue()


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    counts = (Merchant.objects.count(), Terminal.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Merchant.objects.count(), Terminal.objects.count()) == counts


def test_seed_demo_reports_a_week_for_every_active_terminal():
    from transactions.models import Report

    call_command("seed_demo", stdout=StringIO())
    active = Terminal.objects.filter(status=TerminalStatus.ACTIVE)
    assert Report.objects.values("terminal").distinct().count() == active.count()
    assert Report.objects.filter(type="refund").exists()
    count = Report.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Report.objects.count() == count


def test_seed_demo_audits_the_reports_into_alerts_part_way_through_review():
    from transactions.models import Alert, AlertStatus, Hold

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert f"{Alert.objects.count()} demo alerts raised" in out.getvalue()
    shanghai = Merchant.objects.get(memberships__user__username="shop-sh")
    beijing = Merchant.objects.get(memberships__user__username="shop-bj")
    assert set(Alert.objects.values_list("merchant", flat=True)) == {shanghai.pk, beijing.pk}
    assert Alert.objects.filter(
        merchant=shanghai, status=AlertStatus.AWAITING_MERCHANT, rule__code="late_report"
    ).exists()
    assigned = Alert.objects.get(assignee__username="reviewer", rule__code="mcc_jump")
    assert assigned.merchant == beijing and assigned.status == AlertStatus.IN_REVIEW
    [hold] = Hold.objects.all()
    assert hold.is_active and hold.alert.merchant == shanghai
    assert hold.alert.rule.code == "unverified_high_value"


def test_the_demo_weeks_own_reports_arrive_in_time():
    from transactions.models import Alert

    call_command("seed_demo", stdout=StringIO())
    [late] = Alert.objects.filter(rule__code="late_report")
    assert late.report_count == 1


def test_seed_demo_twice_audits_and_reviews_once():
    from transactions.models import Alert, AlertTransition, AuditRun, Hold

    def state():
        return (
            sorted(Alert.objects.values_list("fingerprint", "status", "report_count")),
            AlertTransition.objects.count(),
            Hold.objects.count(),
            AuditRun.objects.count(),
        )

    call_command("seed_demo", stdout=StringIO())
    first = state()
    call_command("seed_demo", stdout=StringIO())
    assert state() == first
