"""Two ledgers: the acquirer's files (staff) and each merchant's own uploads never meet.

The same bytes are refused again only within a ledger, and a report settled in one ledger is
still open in the other.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from merchants.models import Role
from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import (
    MAPPING,
    AcquirerFactory,
    csv_bytes,
    line_for,
    process,
    upload,
)
from transactions.models import FileStatus, SettlementFile
from transactions.reconciliation import admin as admin_module
from transactions.reconciliation import importer
from transactions.reconciliation import services as reconciliation_services
from transactions.reconciliation.importer import settlement_file_import
from transactions.reconciliation.services import settlement_file_retry

pytestmark = pytest.mark.django_db


def lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def report():
    return plant(reporting_terminal(), at=shanghai(2, 10), rrn="331200000001")


@pytest.fixture
def acquirer():
    return AcquirerFactory()


def test_a_merchants_upload_does_not_block_the_acquirers_file(report, acquirer):
    content = csv_bytes([line_for(report)])
    upload([], content=content, acquirer=acquirer, merchant=report.merchant)
    upload([], content=content, acquirer=acquirer)
    assert SettlementFile.objects.count() == 2


def test_the_acquirers_file_does_not_block_a_merchants_upload(report, acquirer):
    content = csv_bytes([line_for(report)])
    upload([], content=content, acquirer=acquirer)
    upload([], content=content, acquirer=acquirer, merchant=report.merchant)
    assert SettlementFile.objects.count() == 2


def test_a_merchant_is_refused_its_own_file_again_but_not_another_merchants(report, acquirer):
    content = csv_bytes([line_for(report)])
    upload([], content=content, acquirer=acquirer, merchant=report.merchant)
    with pytest.raises(ValidationError, match="imported before"):
        upload([], content=content, acquirer=acquirer, merchant=report.merchant)
    upload([], content=content, acquirer=acquirer, merchant=reporting_terminal().merchant)
    assert SettlementFile.objects.count() == 2


def test_the_acquirers_file_is_refused_again_for_the_same_acquirer_only(report, acquirer):
    content = csv_bytes([line_for(report)])
    upload([], content=content, acquirer=acquirer)
    with pytest.raises(ValidationError, match="imported before"):
        upload([], content=content, acquirer=acquirer)
    upload([], content=content, acquirer=AcquirerFactory())
    assert SettlementFile.objects.count() == 2


def test_a_file_that_failed_holds_nothing_and_may_be_uploaded_again(report):
    acquirer = AcquirerFactory(column_mapping={**MAPPING, "amount": "金额"})  # not in the file
    content = csv_bytes([line_for(report)])
    failed = upload([], content=content, acquirer=acquirer)
    settlement_file_import(file_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == FileStatus.FAILED
    upload([], content=content, acquirer=acquirer, name="corrected.csv")
    assert SettlementFile.objects.count() == 2


def test_two_uploads_of_one_file_at_once_give_the_second_a_form_error(
    report, acquirer, client, monkeypatch
):
    membership = MembershipFactory(merchant=report.merchant, role=Role.OWNER)
    client.force_login(membership.user)
    checked = reconciliation_services.settlement_file_check

    def raced(*, upload, acquirer, merchant=None):
        sha256 = checked(upload=upload, acquirer=acquirer, merchant=merchant)
        # The other upload commits between this one's check and its insert.
        SettlementFile.objects.create(
            acquirer=acquirer, merchant=merchant, sha256=sha256, original_name="first.csv"
        )
        return sha256

    monkeypatch.setattr(reconciliation_services, "settlement_file_check", raced)
    data = SimpleUploadedFile("settle.csv", csv_bytes([line_for(report)]), "text/csv")
    response = client.post(
        reverse("transactions:recon_list"), {"acquirer": acquirer.pk, "file": data}
    )
    assert response.status_code == 200
    assert "imported before" in str(response.context["form"].errors)
    assert list(SettlementFile.objects.values_list("original_name", flat=True)) == ["first.csv"]


def test_two_uploads_of_one_file_at_once_in_admin_give_the_second_a_message(
    report, acquirer, client, monkeypatch
):
    client.force_login(StaffFactory(groups=["compliance lead"]))
    checked = reconciliation_services.settlement_file_check
    calls = []

    def raced(*, upload, acquirer, merchant=None):
        sha256 = checked(upload=upload, acquirer=acquirer, merchant=merchant)
        calls.append(sha256)
        if len(calls) == 2:  # the form checked first; the service's check loses the race
            SettlementFile.objects.create(acquirer=acquirer, sha256=sha256, original_name="a.csv")
        return sha256

    monkeypatch.setattr(reconciliation_services, "settlement_file_check", raced)
    monkeypatch.setattr(admin_module, "settlement_file_check", raced)
    data = SimpleUploadedFile("settle.csv", csv_bytes([line_for(report)]), "text/csv")
    response = client.post(
        reverse("admin:transactions_settlementfile_add"),
        {"acquirer": acquirer.pk, "merchant": "", "file": data},
        follow=True,
    )
    assert response.status_code == 200
    assert any("imported before" in str(m) for m in response.context["messages"])
    assert list(SettlementFile.objects.values_list("original_name", flat=True)) == ["a.csv"]


def test_a_merchants_own_upload_takes_no_report_from_the_acquirers_file(report, acquirer):
    own = upload([line_for(report)], acquirer=acquirer, merchant=report.merchant)
    assert process(own).matched == 1
    staff = upload([line_for(report, fee="0.10")], acquirer=acquirer)
    run = process(staff)
    assert (run.matched, run.settled_not_reported, run.reported_not_settled) == (1, 0, 0)


def test_the_acquirers_file_takes_no_report_from_a_merchants_own_upload(report, acquirer):
    assert process(upload([line_for(report)], acquirer=acquirer)).matched == 1
    own = upload([line_for(report, fee="0.10")], acquirer=acquirer, merchant=report.merchant)
    run = process(own)
    assert (run.matched, run.settled_not_reported, run.reported_not_settled) == (1, 0, 0)


def test_within_a_merchants_ledger_a_report_is_settled_once(report, acquirer):
    first = upload([line_for(report)], acquirer=acquirer, merchant=report.merchant)
    assert process(first).matched == 1
    again = upload([line_for(report, fee="0.10")], acquirer=acquirer, merchant=report.merchant)
    run = process(again)
    assert (run.matched, run.settled_not_reported) == (0, 1)


def test_a_failed_file_uploaded_again_since_is_not_retried(report, acquirer, monkeypatch):
    content = csv_bytes([line_for(report)])
    failed = upload([], content=content, acquirer=acquirer)
    with monkeypatch.context() as patched:
        patched.setattr(importer, "_import", lambda *args: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            settlement_file_import(file_id=failed.pk)
    upload([], content=content, acquirer=acquirer, name="again.csv")
    failed.refresh_from_db()
    with pytest.raises(ValidationError, match="uploaded again since"):
        settlement_file_retry(settlement=failed, actor=lead(), reason="the disk was full")
    failed.refresh_from_db()
    assert failed.status == FileStatus.FAILED
