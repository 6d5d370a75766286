"""Signing up, filling in and moving an onboarding application."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import (
    ApplicationStatus,
    CheckTrigger,
    Membership,
    Merchant,
    MerchantDocument,
    ReportingSettings,
    Role,
)
from merchants.onboarding.fields import APPLICATION_FIELDS
from merchants.onboarding.mid import assign_mid_safely
from merchants.onboarding.workflow import APPLICATION
from merchants.risk.providers.selectors import check_provider_may_bring
from merchants.risk.risklist.services import risk_list_check
from portal.common.crypto import id_number_digest
from portal.common.masking import mask_id_number
from portal.common.statemachine import Transition, TransitionNotAllowed
from portal.common.validators import (
    normalize_cn_phone,
    sniff_document_type,
    validate_document,
    validate_resident_id,
)

User = get_user_model()


@transaction.atomic
def merchant_signup(*, username: str, email: str, password: str) -> tuple[Any, Merchant]:
    """Create a portal user with a fresh draft merchant it owns."""
    user = User.objects.create_user(username=username, email=email, password=password)
    merchant = Merchant.objects.create(contact_email=email)
    Membership.objects.create(user=user, merchant=merchant, role=Role.OWNER)
    ReportingSettings.objects.create(merchant=merchant)
    return user, merchant


# Application fields a merchant edits as they are; the phone is normalised, the others derived below.
PLAIN_FIELDS = tuple(name for name in APPLICATION_FIELDS if name != "contact_phone")


@transaction.atomic
def application_update(*, merchant: Merchant, actor: Any, data: dict[str, Any]) -> Merchant:
    """Save application fields from validated ``data``.

    ``legal_rep_id_number`` is validated, then only its masked form and its keyed hash (which
    the risk list is matched on) are kept;
    ``bank_account_number`` is encrypted and its last four digits kept for display;
    a blank value for either leaves what is stored. ``service_provider`` (a provider or None) is
    the provider that brought the merchant: one that may not bring merchants is refused.
    """
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    if not merchant.is_editable:
        raise TransitionNotAllowed(
            _(
                "The application can only be changed as a draft or when more information is asked for."
            ),
            code="not_editable",
        )
    for name in (*PLAIN_FIELDS, "declared_monthly_sales"):
        if name in data:
            setattr(merchant, name, data[name])
    if data.get("contact_phone"):
        merchant.contact_phone = normalize_cn_phone(data["contact_phone"])
    if id_number := data.get("legal_rep_id_number"):
        validate_resident_id(id_number)
        merchant.legal_rep_id_masked = mask_id_number(id_number)
        merchant.legal_rep_id_digest = id_number_digest(id_number)
    if account := data.get("bank_account_number"):
        merchant.bank_account_number = account
        merchant.bank_account_last4 = account[-4:]
    if "service_provider" in data:
        if (provider := data["service_provider"]) is not None:
            try:
                check_provider_may_bring(provider)
            except ValidationError as exc:
                raise ValidationError({"service_provider": exc.error_list}) from exc
        merchant.service_provider = provider
    merchant.full_clean(exclude=["bank_account_number"])
    merchant._change_reason = "application edited"
    merchant.save()
    return merchant


@transaction.atomic
def document_add(
    *, merchant: Merchant, actor: Any, kind: str, upload: UploadedFile
) -> MerchantDocument:
    """Attach a licence or ID scan; replaces an earlier document of the same required kind."""
    if not merchant.is_editable:
        raise TransitionNotAllowed(
            _("Documents can only be changed as a draft or when more information is asked for."),
            code="not_editable",
        )
    validate_document(upload)
    content_type = sniff_document_type(upload) or "application/octet-stream"
    if kind != "other":
        for old in merchant.documents.filter(kind=kind):
            old.file.delete(save=False)
            old.delete()
    document = MerchantDocument(
        merchant=merchant,
        kind=kind,
        original_name=(upload.name or "")[:255],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    document.file.save(upload.name or "document", upload, save=False)
    document.save()
    return document


@transaction.atomic
def application_transition(
    *, merchant: Merchant, name: str, actor: Any, reason: str = ""
) -> Merchant:
    """Take transition ``name`` of the application and record the step.

    Approval assigns the acquirer MID; starting a review makes the actor the reviewer and checks
    the applicant against the external risk list (a hit is recorded and blocks approval).
    Raises :class:`TransitionNotAllowed` or ``PermissionDenied`` when the step is refused.
    """

    def prepare(merchant: Merchant, step: Transition) -> None:
        now = timezone.now()
        if step.target in (ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED):
            merchant.submitted_at = now
        if name == "start_review":
            merchant.reviewer = actor
        if step.target == ApplicationStatus.APPROVED:
            merchant.approved_at = now

    merchant = APPLICATION.step(merchant, name, actor=actor, reason=reason, prepare=prepare)
    if name == "start_review":
        risk_list_check(
            merchants=Merchant.objects.filter(pk=merchant.pk),
            trigger=CheckTrigger.ONBOARDING,
            cause="review started",
            actor=actor,
        )
    if merchant.status == ApplicationStatus.APPROVED and not merchant.mid:
        assign_mid_safely(merchant)
    return merchant
