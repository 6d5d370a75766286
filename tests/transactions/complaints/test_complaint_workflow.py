"""Every complaint transition, the refused ones beside them, and upholding into an amendment."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.common.statemachine import TransitionNotAllowed
from tests.factories import PDF_BYTES, MembershipFactory
from tests.transactions.complaint_factories import ComplaintFactory, lead, member, reviewer
from transactions.complaints.services import (
    complaint_answer,
    complaint_transition,
    complaint_uphold,
)
from transactions.models import ComplaintStatus as S
from transactions.models import EvidenceSide, ReportAmendment

pytestmark = pytest.mark.django_db


def _pdf(name="slip.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_reviewer_asks_the_merchant_and_the_step_is_recorded(
    django_capture_on_commit_callbacks, mailoutbox
):
    complaint = ComplaintFactory()
    owner = member(complaint)
    actor = reviewer()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_transition(
            complaint=complaint, name="ask_merchant", actor=actor, reason="Send the signed slip"
        )
    assert complaint.status == S.AWAITING_MERCHANT
    [step] = complaint.transitions.all()
    assert (step.from_status, step.to_status, step.actor, step.reason) == (
        S.RECEIVED,
        S.AWAITING_MERCHANT,
        actor,
        "Send the signed slip",
    )
    [mail] = mailoutbox
    assert mail.to == [owner.email] and "Send the signed slip" in mail.body
    assert "王小明" not in mail.body and "13912345678" not in mail.body


def test_asking_the_merchant_needs_a_reason():
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(
            complaint=ComplaintFactory(), name="ask_merchant", actor=reviewer(), reason=" "
        )


def test_owner_answers_with_evidence():
    complaint = ComplaintFactory(status=S.AWAITING_MERCHANT)
    owner = member(complaint)
    complaint = complaint_answer(
        complaint=complaint, actor=owner, text="Signed slip attached", attachment=_pdf()
    )
    assert complaint.status == S.MERCHANT_ANSWERED
    [evidence] = complaint.evidence.all()
    assert evidence.side == EvidenceSide.MERCHANT and evidence.original_name == "slip.pdf"
    assert complaint.transitions.get().reason == "Signed slip attached"


def test_staff_member_of_the_merchant_may_answer_too():
    complaint = ComplaintFactory(status=S.AWAITING_MERCHANT)
    complaint = complaint_answer(complaint=complaint, actor=member(complaint, "staff"), text="ok")
    assert complaint.status == S.MERCHANT_ANSWERED


@pytest.mark.parametrize("who", ["viewer", "other merchant", "reviewer"])
def test_only_the_merchants_owner_or_staff_may_answer(who):
    complaint = ComplaintFactory(status=S.AWAITING_MERCHANT)
    actor = {
        "viewer": lambda: member(complaint, "viewer"),
        "other merchant": lambda: MembershipFactory().user,
        "reviewer": reviewer,
    }[who]()
    with pytest.raises(TransitionNotAllowed):
        complaint_answer(complaint=complaint, actor=actor, text="It was signed")
    complaint.refresh_from_db()
    assert complaint.status == S.AWAITING_MERCHANT


def test_an_answer_needs_text_and_a_real_document():
    complaint = ComplaintFactory(status=S.AWAITING_MERCHANT)
    owner = member(complaint)
    with pytest.raises(ValidationError):
        complaint_answer(complaint=complaint, actor=owner, text="  ")
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("slip.pdf", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        complaint_answer(complaint=complaint, actor=owner, text="See file", attachment=exe)
    assert "attachment" in exc.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == S.AWAITING_MERCHANT and not complaint.evidence.exists()


def test_the_merchant_cannot_answer_before_being_asked():
    complaint = ComplaintFactory(status=S.RECEIVED)
    with pytest.raises(TransitionNotAllowed):
        complaint_answer(complaint=complaint, actor=member(complaint), text="Early")


@pytest.mark.parametrize("source", [S.RECEIVED, S.AWAITING_MERCHANT, S.MERCHANT_ANSWERED])
def test_review_starts_from_received_asked_or_answered(source):
    complaint = complaint_transition(
        complaint=ComplaintFactory(status=source), name="review", actor=reviewer()
    )
    assert complaint.status == S.UNDER_REVIEW


def test_reviewer_can_ask_again_during_review():
    complaint = complaint_transition(
        complaint=ComplaintFactory(status=S.UNDER_REVIEW),
        name="ask_merchant",
        actor=reviewer(),
        reason="And the receipt?",
    )
    assert complaint.status == S.AWAITING_MERCHANT


def test_lead_rejects_and_the_complaint_is_resolved():
    complaint = complaint_transition(
        complaint=ComplaintFactory(status=S.UNDER_REVIEW),
        name="reject",
        actor=lead(),
        reason="Slip carries the signature",
    )
    assert complaint.status == S.REJECTED and complaint.resolved_at is not None


@pytest.mark.parametrize("name", ["reject", "uphold"])
def test_a_reviewer_cannot_decide(name):
    complaint = ComplaintFactory(status=S.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        if name == "uphold":
            complaint_uphold(complaint=complaint, actor=reviewer(), reason="x", outcome="reversal")
        else:
            complaint_transition(complaint=complaint, name=name, actor=reviewer(), reason="x")


@pytest.mark.parametrize(
    ("source", "name"),
    [
        (S.RECEIVED, "reject"),
        (S.AWAITING_MERCHANT, "reject"),
        (S.MERCHANT_ANSWERED, "ask_merchant"),
        (S.UPHELD, "review"),
        (S.REJECTED, "withdraw"),
        (S.WITHDRAWN, "ask_merchant"),
    ],
)
def test_illegal_transitions_are_refused(source, name):
    complaint = ComplaintFactory(status=source)
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(complaint=complaint, name=name, actor=lead(), reason="because")
    assert not complaint.transitions.exists()


@pytest.mark.parametrize(
    "source", [S.RECEIVED, S.AWAITING_MERCHANT, S.MERCHANT_ANSWERED, S.UNDER_REVIEW]
)
def test_the_cardholder_may_withdraw_an_open_complaint(source):
    complaint = complaint_transition(
        complaint=ComplaintFactory(status=source),
        name="withdraw",
        actor=reviewer(),
        reason="Cardholder called: found the receipt",
    )
    assert complaint.status == S.WITHDRAWN and complaint.resolved_at is not None


def test_the_merchant_cannot_take_staff_steps():
    complaint = ComplaintFactory()
    with pytest.raises(PermissionDenied):
        complaint_transition(
            complaint=complaint, name="withdraw", actor=member(complaint), reason="no"
        )


def test_upholding_goes_through_its_own_service():
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(
            complaint=ComplaintFactory(status=S.UNDER_REVIEW),
            name="uphold",
            actor=lead(),
            reason="x",
        )


def test_uphold_with_a_refund_records_the_corrected_amount_as_an_amendment():
    complaint = ComplaintFactory(status=S.UNDER_REVIEW)
    report = complaint.report
    complaint = complaint_uphold(
        complaint=complaint,
        actor=lead(),
        reason="Overcharged by 28.50",
        outcome="refund",
        refund_amount=Decimal("28.50"),
    )
    assert complaint.status == S.UPHELD and complaint.refund_amount == Decimal("28.50")
    amendment = complaint.amendment
    assert amendment.report == report and amendment.changes == {"amount": "100.00"}
    assert f"#{complaint.pk}" in amendment.reason
    report.refresh_from_db()
    assert report.amount == Decimal("128.50")  # the report itself is never changed


def test_uphold_with_a_reversal_voids_the_report_by_amendment():
    complaint = complaint_uphold(
        complaint=ComplaintFactory(status=S.UNDER_REVIEW),
        actor=lead(),
        reason="Duplicate charge",
        outcome="reversal",
    )
    assert complaint.amendment.changes == {
        "type": "void",
        "original_report_id": str(complaint.report.report_id),
    }
    assert complaint.transitions.get().to_status == S.UPHELD


@pytest.mark.parametrize("refund", [None, Decimal("0"), Decimal("128.50"), Decimal("500")])
def test_a_refund_must_be_part_of_the_amount_and_nothing_is_recorded_otherwise(refund):
    complaint = ComplaintFactory(status=S.UNDER_REVIEW)
    with pytest.raises(ValidationError) as exc:
        complaint_uphold(
            complaint=complaint, actor=lead(), reason="x", outcome="refund", refund_amount=refund
        )
    assert "refund_amount" in exc.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == S.UNDER_REVIEW and not ReportAmendment.objects.exists()


def test_uphold_needs_a_reason_and_the_right_state():
    with pytest.raises(TransitionNotAllowed):
        complaint_uphold(
            complaint=ComplaintFactory(status=S.UNDER_REVIEW),
            actor=lead(),
            reason="",
            outcome="reversal",
        )
    with pytest.raises(TransitionNotAllowed):
        complaint_uphold(
            complaint=ComplaintFactory(status=S.RECEIVED),
            actor=lead(),
            reason="x",
            outcome="reversal",
        )
    assert not ReportAmendment.objects.exists()


def test_every_step_is_kept_in_the_history():
    complaint = ComplaintFactory()
    complaint_transition(complaint=complaint, name="review", actor=reviewer())
    latest = complaint.history.latest()
    assert latest.status == S.UNDER_REVIEW and latest.history_change_reason == "review"


def test_uphold_reads_the_current_state_not_a_stale_copy():
    stale = ComplaintFactory(status=S.RECEIVED)
    complaint_transition(complaint=stale, name="review", actor=reviewer())
    assert (
        complaint_uphold(
            complaint=stale, actor=lead(), reason="Duplicate", outcome="reversal"
        ).status
        == S.UPHELD
    )
