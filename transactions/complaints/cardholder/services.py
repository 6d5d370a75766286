"""The cardholder's complaint: handed to the staff workflow, followed and changed by its code.

``cardholder_complaint_submit`` checks the text and files, redeems the proof code and writes the
complaint through ``complaint_create``: from then on it is a complaint like any other (reviewers
ask the merchant, deadlines run, a lead decides), marked ``channel=cardholder``. The cardholder
may add information while it is open and withdraw it (the ``cardholder_withdraw`` transition).
No request objects here: the views pass what they read from it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.common.statemachine import TransitionNotAllowed
from transactions.complaints.cardholder import mail, throttle
from transactions.complaints.cardholder.lookup import charge_matching
from transactions.complaints.cardholder.proof import Contact, proof_redeem, proof_send
from transactions.complaints.cardholder.tokens import new_tracking_code, tracking_hash
from transactions.complaints.services import (
    complaint_create,
    complaint_transition,
    store_evidence,
    validate_files,
)
from transactions.ingest.cardscan import contains_pan
from transactions.models import (
    Complaint,
    ComplaintChannel,
    ComplaintEvidence,
    ComplaintReason,
    EvidenceSide,
    Report,
)

log = logging.getLogger(__name__)

# A tracking code keeps working this long after the complaint is resolved, then it is refused.
TRACKING_DAYS_AFTER_RESOLUTION = 90
TEXT_LIMIT = 4000


class Throttled(Exception):
    """Too many attempts from this address (or for these card digits, or this contact)."""


@dataclass(frozen=True)
class Submitted:
    complaint: Complaint
    tracking_code: str


def _clean_text(text: str, field: str, *, empty: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [empty]})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({field: [_("Keep it under %(n)d characters.") % {"n": TEXT_LIMIT}]})
    if contains_pan(text):
        raise ValidationError(
            {field: [_("Do not enter a full card number; the last 4 digits are enough.")]}
        )
    return text


def _clean_files(files: Iterable[UploadedFile], field: str) -> list[UploadedFile]:
    files = validate_files(files, field)
    if any(contains_pan(upload.name or "") for upload in files):
        raise ValidationError(
            {field: [_("Do not enter a full card number; the last 4 digits are enough.")]}
        )
    return files


def charge_check(
    *,
    address: str,
    occurred_at: datetime,
    amount: Decimal,
    last4: str = "",
    order_no: str = "",
    tid: str = "",
    merchant_name: str = "",
) -> Report | None:
    """A cardholder's lookup: counted per address and per card digits, logged, then matched.

    Raises ``Throttled`` past either limit. The log line says what kind of lookup it was and
    whether one charge matched, never the card digits, the order number or the amount.
    """
    card_key = f"last4:{last4}" if last4 else f"order:{order_no}" if order_no else ""
    if not throttle.allow(("lookup_address", address), ("lookup_card", card_key)):
        log.warning("cardholder lookup refused (rate limit) from %s", address)
        raise Throttled
    report = charge_matching(
        occurred_at=occurred_at,
        amount=amount,
        last4=last4,
        order_no=order_no,
        tid=tid,
        merchant_name=merchant_name,
    )
    log.info(
        "cardholder lookup from %s: by %s and %s, %s",
        address,
        "card last 4" if last4 else "order number",
        "terminal ID" if tid else "merchant name",
        f"matched report {report.pk}" if report else "no single match",
    )
    return report


def complaint_proof_request(*, report: Report, contact: Contact, address: str) -> str:
    """Send the proof code for a complaint about ``report``; the ticket that redeems it.

    Counted per address and per contact, so the page cannot be used to flood someone's phone.
    """
    if not throttle.allow(("proof_address", address), ("proof_contact", contact.key)):
        log.warning("cardholder proof code refused (rate limit) from %s", address)
        raise Throttled
    return proof_send(report=report, contact=contact)


@transaction.atomic
def cardholder_complaint_submit(
    *,
    report: Report,
    reason: ComplaintReason,
    description: str,
    ticket: str,
    code: str,
    link_base: str,
    evidence: Iterable[UploadedFile] = (),
) -> Submitted:
    """Record the cardholder's complaint about ``report`` once the proof code is right.

    The contact is the one the code was sent to (encrypted at rest like staff's). The tracking
    code goes back once, to the page and to that contact (``link_base`` + code); only its hash
    is kept.
    """
    description = _clean_text(description, "description", empty=_("Describe what happened."))
    files = _clean_files(evidence, "evidence")
    if not reason.active:
        raise ValidationError({"reason": [_("Choose a reason.")]})
    contact = proof_redeem(ticket=ticket, report=report, code=code)
    code, digest = new_tracking_code()
    complaint = complaint_create(
        report=report,
        reason=reason,
        description=description,
        complainant_name="",
        complainant_phone=contact.phone,
        complainant_email=contact.email,
        complainant_language=contact.language,
        files=files,
        actor=None,
        channel=ComplaintChannel.CARDHOLDER,
        tracking_hash=digest,
    )
    number = complaint.pk
    transaction.on_commit(
        lambda: mail.tracking(
            phone=contact.phone,
            email=contact.email,
            code=code,
            link=f"{link_base}{code}/",
            number=number,
            language=contact.language,
        ),
        robust=True,
    )
    return Submitted(complaint=complaint, tracking_code=code)


def tracking_open(*, code: str, address: str) -> Complaint | None:
    """The complaint for a tracking code typed or followed from ``address``.

    Wrong and expired codes count against the address; past the limit even a right code waits
    (``Throttled``), so codes cannot be guessed at speed.
    """
    if throttle.exceeded(scope="tracking_address", key=address):
        raise Throttled
    complaint = complaint_for_tracking(code=code)
    if complaint is None:
        throttle.count(scope="tracking_address", key=address)
        log.info("cardholder tracking code not found from %s", address)
    return complaint


def complaint_for_tracking(*, code: str, now: datetime | None = None) -> Complaint | None:
    """The cardholder's complaint with this tracking code, or None (wrong or expired alike)."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    complaint = (
        Complaint.objects.select_related("report__merchant", "reason")
        .filter(channel=ComplaintChannel.CARDHOLDER, tracking_hash=tracking_hash(code))
        .first()
    )
    if complaint is None:
        return None
    expiry = timedelta(days=TRACKING_DAYS_AFTER_RESOLUTION)
    if complaint.resolved_at and complaint.resolved_at + expiry < (now or timezone.now()):
        return None
    return complaint


