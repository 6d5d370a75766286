"""Archived months of reports, legal holds, and the reviewed jobs that delete expired data.

A month of reports older than the hot window is written to Parquet, one file per merchant, with a
manifest beside them (``transactions/archive/``, ``docs/archive.md``). ``ArchiveMonth`` is the
month's record and its workflow; ``ArchiveFile`` one merchant's file with its checksum.
``LegalHold`` stops deletion of a merchant's data or of one case's; ``DeletionJob`` is the
proposal to delete expired data, approved by a second person before anything is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models import Merchant
from portal.common.transitions import TransitionRecord
from transactions.models.alert import Alert
from transactions.models.complaint import Complaint


class ArchiveStatus(models.TextChoices):
    EXPORTED = "exported", _("Exported")
    VERIFIED = "verified", _("Verified")
    PURGED = "purged", _("Verified, removed from the hot table")
    DAMAGED = "damaged", _("Damaged (checksum failed)")
    DELETED = "deleted", _("Deleted (retention ended)")


# Months whose files can be read (a damaged one is refused until it checks out again).
READABLE_STATUSES = (ArchiveStatus.VERIFIED, ArchiveStatus.PURGED)


class ArchiveMonth(models.Model):
    """One Beijing month of reports written to the archive (``month`` is its first day)."""

    month = models.DateField(_("month"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.EXPORTED
    )
    directory = models.CharField(_("directory"), max_length=200)
    schema_version = models.PositiveSmallIntegerField(_("schema version"))
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64)
    purged_rows = models.PositiveIntegerField(_("rows removed from the hot table"), default=0)
    kept_hot = models.PositiveIntegerField(
        _("rows kept in the hot table"),
        default=0,
        help_text=_("Referenced by alerts, holds, complaints or amendments, or under legal hold."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("exported by"),
    )
    created_at = models.DateTimeField(_("exported"), auto_now_add=True)
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    purged_at = models.DateTimeField(_("removed from the hot table"), null=True, blank=True)
    damaged_at = models.DateTimeField(_("found damaged"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("archived month")
        verbose_name_plural = _("archived months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ArchiveMonthTransition(TransitionRecord):
    subject_field = "archive_month"

    archive_month = models.ForeignKey(
        ArchiveMonth, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=ArchiveStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=ArchiveStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("archived month step")
        verbose_name_plural = _("archived month steps")

    def __str__(self) -> str:
        return f"{self.archive_month_id}: {self.from_status} → {self.to_status}"


class ArchiveFile(models.Model):
    """One merchant's reports of an archived month: a Parquet file and its checksum."""

    archive_month = models.ForeignKey(
        ArchiveMonth, on_delete=models.PROTECT, related_name="files", verbose_name=_("month")
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="+", verbose_name=_("merchant")
    )
    path = models.CharField(_("path"), max_length=255, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"))
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    min_occurred_at = models.DateTimeField(_("first report"))
    max_occurred_at = models.DateTimeField(_("last report"))
    damaged_at = models.DateTimeField(_("found damaged"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("archive file")
        verbose_name_plural = _("archive files")
        ordering = ["archive_month", "merchant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive_month", "merchant"], name="archive_file_one_per_merchant"
            )
        ]

    def __str__(self) -> str:
        return self.path


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self, at: object = None) -> LegalHoldQuerySet:
        """Holds in force at ``at`` (now): started, not ended, not released."""
        at = at or timezone.now()
        return self.filter(
            Q(until__isnull=True) | Q(until__gt=at), starts_at__lte=at, released_at__isnull=True
        )


class LegalHold(models.Model):
    """Keep a merchant's data, or one case's reports, from deletion (hot table and archive).

    Without an alert or a complaint the hold covers everything of the merchant; with one, the
    reports of that case (and the archived months that hold them).
    """

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="+", verbose_name=_("merchant")
    )
    alert = models.ForeignKey(
        Alert,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
        verbose_name=_("alert (case)"),
    )
    complaint = models.ForeignKey(
        Complaint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
        verbose_name=_("complaint (case)"),
    )
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    until = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: until released.")
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed"), auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.TextField(_("release reason"), blank=True)

    objects = LegalHoldQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]
        permissions = [("manage_legal_hold", _("Can place and release legal holds"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(alert__isnull=True) | Q(complaint__isnull=True),
                name="legal_hold_one_case",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("starts_at")),
                name="legal_hold_until_after_start",
            ),
        ]

    def __str__(self) -> str:
        if self.alert_id:
            return f"{self.merchant} · alert #{self.alert_id}"
        if self.complaint_id:
            return f"{self.merchant} · complaint #{self.complaint_id}"
        return str(self.merchant)

    @property
    def is_case_hold(self) -> bool:
        return bool(self.alert_id or self.complaint_id)


class DeletionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved, deleting")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Deleted")
    FAILED = "failed", _("Failed")


class DeletionJob(models.Model):
    """Expired data that may be deleted, as proposed; deleted only once a second person approves.

    ``plan`` lists what would be deleted (months, files with checksums and rows, the hot rows
    left over) and what was kept and why (legal holds, damaged files, references); ``log`` what
    was deleted, with the checksum of each file, and what was skipped at deletion time.
    """

    status = models.CharField(
        _("status"), max_length=10, choices=DeletionStatus.choices, default=DeletionStatus.PROPOSED
    )
    retention_years = models.PositiveSmallIntegerField(_("retention (years)"))
    plan = models.JSONField(_("what would be deleted"), default=dict)
    file_count = models.PositiveIntegerField(_("files"), default=0)
    row_count = models.PositiveBigIntegerField(_("archived rows"), default=0)
    hot_row_count = models.PositiveBigIntegerField(_("hot rows"), default=0)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
        help_text=_("Empty: proposed by the scheduled retention job."),
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    log = models.JSONField(_("what was deleted"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    history = HistoricalRecords(excluded_fields=["plan", "log"])

    class Meta:
        verbose_name = _("deletion job")
        verbose_name_plural = _("deletion jobs")
        ordering = ["-proposed_at", "-pk"]
        permissions = [("approve_deletion_job", _("Can approve the deletion of expired data"))]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class DeletionJobTransition(TransitionRecord):
    subject_field = "job"

    job = models.ForeignKey(DeletionJob, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=10, choices=DeletionStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=DeletionStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("deletion job step")
        verbose_name_plural = _("deletion job steps")

    def __str__(self) -> str:
        return f"{self.job_id}: {self.from_status} → {self.to_status}"
