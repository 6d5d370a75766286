"""Alerts from differences, tenant isolation in the portal, admin permissions, beat."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from merchants.models import Role
from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import AcquirerFactory, csv_bytes, line_for, upload
from transactions.models import Alert, FileStatus, ReconciliationItem, SettlementFile
from transactions.reconciliation.services import (
    STALLED_AFTER,
    reconciliation_run,
    settlement_file_process,
)
from transactions.tasks import reconcile_pending_files

pytestmark = pytest.mark.django_db


def two_merchants_file():
    """One file with a mismatch and a missing report at each of two merchants."""
    rows, terminals = [], []
    for n in range(2):
        terminal = reporting_terminal()
        terminals.append(terminal)
        report = plant(terminal, at=shanghai(2, 10), rrn=f"33120000000{n}", amount="100.00")
        rows.append(line_for(report, amount="90.00"))
        ghost = line_for(report, rrn=f"33990000000{n}", trace_no="999999")
        ghost["occurred_at"] = shanghai(2, 20).strftime("%Y-%m-%d %H:%M:%S")
        rows.append(ghost)
    settlement = upload(rows)
    run = settlement_file_process(file_id=settlement.pk, trigger="test")
    return run, terminals


def portal(client, merchant, role=Role.OWNER):
    membership = MembershipFactory(merchant=merchant, role=role)
    client.force_login(membership.user)
    return client


def test_mismatches_and_missing_reports_raise_one_alert_each():
    run, terminals = two_merchants_file()
    codes = sorted(Alert.objects.values_list("rule__code", flat=True))
    assert codes == ["recon_amount_mismatch"] * 2 + ["recon_missing_report"] * 2
    assert run.alerts_created == 4
    mismatch = Alert.objects.get(rule__code="recon_amount_mismatch", merchant=terminals[0].merchant)
    assert mismatch.report_count == 1 and mismatch.terminal_id == terminals[0].pk


def test_alerts_made_under_the_chinese_ui_store_english_and_read_in_each_language():
    with translation.override("zh-hans"):
        two_merchants_file()
    alert = Alert.objects.filter(rule__code="recon_amount_mismatch").first()
    assert (
        alert.explanation.startswith("Settlement file ") and "settled ¥90.00" in alert.explanation
    )
    assert alert.rule.name == "Settled amount differs from the report"
    assert alert.get_explanation_display() == alert.explanation
    with translation.override("zh-hans"):
        assert alert.get_explanation_display().startswith("清算文件 ")
        assert alert.rule.label == translation.gettext("Settled amount differs from the report")
        assert alert.rule.label != alert.rule.name


def test_reconciling_again_raises_no_alert_twice():
    run, _terminals = two_merchants_file()
    again = reconciliation_run(file_id=run.file_id, trigger="again")
    assert Alert.objects.count() == 4
    assert again.alerts_created == 0


def test_reconciling_again_rewrites_no_alert_that_did_not_change():
    run, _terminals = two_merchants_file()
    with CaptureQueriesContext(connection) as queries:
        reconciliation_run(file_id=run.file_id, trigger="again")
    alert_table = Alert._meta.db_table
    assert not [q for q in queries if q["sql"].startswith(f'UPDATE "{alert_table}"')]


def test_an_alert_answered_in_the_meantime_gets_its_count_again():
    run, _terminals = two_merchants_file()
    mismatch = Alert.objects.filter(rule__code="recon_amount_mismatch").first()
    Alert.objects.filter(pk=mismatch.pk).update(report_count=0, explanation="stale")
    reconciliation_run(file_id=run.file_id, trigger="again")
    mismatch.refresh_from_db()
    assert mismatch.report_count == 1 and mismatch.explanation.startswith("Settlement file ")


def test_a_disabled_recon_rule_raises_nothing():
    from transactions.models import Outcome
    from transactions.reconciliation.alerts import recon_rule

    rule = recon_rule(Outcome.AMOUNT_MISMATCH)
    rule.enabled = False
    rule.save()
    two_merchants_file()
    assert not Alert.objects.filter(rule__code="recon_amount_mismatch").exists()


def test_the_merchant_sees_only_its_own_differences_and_totals(client):
    run, terminals = two_merchants_file()
    mine = terminals[0].merchant
    page = portal(client, mine).get(reverse("transactions:recon_run", args=[run.pk]))
    assert page.status_code == 200
    items = list(page.context["items"])
    assert {i.merchant_id for i in items} == {mine.pk} and len(items) == 2
    [day] = page.context["days"]
    assert day.count("amount_mismatch") == 1 and day.count("settled_not_reported") == 1
    assert day.settled == Decimal("190.00") and day.reported == Decimal("100.00")


def test_the_merchant_csv_holds_only_its_own_lines(client):
    run, terminals = two_merchants_file()
    response = portal(client, terminals[0].merchant).get(
        reverse("transactions:recon_run_csv", args=[run.pk])
    )
    text = b"".join(response.streaming_content).decode()
    assert text.count("\n") == 3  # header + 2
    assert terminals[0].tid in text and terminals[1].tid not in text


def test_a_run_without_the_merchants_data_is_404(client):
    run, _terminals = two_merchants_file()
    stranger = reporting_terminal().merchant
    page = portal(client, stranger).get(reverse("transactions:recon_run", args=[run.pk]))
    assert page.status_code == 404


def test_another_merchants_file_is_404(client):
    terminal = reporting_terminal()
    report = plant(terminal, at=shanghai(2, 10), rrn="331200000001")
    settlement = upload([line_for(report)], merchant=terminal.merchant)
    stranger = reporting_terminal().merchant
    for name in ("recon_file", "recon_file_errors"):
        url = reverse(f"transactions:{name}", args=[settlement.pk])
        assert portal(client, stranger).get(url).status_code == 404


def test_the_merchant_uploads_its_own_file(client, django_capture_on_commit_callbacks):
    terminal = reporting_terminal()
    report = plant(terminal, at=shanghai(2, 10), rrn="331200000001")
    acquirer = AcquirerFactory()
    portal(client, terminal.merchant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("transactions:recon_list"),
            {"acquirer": acquirer.pk, "file": _file([line_for(report)])},
        )
    settlement = SettlementFile.objects.get()
    assert response.status_code == 302
    assert (settlement.merchant, settlement.status) == (terminal.merchant, FileStatus.DONE)
    page = client.get(reverse("transactions:recon_file", args=[settlement.pk]))
    assert page.status_code == 200 and page.context["run"].matched == 1
    listing = client.get(reverse("transactions:recon_list"))
    assert list(listing.context["runs"]) == [page.context["run"]]


def test_a_viewer_cannot_upload(client):
    terminal = reporting_terminal()
    portal(client, terminal.merchant, role=Role.VIEWER)
    response = client.post(
        reverse("transactions:recon_list"), {"acquirer": AcquirerFactory().pk, "file": _file([])}
    )
    assert response.status_code == 403
    assert not SettlementFile.objects.exists()


def test_the_same_file_uploaded_again_shows_an_error(client):
    terminal = reporting_terminal()
    report = plant(terminal, at=shanghai(2, 10), rrn="331200000001")
    acquirer = AcquirerFactory()
    portal(client, terminal.merchant)
    url = reverse("transactions:recon_list")
    client.post(url, {"acquirer": acquirer.pk, "file": _file([line_for(report)])})
    again = client.post(url, {"acquirer": acquirer.pk, "file": _file([line_for(report)])})
    assert again.status_code == 200
    assert "imported before" in str(again.context["form"].errors)
    assert SettlementFile.objects.count() == 1


def test_bad_rows_are_listed_on_the_file_page_and_in_csv(client):
    terminal = reporting_terminal()
    report = plant(terminal, at=shanghai(2, 10), rrn="331200000001")
    settlement = upload(
        [line_for(report), line_for(report, amount="x")], merchant=terminal.merchant
    )
    settlement_file_process(file_id=settlement.pk, trigger="test")
    portal(client, terminal.merchant)
    page = client.get(reverse("transactions:recon_file", args=[settlement.pk]))
    assert [e.line_no for e in page.context["errors"]] == [3]
    csv = client.get(reverse("transactions:recon_file_errors", args=[settlement.pk]))
    assert "3,amount" in b"".join(csv.streaming_content).decode()


def test_staff_with_the_role_see_runs_and_differences_in_admin(client):
    run, _terminals = two_merchants_file()
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    assert client.get(reverse("admin:transactions_reconciliationrun_changelist")).status_code == 200
    items = client.get(
        reverse("admin:transactions_reconciliationitem_changelist"), {"kind": "amount_mismatch"}
    )
    assert items.status_code == 200 and items.context["cl"].result_count == 2
    csv = client.get(reverse("admin:transactions_reconciliationrun_csv", args=[run.pk]))
    assert b"".join(csv.streaming_content).decode().count("\n") == 5


def test_staff_without_the_role_cannot_see_runs(client):
    run, _terminals = two_merchants_file()
    client.force_login(StaffFactory())
    assert client.get(reverse("admin:transactions_reconciliationrun_changelist")).status_code == 403
    csv = client.get(reverse("admin:transactions_reconciliationrun_csv", args=[run.pk]))
    assert csv.status_code in (403, 404)


def test_a_reviewer_cannot_upload_in_admin(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    assert client.get(reverse("admin:transactions_settlementfile_add")).status_code == 403


def test_a_lead_uploads_in_admin_and_the_import_is_queued(
    client, django_capture_on_commit_callbacks
):
    terminal = reporting_terminal()
    report = plant(terminal, at=shanghai(2, 10), rrn="331200000001")
    client.force_login(StaffFactory(groups=["compliance lead"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:transactions_settlementfile_add"),
            {"acquirer": AcquirerFactory().pk, "merchant": "", "file": _file([line_for(report)])},
        )
    assert response.status_code == 302
    settlement = SettlementFile.objects.get()
    assert settlement.status == FileStatus.DONE and settlement.merchant is None


def test_a_lead_cannot_save_an_acquirer_with_a_bad_mapping(client):
    client.force_login(StaffFactory(groups=["compliance lead"]))
    response = client.post(
        reverse("admin:transactions_acquirer_add"),
        {
            "name": "X",
            "code": "x",
            "column_mapping": '{"tid": "TID", "colour": "C"}',
            "type_values": "{}",
            "amount_tolerance": "0",
            "time_window_seconds": "60",
        },
    )
    assert response.status_code == 200
    assert "Unknown fields: colour" in str(response.context["adminform"].form.errors)


def test_beat_imports_and_reconciles_files_whose_task_was_lost():
    terminal = reporting_terminal()
    report = plant(terminal, at=shanghai(2, 10), rrn="331200000001")
    settlement = upload([line_for(report)])  # its on-commit task never ran
    assert reconcile_pending_files() == []  # just arrived: its task may still be queued
    SettlementFile.objects.filter(pk=settlement.pk).update(
        created_at=timezone.now() - STALLED_AFTER - timedelta(minutes=1)
    )
    assert reconcile_pending_files() == [settlement.pk]
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.DONE
    assert settlement.runs.get().matched == 1
    assert reconcile_pending_files() == []


def test_differences_point_at_their_lines():
    run, _terminals = two_merchants_file()
    assert ReconciliationItem.objects.filter(run=run, line__isnull=False).count() == 4


def _file(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("settle.csv", csv_bytes(rows), content_type="text/csv")
