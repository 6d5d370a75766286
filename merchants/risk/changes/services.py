"""Asking for a change of key information, reviewing it, and applying it once approved.

Until a request is approved the merchant's own row keeps the values in force: nothing here
writes to it but the approval step, which applies the proposal in the same transaction as the
step (under the merchant's row lock) and leaves the change on record three times over: the
request (old → new, who asked, why), its steps (who approved, when, with what note) and the
merchant's own history (reason ``change request #N``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import (
    ChangeRequest,
    ChangeRequestDocument,
    ChangeStatus,
    CheckTrigger,
    Merchant,
)
from merchants.risk.changes import mail
from merchants.risk.changes.kinds import (
    ACCOUNT_NUMBER,
    KINDS,
    current_values,
    read_proposal,
)
from merchants.risk.changes.workflow import CHANGE, DECISIONS, is_owner
from merchants.risk.risklist.services import risk_list_check
from portal.common.statemachine import Transition, TransitionNotAllowed
from portal.common.validators import normalize_cn_phone, sniff_document_type, validate_document

MAX_DOCUMENTS = 10
# The merchant's columns the risk list is matched on.
MATCHED = {"uscc", "legal_rep_id_masked"}


def change_request_create(
    *,
    merchant: Merchant,
    actor: Any,
    kind: str,
    data: dict[str, Any],
    reason: str,
    documents: Sequence[UploadedFile],
    contact_phone: str = "",
) -> ChangeRequest:
    """Hand in a request to change ``kind`` of ``merchant`` with its supporting documents.

    Only the merchant's owner asks, only once the merchant is approved, only one open request per
    kind, and a proposal equal to what is on file is refused. ``data`` holds the kind's input
    fields (:data:`merchants.risk.changes.kinds.KINDS`). Raises ``PermissionDenied`` or
    ``ValidationError`` (keyed by field where one is at fault); then nothing is written.
    """
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind of change."), code="unknown_kind")
    draft = ChangeRequest(merchant=merchant, kind=kind, requested_by=actor)
    if is_owner(draft, actor) is not True:
        raise PermissionDenied(_("Only the merchant's owner can ask for a change."))
    if not merchant.is_approved:
        raise TransitionNotAllowed(
            _("Until the merchant is approved, change the application itself."),
            code="not_approved",
        )
    proposal = read_proposal(merchant=merchant, kind=kind, data=data)
    errors: dict[str, list[Any]] = {}
    phone = ""
    if contact_phone.strip():
        try:
            phone = normalize_cn_phone(contact_phone.strip())
        except ValidationError as exc:
            errors["contact_phone"] = exc.error_list
    errors.update(_document_errors(documents, required=True))
    if errors:
        raise ValidationError(errors)
    if ChangeRequest.objects.open().filter(merchant=merchant, kind=kind).exists():
        raise _already_open()
    draft.old_values = current_values(merchant, kind)
    draft.new_values = proposal.values
    draft.account_number = proposal.account_number
    draft.contact_phone = phone
    draft.reason = reason.strip()
    try:
        with transaction.atomic():
            draft._change_reason = "asked"
            draft.save()
            for upload in documents:
                _attach(draft, upload, actor)
            return change_request_transition(change=draft, name="submit", actor=actor)
    except IntegrityError as exc:  # a second request for the same kind, handed in at once
        raise _already_open() from exc


def change_document_add(*, change: ChangeRequest, actor: Any, upload: UploadedFile) -> None:
    """Add a supporting document when compliance asked for more information."""
    if is_owner(change, actor) is not True:
        raise PermissionDenied(_("Only the merchant's owner can add documents."))
    if change.status != ChangeStatus.INFO_REQUESTED:
        raise TransitionNotAllowed(
            _("Documents can be added when compliance asks for more information."),
            code="not_editable",
        )
    errors = _document_errors([upload], required=True, already=change.documents.count())
    if errors:
        raise ValidationError(errors)
    _attach(change, upload, actor)


def change_request_transition(
    *, change: ChangeRequest, name: str, actor: Any, reason: str = ""
) -> ChangeRequest:
    """Take step ``name`` of ``change`` for ``actor`` and record it; approval applies the change.

    Raises ``TransitionNotAllowed`` (e.g. the maker approving) or ``PermissionDenied``; a
    refused step writes nothing. The merchant is e-mailed the decision once it is committed.
    """

    def prepare(change: ChangeRequest, step: Transition) -> None:
        now = timezone.now()
        if step.target in (ChangeStatus.SUBMITTED, ChangeStatus.RESUBMITTED):
            change.submitted_at = now
        if name == "start_review":
            change.reviewer = actor
        if step.target == ChangeStatus.APPROVED:
            change.old_values = _apply(change, actor=actor)
        if step.target in (ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN):
            change.decided_by = actor
            change.decided_at = now
            # The merchant holds the account now (or never will); the phone was for this review.
            change.account_number = ""
            change.contact_phone = ""

    with transaction.atomic():
        change = CHANGE.step(
            change,
            name,
            actor=actor,
            reason=reason,
            queryset=ChangeRequest.objects.select_related("merchant"),
            prepare=prepare,
        )
        if change.status == ChangeStatus.APPROVED and set(KINDS[change.kind].columns) & MATCHED:
            # A new USCC or legal representative: checked against the risk list at once.
            risk_list_check(
                merchants=Merchant.objects.filter(pk=change.merchant_id),
                trigger=CheckTrigger.CHANGE,
                cause=f"change request {change.pk}",
                actor=actor,
            )
        if name in DECISIONS:
            pk = change.pk
            transaction.on_commit(lambda: mail.decision(ChangeRequest.objects.get(pk=pk)))
    return change


def _apply(change: ChangeRequest, *, actor: Any) -> dict[str, str]:
    """Write the proposal to the merchant under its row lock; return the values it replaced."""
    merchant = Merchant.objects.select_for_update().get(pk=change.merchant_id)
    replaced = current_values(merchant, change.kind)
    for column, value in change.new_values.items():
        setattr(merchant, column, value)
    if ACCOUNT_NUMBER in KINDS[change.kind].inputs:
        merchant.bank_account_number = change.account_number
    # The changed columns only (with the USCC's uniqueness): the rest was checked on onboarding.
    changed = set(KINDS[change.kind].columns)
    merchant.full_clean(
        exclude=[f.name for f in Merchant._meta.concrete_fields if f.name not in changed]
    )
    merchant._change_reason = f"change request #{change.pk} ({change.kind}) approved"
    merchant.save()
    change.merchant = merchant
    return replaced


def _document_errors(
    documents: Sequence[UploadedFile], *, required: bool, already: int = 0
) -> dict[str, list[Any]]:
    if required and not documents:
        return {
            "documents": [ValidationError(_("Attach at least one supporting document."))],
        }
    if already + len(documents) > MAX_DOCUMENTS:
        return {
            "documents": [
                ValidationError(
                    _("At most %(count)d documents per request."),
                    params={"count": MAX_DOCUMENTS},
                )
            ]
        }
    errors = []
    for upload in documents:
        try:
            validate_document(upload)
        except ValidationError as exc:
            errors.extend(ValidationError(f"{upload.name}: {message}") for message in exc.messages)
    return {"documents": errors} if errors else {}


def _attach(change: ChangeRequest, upload: UploadedFile, actor: Any) -> ChangeRequestDocument:
    document = ChangeRequestDocument(
        change=change,
        original_name=(upload.name or "")[:255],
        content_type=sniff_document_type(upload) or "application/octet-stream",
        size=upload.size or 0,
        uploaded_by=actor,
    )
    document.file.save(upload.name or "document", upload, save=False)
    document.save()
    return document


def _already_open() -> ValidationError:
    return ValidationError(
        _("A request to change this is already open: wait for its decision or withdraw it."),
        code="already_open",
    )
