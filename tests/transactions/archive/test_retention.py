"""Deleting expired data: proposed, approved by a second lead, holds and damage respected, logged."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.common.beijing import add_months
from tests.factories import StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.archive.helpers import expired_month, local, reports_in
from tests.transactions.complaint_factories import ComplaintFactory
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report
from transactions.archive import files
from transactions.archive.holds import legal_hold_place, legal_hold_release
from transactions.archive.retention import (
    deletion_job_approve,
    deletion_job_propose,
    deletion_job_reject,
    deletion_job_run,
)
from transactions.archive.services import archive_month_run
from transactions.models import (
    AlertReport,
    ArchiveFile,
    ArchiveStatus,
    DeletionStatus,
    Report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def other_lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def shops():
    return reporting_terminal(), reporting_terminal()


@pytest.fixture
def archived(shops):
    """An expired month of two merchants, archived and purged from the hot table."""
    month = expired_month()
    for terminal in shops:
        reports_in(month, 2, terminal)
    archive_month, _problems = archive_month_run(month=month)
    return archive_month


def _approve_and_run(job, approver):
    job = deletion_job_approve(job=job, actor=approver)
    return deletion_job_run(job_id=job.pk)


def test_a_month_still_inside_retention_is_not_proposed(shops):
    month = add_months(expired_month(), 12 * 2)  # nine years back
    reports_in(month, 1, shops[0])
    archive_month_run(month=month)
    assert deletion_job_propose() is None


def test_the_proposal_lists_files_rows_checksums_and_holds(archived, lead):
    job = deletion_job_propose(actor=lead)

    assert job.status == DeletionStatus.PROPOSED
    assert job.file_count == 2 and job.row_count == 4
    (entry,) = job.plan["months"]
    assert {f["sha256"] for f in entry["files"]} == set(
        archived.files.values_list("sha256", flat=True)
    )
    assert job.plan["holds_considered"] == []
    assert all(files.absolute(f.path).exists() for f in archived.files.all())  # nothing gone yet


def test_one_proposal_at_a_time(archived, lead):
    assert deletion_job_propose(actor=lead) == deletion_job_propose()


def test_whoever_proposed_cannot_approve(archived, lead):
    job = deletion_job_propose(actor=lead)
    with pytest.raises(ValidationError, match="another lead"):
        deletion_job_approve(job=job, actor=lead)
    job.refresh_from_db()
    assert job.status == DeletionStatus.PROPOSED


def test_a_reviewer_cannot_approve(archived):
    job = deletion_job_propose()
    with pytest.raises(PermissionDenied):
        deletion_job_approve(job=job, actor=StaffFactory(groups=["compliance reviewer"]))


def test_a_second_lead_approves_and_the_files_go_with_a_log(
    archived, lead, other_lead, django_capture_on_commit_callbacks
):
    job = deletion_job_propose(actor=lead)
    paths = [files.absolute(f.path) for f in archived.files.all()]

    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = deletion_job_approve(job=job, actor=other_lead)
    assert len(queued) == 1  # the deletion task, queued on commit
    job = deletion_job_run(job_id=job.pk)

    assert job.status == DeletionStatus.DONE
    assert not any(path.exists() for path in paths)
    archived.refresh_from_db()
    assert archived.status == ArchiveStatus.DELETED
    assert job.log["approved_by"] == other_lead.get_username()
    logged = {f["path"]: f["sha256"] for f in job.log["files"] if "rows" in f}
    assert logged == dict(archived.files.values_list("path", "sha256"))
    assert list(job.transitions.values_list("to_status", "actor")) == [
        ("approved", other_lead.pk),
        ("done", None),
    ]


def test_a_rejection_needs_a_reason_and_deletes_nothing(archived, lead, other_lead):
    job = deletion_job_propose(actor=lead)
    with pytest.raises(ValidationError, match="reason"):
        deletion_job_reject(job=job, actor=other_lead, reason=" ")
    job = deletion_job_reject(job=job, actor=other_lead, reason="Audit still open")
    assert job.status == DeletionStatus.REJECTED
    assert deletion_job_run(job_id=job.pk).status == DeletionStatus.REJECTED
    assert all(files.absolute(f.path).exists() for f in archived.files.all())


def test_a_merchant_hold_keeps_its_files(archived, shops, lead, other_lead):
    held = shops[0].merchant
    legal_hold_place(merchant=held, actor=lead, reason="litigation")

    job = deletion_job_propose()
    assert [f["merchant_id"] for f in job.plan["months"][0]["files"]] == [shops[1].merchant_id]
    assert job.plan["months"][0]["kept"][0]["why"] == "legal hold on the merchant"
    assert [h["merchant_id"] for h in job.plan["holds_considered"]] == [held.pk]
    _approve_and_run(job, other_lead)

    kept = ArchiveFile.objects.get(merchant=held)
    assert kept.deleted_at is None and files.absolute(kept.path).exists()
    archived.refresh_from_db()
    assert archived.status == ArchiveStatus.PURGED  # not all of it could go


def test_a_hold_placed_after_the_proposal_still_wins(archived, shops, lead, other_lead):
    job = deletion_job_propose()
    legal_hold_place(merchant=shops[1].merchant, actor=lead, reason="police request")

    job = _approve_and_run(job, other_lead)

    kept = ArchiveFile.objects.get(merchant=shops[1].merchant)
    assert files.absolute(kept.path).exists()
    assert {"path": kept.path, "why": "legal hold on the merchant"} in job.log["skipped"]


def test_a_released_or_ended_hold_no_longer_keeps(archived, shops, lead):
    hold = legal_hold_place(merchant=shops[0].merchant, actor=lead, reason="x")
    legal_hold_release(hold=hold, actor=lead, reason="case closed")
    assert deletion_job_propose().file_count == 2


def test_a_case_hold_keeps_the_month_of_the_case_reports(shops, lead, other_lead):
    month = expired_month()
    terminal = shops[0]
    case_report = make_report(terminal, occurred_at=local(month, 5))
    reports_in(month, 2, shops[1])
    alert = AlertFactory(merchant=terminal.merchant)
    AlertReport.objects.create(alert=alert, report=case_report)
    _archive_month, _problems = archive_month_run(month=month)
    legal_hold_place(merchant=terminal.merchant, alert=alert, actor=lead, reason="investigation")

    job = deletion_job_propose()
    assert job.plan["months"][0]["kept"][0]["why"] == "legal hold on a case"
    _approve_and_run(job, other_lead)

    assert files.absolute(ArchiveFile.objects.get(merchant=terminal.merchant).path).exists()
    assert Report.objects.filter(pk=case_report.pk).exists()


def test_a_complaint_can_be_the_case(shops, lead):
    complaint = ComplaintFactory(
        report=make_report(shops[0], occurred_at=local(expired_month(), 3))
    )
    hold = legal_hold_place(
        merchant=complaint.merchant, complaint=complaint, actor=lead, reason="court"
    )
    assert hold.is_case_hold


def test_a_hold_names_one_case_of_its_own_merchant(shops, lead):
    alert = AlertFactory(merchant=shops[1].merchant)
    with pytest.raises(ValidationError) as refused:
        legal_hold_place(merchant=shops[0].merchant, alert=alert, actor=lead, reason="x")
    assert "alert" in refused.value.message_dict


def test_only_leads_place_holds(shops):
    with pytest.raises(PermissionDenied):
        legal_hold_place(
            merchant=shops[0].merchant,
            actor=StaffFactory(groups=["compliance reviewer"]),
            reason="x",
        )


def test_a_damaged_month_is_not_proposed(archived):
    path = files.absolute(archived.files.first().path)
    path.write_bytes(path.read_bytes()[:-10])
    from transactions.archive.verify import archive_month_verify

    archive_month_verify(archive_month=archived)
    assert deletion_job_propose() is None


def test_a_file_spoiled_after_approval_is_reported_and_kept(archived, lead, other_lead):
    job = deletion_job_propose(actor=lead)
    spoiled = archived.files.first()
    path = files.absolute(spoiled.path)
    path.write_bytes(path.read_bytes() + b"x")

    job = _approve_and_run(job, other_lead)

    assert path.exists()
    assert any(
        entry.get("path") == spoiled.path and entry["why"].startswith("damaged")
        for entry in job.log["skipped"]
    )
    archived.refresh_from_db()
    assert archived.status == ArchiveStatus.DAMAGED


def test_hot_leftovers_go_with_the_month_unless_something_refers_to_them(shops, lead, other_lead):
    month = expired_month()
    terminal = shops[0]
    reports_in(month, 2, terminal)
    archive_month_run(month=month)
    leftover = make_report(terminal, occurred_at=local(month, 20))  # came in after the export
    referenced = make_report(terminal, occurred_at=local(month, 21))
    AlertReport.objects.create(alert=AlertFactory(merchant=terminal.merchant), report=referenced)

    job = deletion_job_propose()
    assert job.hot_row_count == 1
    job = _approve_and_run(job, other_lead)

    assert job.log["hot_rows"] == 1
    assert not Report.objects.filter(pk=leftover.pk).exists()
    assert Report.objects.filter(pk=referenced.pk).exists()
