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