@transaction.atomic
def cardholder_add_information(
    *, complaint: Complaint, text: str, attachment: UploadedFile | None = None
) -> ComplaintEvidence:
    """Add the cardholder's text (and a file) to an open complaint; staff are told."""
    if complaint.is_resolved:
        raise TransitionNotAllowed(_("This complaint is closed."), code="closed")
    text = _clean_text(text, "text", empty=_("Write what you want to add."))
    files = _clean_files([attachment] if attachment else [], "attachment")
    if files:
        store_evidence(complaint, files, actor=None, side=EvidenceSide.CARDHOLDER, note=text)
        added = complaint.evidence.latest("pk")
    else:
        added = ComplaintEvidence.objects.create(
            complaint=complaint, side=EvidenceSide.CARDHOLDER, note=text
        )
    transaction.on_commit(lambda: mail.staff_told(complaint, "added information"), robust=True)
    return added


def cardholder_withdraw(*, complaint: Complaint, reason: str = "") -> Complaint:
    """The cardholder withdraws: the complaint ends "withdrawn", recorded with no actor."""
    reason = (reason or "").strip()
    if reason:
        reason = _clean_text(reason, "reason", empty="")
    complaint = complaint_transition(
        complaint=complaint,
        name="cardholder_withdraw",
        actor=None,
        reason=reason or "Withdrawn by the cardholder on the tracking page.",
    )
    transaction.on_commit(lambda: mail.staff_told(complaint, "withdrew it"), robust=True)
    return complaint
