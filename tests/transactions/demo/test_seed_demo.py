from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from merchants.models import ApplicationStatus, Merchant, Terminal, TerminalStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_merchants_in_every_state_and_prints_logins():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert set(Merchant.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert Terminal.objects.filter(status=TerminalStatus.ACTIVE).count() == 6
    assert all(m.mid for m in Merchant.objects.approved())
    assert "shop-sh" in out.getvalue() and "demo-pass-2026" in out.getvalue()


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", "--force", stdout=StringIO())
    counts = (Merchant.objects.count(), Terminal.objects.count())
    call_command("seed_demo", "--force", stdout=StringIO())
    assert (Merchant.objects.count(), Terminal.objects.count()) == counts


def test_seed_demo_reports_a_week_for_every_active_terminal():
    from transactions.models import Report

    call_command("seed_demo", "--force", stdout=StringIO())
    active = Terminal.objects.filter(status=TerminalStatus.ACTIVE)
    assert Report.objects.values("terminal").distinct().count() == active.count()
    assert Report.objects.filter(type="refund").exists()
    count = Report.objects.count()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Report.objects.count() == count


def test_seed_demo_audits_the_reports_into_alerts_part_way_through_review():
    from transactions.models import Alert, AlertStatus, Hold

    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    audited = Alert.objects.exclude(rule__code__startswith="recon_").count()
    assert f"{audited} demo alerts raised" in out.getvalue()
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

    call_command("seed_demo", "--force", stdout=StringIO())
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

    call_command("seed_demo", "--force", stdout=StringIO())
    first = state()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert state() == first


def _demo_run():
    from transactions.demo.reconciliation import ACQUIRER_CODE
    from transactions.models import ReconciliationRun

    return ReconciliationRun.objects.select_related("file").get(file__acquirer__code=ACQUIRER_CODE)


def test_seed_demo_reconciles_a_settlement_file_with_one_of_each_difference():
    from portal.common.beijing import day_bounds
    from transactions.models import FileStatus, Report
    from transactions.reconciliation.matching import SETTLED_TYPES

    call_command("seed_demo", "--force", stdout=StringIO())
    run = _demo_run()
    shanghai = Merchant.objects.get(memberships__user__username="shop-sh")
    line = run.file.lines.order_by("line_no").first()
    start, end = day_bounds(line.day)
    day_reports = Report.objects.filter(
        type__in=SETTLED_TYPES, occurred_at__gte=start, occurred_at__lt=end
    )
    reported = day_reports.filter(merchant=shanghai).count()
    # The acquirer's file has the other merchants' sales of the day too, all settled.
    others = day_reports.exclude(merchant=shanghai).count()
    assert run.file.status == FileStatus.DONE and run.file.uploaded_by.username == "lead"
    assert run.file.error_count == 0 and run.file.line_count == reported + 1 + others
    assert (
        run.matched,
        run.amount_mismatch,
        run.reported_not_settled,
        run.settled_not_reported,
        run.duplicate_in_file,
        run.merchant_not_in_file,
    ) == (reported - 2 + others, 1, 1, 1, 1, 0)


def test_seed_demo_raises_the_reconciliation_alerts_at_shop_sh():
    from transactions.models import Alert

    call_command("seed_demo", "--force", stdout=StringIO())
    shanghai = Merchant.objects.get(memberships__user__username="shop-sh")
    recon = Alert.objects.filter(rule__code__startswith="recon_")
    assert sorted(recon.values_list("rule__code", "merchant")) == [
        ("recon_amount_mismatch", shanghai.pk),
        ("recon_missing_report", shanghai.pk),
    ]
    assert _demo_run().alerts_created == 2


def test_shop_sh_sees_the_demo_reconciliation_and_its_differences(client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from transactions.demo.reconciliation import UNREPORTED_RRN
    from transactions.models import Outcome

    call_command("seed_demo", "--force", stdout=StringIO())
    run = _demo_run()
    client.force_login(get_user_model().objects.get(username="shop-sh"))
    listing = client.get(reverse("transactions:recon_list"))
    assert listing.status_code == 200
    assert reverse("transactions:recon_run", args=[run.pk]) in listing.content.decode()
    page = client.get(reverse("transactions:recon_run", args=[run.pk]))
    assert page.status_code == 200
    kinds = {item.kind for item in page.context["items"]}
    assert kinds == set(Outcome.values) - {Outcome.MATCHED, Outcome.MERCHANT_NOT_IN_FILE}
    assert UNREPORTED_RRN in page.content.decode()


def test_seed_demo_twice_uploads_and_reconciles_once():
    from transactions.models import Alert, ReconciliationItem, ReconciliationRun, SettlementFile

    def state():
        return (
            list(SettlementFile.objects.values_list("pk", "sha256", "status")),
            list(ReconciliationRun.objects.values_list("pk", "alerts_created")),
            ReconciliationItem.objects.count(),
            sorted(Alert.objects.values_list("fingerprint", flat=True)),
        )

    call_command("seed_demo", "--force", stdout=StringIO())
    first = state()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert state() == first and len(first[0]) == 1


def test_seed_demo_refuses_to_run_without_debug(settings):
    """Its staff have a published password and backup code: never on a deployment by accident."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="admin").exists()
    assert not Merchant.objects.exists()


def test_seed_demo_runs_in_development(settings):
    settings.DEBUG = True  # scripts/run sets DEBUG=true
    call_command("seed_demo", stdout=StringIO())
    assert get_user_model().objects.filter(username="admin", is_superuser=True).exists()
