"""Cardholder complaints: finding the report, recording, moving through the workflow, deadlines.

Services write (keyword-only, atomic, every step recorded in ``ComplaintTransition``); the
selectors at the end read. Upholding records the refund or reversal as a ``ReportAmendment``
through ``report_amend`` in the same transaction, so a decision and its money effect never part.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from merchants.models import Merchant
from merchants.risk.rating.services import rating_requested
from portal.common import events
from portal.common.beijing import day_bounds
from portal.common.statemachine import Transition, TransitionNotAllowed
from portal.common.validators import normalize_cn_phone, validate_document
from transactions.complaints import mail as complaint_mail
from transactions.complaints.workflow import COMPLAINT, HANDLE, MERCHANT_VISIBLE
from transactions.models import (
    COMPLAINT_OPEN_STATUSES,
    Complaint,
    ComplaintChannel,
    ComplaintEvidence,
    ComplaintOutcome,
    ComplaintReason,
    ComplaintStatus,
    EvidenceSide,
    Report,
)
from transactions.models.event_data import complaint_data
from transactions.reports.amendments import report_amend

# (code, name, days to answer). Names are stored in English and editable in admin.
DEFAULT_REASONS = (
    ("forced_consumption", gettext_noop("Forced consumption"), 7),
    ("no_signature_pin", gettext_noop("Charged without signature or PIN"), 10),
    ("wrong_amount", gettext_noop("Wrong amount"), 10),
    ("duplicate_charge", gettext_noop("Duplicate charge"), 7),
    ("not_recognised", gettext_noop("Transaction not recognised"), 15),
    ("other", gettext_noop("Other"), 15),
)
MATCH_LIMIT = 20


def ensure_reasons() -> None:
    """Create the default reasons that are missing; answer days edited in admin are kept."""
    for code, name, days in DEFAULT_REASONS:
        ComplaintReason.objects.get_or_create(
            code=code, defaults={"name": name, "answer_days": days}
        )


# -- finding the report ------------------------------------------------------------------------


def reports_matching(
    *,
    rrn: str = "",
    tid: str = "",
    day: date | None = None,
    amount: Decimal | None = None,
    last4: str = "",
) -> QuerySet[Report]:
    """The reports that fit what the cardholder knows (each given fact narrows; none: nothing).

    ``day`` is a Shanghai calendar day, as on the cardholder's statement and slip.
    """
    filters = Q()
    if rrn.strip():
        filters &= Q(rrn=rrn.strip().upper()) | Q(rrn=rrn.strip())
    if tid.strip():
        filters &= Q(tid=tid.strip().upper())
    if day is not None:
        start, end = day_bounds(day)
        filters &= Q(occurred_at__gte=start, occurred_at__lt=end)
    if amount is not None:
        filters &= Q(amount=amount)
    if last4.strip():
        filters &= Q(masked_pan__endswith=last4.strip())
    if not filters:
        return Report.objects.none()
    return Report.objects.filter(filters).select_related("merchant", "terminal")[:MATCH_LIMIT]


# -- recording and moving ----------------------------------------------------------------------


def _clean_contact(name: str, phone: str, email: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    phone, email = phone.strip(), email.strip()
    if phone:
        try:
            phone = normalize_cn_phone(phone)
        except ValidationError as exc:
            errors["complainant_phone"] = exc.messages
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            errors["complainant_email"] = exc.messages
    if not phone and not email:
        errors["complainant_phone"] = [_("Give the complainant's phone number or e-mail.")]
    if errors:
        raise ValidationError(errors)
    return name.strip(), phone, email


def validate_files(files: Iterable[UploadedFile], field: str) -> list[UploadedFile]:
    files = [f for f in files if f]
    for upload in files:
        try:
            validate_document(upload)
        except ValidationError as exc:
            raise ValidationError({field: exc.error_list}) from exc
    return files


def store_evidence(
    complaint: Complaint, files: Iterable[UploadedFile], *, actor: Any, side: str, note: str = ""
) -> None:
    for upload in files:
        evidence = ComplaintEvidence(
            complaint=complaint,
            side=side,
            note=note,
            original_name=(upload.name or "evidence")[:255],
            uploaded_by=actor,
        )
        evidence.file.save(upload.name or "evidence", upload, save=False)
        evidence.save()


@transaction.atomic
def complaint_record(
    *,
    report: Report,
    reason: ComplaintReason,
    description: str,
    actor: Any,
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_email: str = "",
    evidence: Iterable[UploadedFile] = (),
    received_at: datetime | None = None,
) -> Complaint:
    """Record a complaint about ``report``; it is due ``reason.answer_days`` after it arrived."""
    if not actor.has_perm(HANDLE):
        raise PermissionDenied(_("You are not allowed to record complaints."))
    if not description.strip():
        raise ValidationError({"description": [_("Write what the cardholder says.")]})
    name, phone, email = _clean_contact(complainant_name, complainant_phone, complainant_email)
    files = validate_files(evidence, "evidence")
    return complaint_create(
        report=report,
        reason=reason,
        description=description,
        complainant_name=name,
        complainant_phone=phone,
        complainant_email=email,
        files=files,
        actor=actor,
        received_at=received_at,
    )


def complaint_create(
    *,
    report: Report,
    reason: ComplaintReason,
    description: str,
    complainant_name: str,
    complainant_phone: str,
    complainant_email: str,
    files: Iterable[UploadedFile],
    actor: Any,
    complainant_language: str = "",
    channel: str = ComplaintChannel.STAFF,
    tracking_hash: str = "",
    received_at: datetime | None = None,
) -> Complaint:
    """Write an already validated complaint in state "received", whichever way it came in.

    The one place a complaint starts, so that staff's and the cardholder's complaints enter the
    same workflow with the same deadline rule. Callers check the actor, the text and the files.
    """
    received_at = received_at or timezone.now()
    complaint = Complaint.objects.create(
        report=report,
        merchant_id=report.merchant_id,
        reason=reason,
        description=description.strip(),
        complainant_name=complainant_name,
        complainant_phone=complainant_phone,
        complainant_email=complainant_email,
        complainant_language=complainant_language,
        channel=channel,
        tracking_hash=tracking_hash,
        due_at=received_at + timedelta(days=reason.answer_days),
        created_by=actor,
        created_at=received_at,
    )
    side = EvidenceSide.CARDHOLDER if channel == ComplaintChannel.CARDHOLDER else EvidenceSide.STAFF
    store_evidence(complaint, files, actor=actor, side=side)
    _announce(complaint, events.COMPLAINT_RECEIVED)
    return complaint


def _announce(complaint: Complaint, event_type: str) -> None:
    """Tell webhooks, in the complaint's transaction (never the complainant's contact details)."""
    events.event_record(
        event_type=event_type, merchant_id=complaint.merchant_id, data=complaint_data(complaint)
    )


def _stamp_resolved(complaint: Complaint, step: Transition) -> None:
    if complaint.is_resolved:
        complaint.resolved_at = timezone.now()


def _move(*, complaint: Complaint, name: str, actor: Any, reason: str) -> Complaint:
    return COMPLAINT.step(complaint, name, actor=actor, reason=reason, prepare=_stamp_resolved)


@transaction.atomic
def complaint_transition(
    *, complaint: Complaint, name: str, actor: Any, reason: str = ""
) -> Complaint:
    """Take transition ``name`` (not "uphold": that needs the remedy, see ``complaint_uphold``)."""
    if name == "uphold":
        raise TransitionNotAllowed(_("Uphold with a refund or reversal."), code="needs_remedy")
    complaint = _move(complaint=complaint, name=name, actor=actor, reason=reason)
    if complaint.is_resolved:
        _announce(complaint, events.COMPLAINT_DECIDED)
    if name == "ask_merchant":
        transaction.on_commit(
            lambda: complaint_mail.merchant_asked(complaint, reason.strip()), robust=True
        )
    return complaint


def _remedy(report: Report, outcome: str, refund_amount: Any) -> tuple[dict[str, str], Any]:
    if outcome == ComplaintOutcome.REVERSAL:
        # The whole charge is taken back: the sale is to be read as voided (it is its own original).
        return {"type": "void", "original_report_id": str(report.report_id)}, None
    if outcome != ComplaintOutcome.REFUND:
        raise ValidationError({"outcome": [_("Choose a refund or a reversal.")]})
    try:
        refund = Decimal(str(refund_amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        refund = None
    if refund is None or not Decimal("0") < refund < report.amount:
        raise ValidationError(
            {
                "refund_amount": [
                    _(
                        "A refund is more than 0 and less than %(amount)s; refund it all as a reversal."
                    )
                    % {"amount": report.amount}
                ]
            }
        )
    return {"amount": str(report.amount - refund)}, refund


@transaction.atomic
def complaint_uphold(
    *,
    complaint: Complaint,
    actor: Any,
    reason: str,
    outcome: str,
    refund_amount: Any = None,
) -> Complaint:
    """Uphold and record the remedy on the report as an amendment, all or nothing."""
    complaint = Complaint.objects.select_for_update().select_related("report").get(pk=complaint.pk)
    COMPLAINT.check(complaint, "uphold", actor=actor, reason=reason)
    changes, refund = _remedy(complaint.report, outcome, refund_amount)
    amendment = report_amend(
        report=complaint.report,
        actor=actor,
        reason=_("Complaint #%(pk)s upheld: %(reason)s") % {"pk": complaint.pk, "reason": reason},
        changes=changes,
    )
    complaint = _move(complaint=complaint, name="uphold", actor=actor, reason=reason)
    complaint.outcome, complaint.refund_amount, complaint.amendment = outcome, refund, amendment
    complaint.save(update_fields=["outcome", "refund_amount", "amendment", "updated_at"])
    _announce(complaint, events.COMPLAINT_DECIDED)
    # An upheld complaint is a factor of the merchant's risk rating: rate it again.
    rating_requested(merchant_id=complaint.merchant_id, trigger=f"complaint {complaint.pk} upheld")
    return complaint


@transaction.atomic
def complaint_answer(
    *, complaint: Complaint, actor: Any, text: str, attachment: UploadedFile | None = None
) -> Complaint:
    """The merchant answers, with evidence (e.g. the signed slip) if it has any."""
    if not text.strip():
        raise TransitionNotAllowed(_("Write your answer."), code="empty")
    files = validate_files([attachment] if attachment else [], "attachment")
    complaint = _move(complaint=complaint, name="merchant_answer", actor=actor, reason=text)
    store_evidence(complaint, files, actor=actor, side=EvidenceSide.MERCHANT, note=text.strip())
    transaction.on_commit(lambda: complaint_mail.merchant_answered(complaint), robust=True)
    return complaint


def complaints_flag_overdue(*, now: datetime | None = None) -> int:
    """Flag open complaints past their deadline and tell staff and the merchant, once each.

    The flag is claimed with a conditional update, so two beat runs at once still send one
    notice per complaint. Returns how many were flagged now.
    """
    now = now or timezone.now()
    due = Complaint.objects.unresolved().filter(due_at__lt=now, overdue_notified_at__isnull=True)
    flagged = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Complaint.objects.filter(pk=pk, overdue_notified_at__isnull=True).update(
                overdue=True, overdue_notified_at=now
            )
            if not claimed:
                continue
            complaint = Complaint.objects.select_related("report", "reason", "merchant").get(pk=pk)
            transaction.on_commit(partial(complaint_mail.overdue, complaint), robust=True)
            flagged += 1
    return flagged


# -- selectors -------------------------------------------------------------------------------


def complaint_counts(
    *, days: int = 30, now: datetime | None = None, merchant_ids: Iterable[int] | None = None
) -> QuerySet:
    """Per merchant: ``open`` complaints now and ``upheld`` ones decided in the last ``days``."""
    since = (now or timezone.now()) - timedelta(days=days)
    qs = Complaint.objects.order_by()
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=list(merchant_ids))
    return (
        qs.values("merchant_id")
        .annotate(
            open=Count("id", filter=Q(status__in=COMPLAINT_OPEN_STATUSES)),
            upheld=Count("id", filter=Q(status=ComplaintStatus.UPHELD, resolved_at__gte=since)),
        )
        .order_by("merchant_id")
    )


def complaint_counts_for_merchant(*, merchant: Merchant, days: int = 30) -> dict[str, int]:
    row = complaint_counts(days=days, merchant_ids=[merchant.pk]).first()
    return {"open": row["open"] if row else 0, "upheld": row["upheld"] if row else 0, "days": days}


def complaint_trail_for_merchant(*, complaint: Complaint) -> list[dict[str, Any]]:
    """Every step, with the reason only where it was written for the merchant."""
    return [
        {
            "created_at": step.created_at,
            "from": step.get_from_status_display(),
            "to": step.get_to_status_display(),
            "reason": step.reason if step.to_status in MERCHANT_VISIBLE else "",
        }
        for step in complaint.transitions.all()
    ]
