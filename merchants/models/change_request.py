"""Re-verification: a change of a merchant's key information, asked for and reviewed, never edited.

The acquiring rules (《银行卡收单业务管理办法》) want a merchant re-verified before its key
information changes. The merchant's own row keeps the values in force; a request carries the
proposed ones until a reviewer other than the requester approves it, and only then are they
written to the merchant (see :mod:`merchants.risk.changes.services`). ``status`` moves only through
:mod:`merchants.risk.changes.workflow`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models.merchant import Merchant
from portal.common.fields import EncryptedTextField
from portal.common.transitions import TransitionRecord


class ChangeKind(models.TextChoices):
    """What a request changes: one piece of key information, possibly several columns."""

    LEGAL_NAME = "legal_name", _("Legal name")
    USCC = "uscc", _("Unified social credit code")
    LEGAL_REP = "legal_rep", _("Legal representative")
    SETTLEMENT_ACCOUNT = "settlement_account", _("Settlement account")
    MCC = "mcc", _("Merchant category (MCC)")
    REGISTERED_ADDRESS = "registered_address", _("Registered address")
    BUSINESS_ADDRESS = "business_address", _("Business address")


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("More information needed")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A request in one of these states blocks another request for the same information.
OPEN_CHANGE_STATUSES = (
    ChangeStatus.DRAFT,
    ChangeStatus.SUBMITTED,
    ChangeStatus.UNDER_REVIEW,
    ChangeStatus.INFO_REQUESTED,
    ChangeStatus.RESUBMITTED,
)


class ChangeRequestQuerySet(models.QuerySet["ChangeRequest"]):
    def open(self) -> ChangeRequestQuerySet:
        return self.filter(status__in=OPEN_CHANGE_STATUSES)

    def awaiting_review(self) -> ChangeRequestQuerySet:
        return self.filter(
            status__in=[
                ChangeStatus.SUBMITTED,
                ChangeStatus.RESUBMITTED,
                ChangeStatus.UNDER_REVIEW,
            ]
        )


class ChangeRequest(models.Model):
    """A proposed change of one piece of a merchant's key information.

    ``old_values`` and ``new_values`` map the merchant's column names to values as they may be
    shown (the ID number masked, the account by its last four digits): the record of what changed.
    The new account number itself is kept encrypted in ``account_number`` and the phone to confirm
    the change with in ``contact_phone``; both are emptied once the request is decided, when the
    merchant holds the account (encrypted) and the phone is no longer needed.
    """

    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="change_requests",
        verbose_name=_("merchant"),
    )
    kind = models.CharField(_("what changes"), max_length=30, choices=ChangeKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ChangeStatus.choices,
        default=ChangeStatus.DRAFT,
        db_index=True,
    )
    old_values = models.JSONField(_("values in force when asked"), default=dict)
    new_values = models.JSONField(_("proposed values"), default=dict)
    account_number = EncryptedTextField(_("new account number"), blank=True)
    contact_phone = EncryptedTextField(_("phone to confirm the change"), blank=True)
    reason = models.TextField(_("why the change"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    submitted_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["account_number", "contact_phone"])
    _change_reason: str
    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("review_changerequest", _("Can review change requests")),
            ("approve_changerequest", _("Can approve change requests")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "kind"],
                condition=models.Q(status__in=OPEN_CHANGE_STATUSES),
                name="change_request_one_open_per_kind",
            )
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return _("Change #%(pk)s: %(kind)s") % {"pk": self.pk, "kind": self.get_kind_display()}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHANGE_STATUSES


class ChangeRequestTransition(TransitionRecord):
    """One step of a change request: who moved it from which state to which, when and why."""

    subject_field = "change"

    change = models.ForeignKey(
        ChangeRequest,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("change request"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ChangeStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ChangeStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("change request step")
        verbose_name_plural = _("change request steps")

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


def change_document_path(instance: ChangeRequestDocument, filename: str) -> str:
    # The original name is kept in the row; the stored name reveals nothing.
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        instance.content_type, ""
    )
    return f"change-documents/{instance.change.merchant_id}/{uuid.uuid4().hex}{suffix}"


class ChangeRequestDocument(models.Model):
    """A supporting document: the new licence, the new representative's ID, a bank letter."""

    change = models.ForeignKey(
        ChangeRequest,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("change request"),
    )
    file = models.FileField(_("file"), upload_to=change_document_path)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
