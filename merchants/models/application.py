"""What an onboarding application carries besides its fields: its trail and its documents."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from merchants.models.merchant import ApplicationStatus, Merchant
from portal.common.transitions import TransitionRecord


class ApplicationTransition(TransitionRecord):
    """One step of an application: who moved it from which state to which, when and why."""

    subject_field = "merchant"

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("merchant")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    # The oldest trail: its actor has a label and its time an index, as when the table was made.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    LEGAL_REP_ID_FRONT = "legal_rep_id_front", _("Legal representative ID (front)")
    LEGAL_REP_ID_BACK = "legal_rep_id_back", _("Legal representative ID (back)")
    OTHER = "other", _("Other supporting document")


REQUIRED_DOCUMENTS = (
    DocumentKind.BUSINESS_LICENCE,
    DocumentKind.LEGAL_REP_ID_FRONT,
    DocumentKind.LEGAL_REP_ID_BACK,
)


def document_path(instance: "MerchantDocument", filename: str) -> str:
    # The original name is kept in the row; the stored name reveals nothing.
    import uuid

    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        instance.content_type, ""
    )
    return f"merchant-documents/{instance.merchant_id}/{uuid.uuid4().hex}{suffix}"


class MerchantDocument(models.Model):
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="documents", verbose_name=_("merchant")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
