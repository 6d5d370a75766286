"""Cardholder complaints about a stored report: the reason, the trail, the evidence and the outcome.

The complainant's name and contact are personal data of someone who is not a user of the portal:
they are encrypted at rest and only ever shown masked. The merchant never sees them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from merchants.models import Merchant
from portal.common.fields import EncryptedTextField
from portal.common.masking import mask_middle
from portal.common.transitions import TransitionRecord
from transactions.models.report import Report, ReportAmendment


class ComplaintReason(models.Model):
    """Why the cardholder complains, and how many days there are to answer such a complaint."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer"), default=10, help_text=_("Counted from the day the complaint arrives.")
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint reason")
        verbose_name_plural = _("complaint reasons")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ComplaintStatus(models.TextChoices):
    # Contexts: "Received" and "Rejected" mean other things on the report and application pages.
    RECEIVED = "received", pgettext_lazy("complaint status", "Received")
    AWAITING_MERCHANT = "awaiting_merchant", _("Awaiting the merchant")
    MERCHANT_ANSWERED = "merchant_answered", _("Merchant answered")
    UNDER_REVIEW = "under_review", _("Under review")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", pgettext_lazy("complaint status", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


COMPLAINT_OPEN_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.AWAITING_MERCHANT,
    ComplaintStatus.MERCHANT_ANSWERED,
    ComplaintStatus.UNDER_REVIEW,
)


class ComplaintChannel(models.TextChoices):
    """Who brought the complaint in: staff recording what the cardholder said, or the cardholder."""

    STAFF = "staff", _("Staff")
    CARDHOLDER = "cardholder", _("Cardholder")


class ComplaintOutcome(models.TextChoices):
    REFUND = "refund", _("Partial refund")
    REVERSAL = "reversal", _("Full reversal")


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def unresolved(self) -> ComplaintQuerySet:
        return self.filter(status__in=COMPLAINT_OPEN_STATUSES)

    def for_merchant(self, merchant: Merchant) -> ComplaintQuerySet:
        return self.filter(merchant=merchant)


class Complaint(models.Model):
    """A cardholder's complaint about one report, from arrival until it is resolved."""

    report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("report"),
        db_constraint=False,  # partitioned reports (docs/partitions.md)
    )
    # The report's merchant, copied so every merchant-scoped query is one indexed filter.
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("merchant")
    )
    reason = models.ForeignKey(
        ComplaintReason,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("reason"),
    )
    description = models.TextField(_("what the cardholder says"))
    complainant_name = EncryptedTextField(_("complainant"), blank=True)
    complainant_phone = EncryptedTextField(_("complainant phone"), blank=True)
    complainant_email = EncryptedTextField(_("complainant e-mail"), blank=True)
    # The language of the page the cardholder gave the contact on, the one to write to them in
    # (empty: recorded by staff, the portal's default language).
    complainant_language = models.CharField(
        _("complainant's language"), max_length=10, blank=True, default=""
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
        db_index=True,
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=ComplaintChannel.choices,
        default=ComplaintChannel.STAFF,
    )
    # SHA-256 of the cardholder's tracking code (cardholder channel only): the code itself is
    # shown once and e-mailed, never stored.
    tracking_hash = models.CharField(_("tracking code hash"), max_length=64, blank=True)
    due_at = models.DateTimeField(_("answer due"))
    overdue = models.BooleanField(_("overdue"), default=False)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ComplaintOutcome.choices, blank=True
    )
    refund_amount = models.DecimalField(
        _("refunded (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    amendment = models.OneToOneField(
        ReportAmendment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaint",
        verbose_name=_("amendment"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "complainant_name",
            "complainant_phone",
            "complainant_email",
            "tracking_hash",
        ]
    )
    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("handle_complaint", _("Can record, forward and review complaints")),
            ("decide_complaint", _("Can uphold or reject complaints")),
        ]
        indexes = [
            models.Index(fields=["merchant", "status"], name="complaint_merchant_status"),
            models.Index(fields=["status", "due_at"], name="complaint_status_due"),
            models.Index(fields=["merchant", "resolved_at"], name="complaint_merchant_resolved"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tracking_hash"],
                condition=~models.Q(tracking_hash=""),
                name="complaint_tracking_hash_unique",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason} · {self.report.rrn}"

    @property
    def is_resolved(self) -> bool:
        return self.status not in COMPLAINT_OPEN_STATUSES

    @property
    def is_late(self) -> bool:
        """Past its deadline and still open (whether or not the beat task has flagged it yet)."""
        return not self.is_resolved and self.due_at < timezone.now()

    @property
    def complainant_name_masked(self) -> str:
        name = self.complainant_name or ""
        return name[:1] + "*" * (len(name) - 1) if name else ""

    @property
    def complainant_phone_masked(self) -> str:
        phone = self.complainant_phone or ""
        if phone.startswith("+86"):
            return "+86 " + mask_middle(phone[3:], head=3, tail=4)
        return mask_middle(phone, head=3, tail=4) if phone else ""

    @property
    def complainant_email_masked(self) -> str:
        local, _at, domain = (self.complainant_email or "").partition("@")
        return f"{local[:1]}***@{domain}" if local and domain else ""


class ComplaintTransition(TransitionRecord):
    """One step of a complaint: from, to, who, when and why."""

    subject_field = "complaint"

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=ComplaintStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ComplaintStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_status} → {self.to_status}"


class EvidenceSide(models.TextChoices):
    STAFF = "staff", _("Compliance")
    MERCHANT = "merchant", _("Merchant")
    CARDHOLDER = "cardholder", _("Cardholder")


class ComplaintEvidence(models.Model):
    """A file for a complaint (the cardholder's statement, a signed slip), served by a checked view."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    side = models.CharField(_("from"), max_length=10, choices=EvidenceSide.choices)
    note = models.TextField(_("note"), blank=True)
    # Blank for information the cardholder added as text only.
    file = models.FileField(_("file"), upload_to="complaint-evidence/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint evidence")
        verbose_name_plural = _("complaint evidence")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.original_name}"
