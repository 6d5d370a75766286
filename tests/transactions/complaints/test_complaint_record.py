"""Finding the report, recording a complaint, its deadline per reason, its protected contact."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.factories import MembershipFactory, png_upload
from tests.transactions.audit.helpers import reporting_terminal, shanghai
from tests.transactions.complaint_factories import (
    ComplaintFactory,
    reason,
    reviewer,
    stored_report,
)
from transactions.complaints.services import (
    DEFAULT_REASONS,
    complaint_record,
    ensure_reasons,
    reports_matching,
)
from transactions.models import Complaint, ComplaintReason, EvidenceSide

pytestmark = pytest.mark.django_db


def _record(report, **kwargs):
    values = {
        "report": report,
        "reason": reason(),
        "description": "Charged twice",
        "actor": reviewer(),
        "complainant_name": "王小明",
        "complainant_phone": "139 1234 5678",
    }
    return complaint_record(**(values | kwargs))


def test_finds_the_report_by_rrn():
    wanted = stored_report()
    stored_report()
    assert list(reports_matching(rrn=wanted.rrn)) == [wanted]


def test_finds_the_report_by_terminal_day_amount_and_card_digits():
    terminal = reporting_terminal()
    wanted = stored_report(
        terminal, at=shanghai(2, 10), amount="88.00", masked_pan="622848******4321"
    )
    stored_report(terminal, at=shanghai(2, 11), amount="88.00", masked_pan="622848******9999")
    stored_report(terminal, at=shanghai(3, 10), amount="88.00", masked_pan="622848******4321")
    found = reports_matching(
        tid=terminal.tid.lower(),
        day=shanghai(2, 10).date(),
        amount=Decimal("88.00"),
        last4="4321",
    )
    assert list(found) == [wanted]


def test_the_day_is_a_shanghai_calendar_day():
    # 00:30 in Shanghai is the previous day in UTC; the cardholder's slip says the Shanghai day.
    early = stored_report(at=shanghai(2, 0, 30))
    assert list(reports_matching(rrn=early.rrn, day=shanghai(2, 0).date())) == [early]
    assert not reports_matching(rrn=early.rrn, day=shanghai(3, 0).date()).exists()


def test_no_facts_find_nothing():
    stored_report()
    assert not reports_matching().exists()


def test_ensure_reasons_creates_the_defaults_once_and_keeps_edited_days():
    ensure_reasons()
    ComplaintReason.objects.filter(code="other").update(answer_days=3)
    ensure_reasons()
    assert ComplaintReason.objects.count() == len(DEFAULT_REASONS)
    assert ComplaintReason.objects.get(code="other").answer_days == 3


@pytest.mark.parametrize(("code", "name", "days"), DEFAULT_REASONS)
def test_the_deadline_comes_from_the_reason(code, name, days):
    received = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
    complaint = _record(stored_report(), reason=reason(code), received_at=received)
    assert complaint.due_at == received + timedelta(days=days)


def test_a_reasons_answer_days_are_configurable():
    slow = reason("other")
    slow.answer_days = 30
    slow.save()
    complaint = _record(stored_report(), reason=slow)
    assert complaint.due_at - complaint.created_at == timedelta(days=30)


def test_recording_keeps_the_merchant_author_and_evidence():
    report = stored_report()
    actor = reviewer()
    complaint = _record(report, actor=actor, evidence=[png_upload("statement.png")])
    assert complaint.merchant == report.merchant and complaint.created_by == actor
    [evidence] = complaint.evidence.all()
    assert evidence.side == EvidenceSide.STAFF and evidence.original_name == "statement.png"


def test_the_contact_is_encrypted_at_rest_and_normalised():
    complaint = _record(stored_report(), complainant_email="wang@example.cn")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT complainant_name, complainant_phone, complainant_email "
            "FROM transactions_complaint WHERE id = %s",
            [complaint.pk],
        )
        raw = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in raw)
    assert "王小明" not in raw[0] and "13912345678" not in raw[1] and "wang" not in raw[2]
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.complainant_phone == "+8613912345678"
    assert complaint.complainant_email == "wang@example.cn"


def test_the_contact_is_shown_masked():
    complaint = ComplaintFactory(complainant_email="wang@example.cn")
    assert complaint.complainant_name_masked == "王**"
    assert complaint.complainant_phone_masked == "+86 139****5678"
    assert complaint.complainant_email_masked == "w***@example.cn"


def test_the_contact_is_not_kept_in_the_history_table():
    complaint = ComplaintFactory()
    assert not hasattr(complaint.history.latest(), "complainant_phone")


def test_a_contact_is_required_and_must_be_valid():
    with pytest.raises(ValidationError) as exc:
        _record(stored_report(), complainant_phone="", complainant_email="")
    assert "complainant_phone" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _record(stored_report(), complainant_phone="12345", complainant_email="not-an-email")
    assert {"complainant_phone", "complainant_email"} <= exc.value.message_dict.keys()
    assert not Complaint.objects.exists()


def test_a_description_is_required():
    with pytest.raises(ValidationError):
        _record(stored_report(), description="  ")


def test_evidence_must_be_a_document():
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("statement.pdf", b"MZ\x90", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        _record(stored_report(), evidence=[exe])
    assert "evidence" in exc.value.message_dict
    assert not Complaint.objects.exists()


def test_merchant_users_cannot_record_complaints():
    report = stored_report()
    owner = MembershipFactory(merchant=report.merchant).user
    with pytest.raises(PermissionDenied):
        _record(report, actor=owner)
