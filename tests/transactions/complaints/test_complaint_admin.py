"""The complaint queue in admin: recording (finding the report), actions per group, evidence."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PDF_BYTES, StaffFactory, UserFactory
from tests.transactions.audit.helpers import reporting_terminal, shanghai
from tests.transactions.complaint_factories import (
    ComplaintFactory,
    lead,
    reason,
    reviewer,
    stored_report,
)
from transactions.models import Complaint, ComplaintEvidence, EvidenceSide
from transactions.models import ComplaintStatus as S

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:transactions_complaint_changelist")
ADD = reverse("admin:transactions_complaint_add")


def _client(client, user):
    client.force_login(user)
    return client


def _act(client, action, *complaints, **extra):
    data = {"action": action, "_selected_action": [c.pk for c in complaints], **extra}
    return client.post(CHANGELIST, data, follow=True)


def _offered(client):
    form = client.get(CHANGELIST).context["action_form"]
    return set(dict(form.fields["action"].choices)) - {""} if form else set()


def _form(**overrides):
    return {
        "rrn": "",
        "tid": "",
        "day": "",
        "amount": "",
        "last4": "",
        "reason": reason("duplicate_charge").pk,
        "description": "Charged twice for one dinner",
        "complainant_name": "王小明",
        "complainant_phone": "13912345678",
        "complainant_email": "",
        **overrides,
    }


def test_reviewer_records_a_complaint_found_by_rrn(client):
    report = stored_report()
    response = _client(client, reviewer()).post(ADD, _form(rrn=report.rrn))
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:transactions_complaint_change", args=[complaint.pk])
    assert complaint.report == report and complaint.status == S.RECEIVED


def test_recording_with_evidence_files(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = stored_report()
    files = [SimpleUploadedFile(f"s{i}.pdf", PDF_BYTES, "application/pdf") for i in (1, 2)]
    _client(client, reviewer()).post(ADD, _form(rrn=report.rrn, evidence=files))
    names = set(ComplaintEvidence.objects.values_list("original_name", flat=True))
    assert names == {"s1.pdf", "s2.pdf"}


def test_finding_by_terminal_date_amount_and_card(client):
    terminal = reporting_terminal()
    report = stored_report(terminal, at=shanghai(1, 12), amount="66.00")
    stored_report(terminal, at=shanghai(1, 13), amount="77.00")
    data = _form(
        tid=terminal.tid, day=shanghai(1, 12).date().isoformat(), amount="66.00", last4="1234"
    )
    _client(client, reviewer()).post(ADD, data)
    assert Complaint.objects.get().report == report


def test_no_matching_report_is_a_form_error(client):
    stored_report()
    response = _client(client, reviewer()).post(ADD, _form(rrn="999999999999"))
    assert response.status_code == 200
    assert "No report matches" in str(response.context["form"].non_field_errors())
    assert not Complaint.objects.exists()


def test_several_matching_reports_ask_for_more_details(client):
    terminal = reporting_terminal()
    stored_report(terminal, amount="66.00")
    stored_report(terminal, amount="66.00")
    response = _client(client, reviewer()).post(ADD, _form(tid=terminal.tid, amount="66.00"))
    assert "2 reports match" in str(response.context["form"].non_field_errors())
    assert not Complaint.objects.exists()


def test_no_facts_at_all_is_a_form_error(client):
    response = _client(client, reviewer()).post(ADD, _form())
    assert "Give at least one" in str(response.context["form"].non_field_errors())


def test_bad_contact_is_shown_on_its_field(client):
    report = stored_report()
    response = _client(client, reviewer()).post(ADD, _form(rrn=report.rrn, complainant_phone="123"))
    assert response.context["form"].errors["complainant_phone"]
    assert not Complaint.objects.exists()


def test_the_queue_searches_by_rrn_and_filters_overdue(client):
    wanted = ComplaintFactory(due_at=timezone.now() - timedelta(days=1))
    other = ComplaintFactory()
    c = _client(client, reviewer())
    assert list(c.get(CHANGELIST, {"q": wanted.report.rrn}).context["cl"].result_list) == [wanted]
    overdue = c.get(CHANGELIST, {"deadline": "overdue"}).context["cl"].result_list
    assert list(overdue) == [wanted]
    assert other in c.get(CHANGELIST, {"status__exact": "received"}).context["cl"].result_list


def test_reviewer_is_offered_the_handling_actions_but_not_the_decisions(client):
    assert _offered(_client(client, reviewer())) == {"ask_merchant", "review", "withdraw"}


def test_lead_is_offered_the_decisions_too(client):
    assert _offered(_client(client, lead())) == {
        "ask_merchant",
        "review",
        "reject",
        "withdraw",
        "uphold",
    }


def test_staff_without_a_group_cannot_see_or_record_complaints(client):
    c = _client(client, StaffFactory())
    assert c.get(CHANGELIST).status_code == 403
    assert c.get(ADD).status_code == 403


def test_an_action_asks_for_the_reason_then_moves_the_complaint(client):
    complaint = ComplaintFactory()
    c = _client(client, reviewer())
    page = _act(c, "ask_merchant", complaint)
    assert "Give the reason" in page.content.decode()
    _act(c, "ask_merchant", complaint, apply="1", reason="Please send the slip")
    complaint.refresh_from_db()
    assert complaint.status == S.AWAITING_MERCHANT
    assert complaint.transitions.get().reason == "Please send the slip"


def test_a_refused_action_is_reported_and_changes_nothing(client):
    complaint = ComplaintFactory(status=S.UPHELD)
    page = _act(_client(client, reviewer()), "review", complaint)
    assert "Cannot start review" in page.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == S.UPHELD


def test_lead_upholds_with_a_refund_from_the_queue(client):
    complaint = ComplaintFactory(status=S.UNDER_REVIEW)
    c = _client(client, lead())
    assert "Remedy" in _act(c, "uphold", complaint).content.decode()
    _act(
        c,
        "uphold",
        complaint,
        apply="1",
        reason="Overcharged",
        outcome="refund",
        refund_amount="8.50",
    )
    complaint.refresh_from_db()
    assert complaint.status == S.UPHELD
    assert complaint.amendment.changes == {"amount": "120.00"}


def test_reviewer_cannot_post_the_uphold_action(client):
    complaint = ComplaintFactory(status=S.UNDER_REVIEW)
    _act(
        _client(client, reviewer()), "uphold", complaint, apply="1", reason="x", outcome="reversal"
    )
    complaint.refresh_from_db()
    assert complaint.status == S.UNDER_REVIEW


def test_the_complaint_page_shows_the_contact_masked_and_the_trail(client):
    complaint = ComplaintFactory()
    c = _client(client, reviewer())
    _act(c, "review", complaint)
    page = c.get(reverse("admin:transactions_complaint_change", args=[complaint.pk]))
    html = page.content.decode()
    assert "+86 139****5678" in html and "13912345678" not in html
    assert "Under review" in html
    assert "0 upheld in the last 30 days" in html


def test_evidence_is_served_to_staff_with_permission_only(client):
    from django.core.files.base import ContentFile

    complaint = ComplaintFactory()
    evidence = ComplaintEvidence(
        complaint=complaint, side=EvidenceSide.STAFF, original_name="s.pdf"
    )
    evidence.file.save("s.pdf", ContentFile(PDF_BYTES), save=True)
    url = reverse("admin:transactions_complaintevidence_file", args=[evidence.pk])
    response = _client(client, reviewer()).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302  # to the admin login


def test_lead_edits_a_reasons_answer_days(client):
    reason("other")
    c = _client(client, lead())
    assert c.get(reverse("admin:transactions_complaintreason_changelist")).status_code == 200
    other = reason("other")
    c.post(
        reverse("admin:transactions_complaintreason_change", args=[other.pk]),
        {"name": other.name, "answer_days": 21, "active": "on"},
    )
    other.refresh_from_db()
    assert other.answer_days == 21
