"""Reconciliation: the acquirer's settlement files, their lines, and what each run found.

A line is stored once per file, and a file once per ledger (its sha256 is unique among the
acquirer's files uploaded by staff, and among each merchant's own uploads; a failed file holds
nothing and does not count), so a re-upload is refused; a run matches the file's lines against the reports and records the differences as items, plus totals
per merchant and day so that pages never aggregate a million lines again.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models import Merchant, Terminal
from portal.common.transitions import TransitionRecord
from transactions.models.audit import RunStatus
from transactions.models.report import Report


class Acquirer(models.Model):
    """An acquirer and how to read its settlement file (see docs/reconciliation.md)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    column_mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        help_text=_("Our field name → the column header in the acquirer's file."),
    )
    type_values = models.JSONField(
        _("transaction types"),
        default=dict,
        blank=True,
        help_text=_("The acquirer's type value → sale / refund / void / preauth_completion."),
    )
    date_format = models.CharField(
        _("date format"), max_length=30, blank=True, help_text=_("Empty: ISO (2025-01-31).")
    )
    time_format = models.CharField(
        _("time format"),
        max_length=30,
        blank=True,
        help_text=_("Empty: ISO (2025-01-31 13:45:00). Times are Beijing time."),
    )
    amount_tolerance = models.DecimalField(
        _("amount tolerance (CNY)"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    time_window_seconds = models.PositiveIntegerField(_("time window (seconds)"), default=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acquirer")
        verbose_name_plural = _("acquirers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FileStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    RECONCILING = "reconciling", _("Reconciling")
    DONE = "done", _("Reconciled")
    FAILED = "failed", _("Failed")


class SettlementFile(models.Model):
    acquirer = models.ForeignKey(
        Acquirer, on_delete=models.PROTECT, related_name="files", verbose_name=_("acquirer")
    )
    # Set when a merchant uploads its own file: then only its own MID is accepted in it.
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlement_files",
        verbose_name=_("merchant"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="settlement-files/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=12, choices=FileStatus.choices, default=FileStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    line_count = models.PositiveIntegerField(_("lines stored"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("settlement file")
        verbose_name_plural = _("settlement files")
        ordering = ["-created_at", "-pk"]
        # Two ledgers (see reconciliation.clauses): a merchant's upload conflicts only with its
        # own earlier uploads, the acquirer's file only with the same acquirer's staff uploads.
        constraints = [
            models.UniqueConstraint(
                fields=["sha256", "acquirer"],
                condition=models.Q(merchant__isnull=True) & ~models.Q(status="failed"),
                name="settlement_file_once_per_acquirer",
            ),
            models.UniqueConstraint(
                fields=["sha256", "merchant"],
                condition=models.Q(merchant__isnull=False) & ~models.Q(status="failed"),
                name="settlement_file_once_per_merchant",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if self.status in (FileStatus.IMPORTED, FileStatus.RECONCILING, FileStatus.DONE):
            return 100
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (FileStatus.DONE, FileStatus.FAILED)


class SettlementFileTransition(TransitionRecord):
    """One status change of a settlement file: from, to, who (None: a worker) and why."""

    subject_field = "file"

    file = models.ForeignKey(
        SettlementFile,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("settlement file"),
    )
    from_status = models.CharField(_("from"), max_length=12, choices=FileStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=FileStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("settlement file step")
        verbose_name_plural = _("settlement file steps")

    def __str__(self) -> str:
        return f"{self.file_id}: {self.from_status} → {self.to_status}"


class Outcome(models.TextChoices):
    MATCHED = "matched", _("Matched")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount mismatch")
    REPORTED_NOT_SETTLED = "reported_not_settled", _("Reported but not settled")
    SETTLED_NOT_REPORTED = "settled_not_reported", _("Settled but not reported")
    DUPLICATE_IN_FILE = "duplicate_in_file", _("Duplicate in file")
    # Of a merchant and day, not a line: reports that day and no line in the acquirer's file.
    MERCHANT_NOT_IN_FILE = "merchant_not_in_file", _("Merchant not in the file")


class SettlementLine(models.Model):
    """One valid line of a settlement file, as read; what a run made of it is its ``outcome``.

    Written a million at a time by COPY and never updated, so the table carries no database-level
    foreign keys (each would be a trigger firing per row) and one index, (file, line_no). The
    references are resolved by the importer from the merchants' and terminals' own tables, and
    lines are never deleted but with their file.
    """

    file = models.ForeignKey(
        SettlementFile,
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,  # (file, line_no) serves it
        db_constraint=False,
    )
    line_no = models.PositiveIntegerField(_("line"))
    settlement_date = models.DateField(_("settlement date"))
    mid = models.CharField(_("MID"), max_length=15)
    tid = models.CharField(_("TID"), max_length=8)
    rrn = models.CharField(_("RRN"), max_length=12, blank=True)
    trace_no = models.CharField(_("trace number"), max_length=6, blank=True)
    batch_no = models.CharField(_("batch number"), max_length=6, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    fee = models.DecimalField(_("fee"), max_digits=12, decimal_places=2, null=True, blank=True)
    masked_pan = models.CharField(_("card number (masked)"), max_length=19, blank=True)
    occurred_at = models.DateTimeField(_("transaction time"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=20, blank=True)
    # Resolved at import: the transaction's Beijing day and its bounds, the merchant and terminal.
    day = models.DateField(_("transaction day"))
    day_start = models.DateTimeField()
    day_end = models.DateTimeField()
    merchant = models.ForeignKey(
        Merchant,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    terminal = models.ForeignKey(
        Terminal,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["file", "line_no"]
        indexes = [models.Index(fields=["file", "line_no"], name="settle_line_file_no")]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.line_no} {self.tid} {self.rrn} {self.amount}"


class SettlementLineOutcome(models.Model):
    """What the file's latest run made of one of its lines: the report it settles, if any.

    A narrow table of its own rather than columns of the line: a run inserts a million of these
    where updating a million wide lines wrote each line again with its indexes (2.5× the time on
    the benchmark, docs/performance-history.md). Keyed by (file, line) so that a file's outcomes are one index
    range; the report is indexed: "is this report settled by any line?" is the anti-join of every
    run and of the report pages.
    """

    pk = models.CompositePrimaryKey("file", "line")
    # The primary key's index serves both: by file, and by (file, line).
    file = models.ForeignKey(
        SettlementFile,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    line = models.ForeignKey(
        SettlementLine,
        on_delete=models.CASCADE,
        related_name="outcomes",
        db_index=False,
        db_constraint=False,
    )
    report = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="settlement_outcomes",
        db_constraint=False,
    )
    reported_amount = models.DecimalField(
        _("reported amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)

    class Meta:
        verbose_name = _("settlement line outcome")
        verbose_name_plural = _("settlement line outcomes")

    def __str__(self) -> str:
        return f"{self.file_id}:{self.line_id} {self.outcome}"


class SettlementLineError(models.Model):
    """A row that could not be read: its line number and what is wrong, by field."""

    file = models.ForeignKey(SettlementFile, on_delete=models.CASCADE, related_name="line_errors")
    line_no = models.PositiveIntegerField(_("line"))
    errors = models.JSONField(_("errors"), default=dict)

    class Meta:
        verbose_name = _("settlement line error")
        verbose_name_plural = _("settlement line errors")
        ordering = ["file", "line_no"]
        indexes = [models.Index(fields=["file", "line_no"], name="settle_error_file_no")]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.line_no}"


class ReconciliationRun(models.Model):
    file = models.ForeignKey(
        SettlementFile, on_delete=models.CASCADE, related_name="runs", verbose_name=_("file")
    )
    trigger = models.CharField(_("started by"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    matched = models.PositiveIntegerField(_("matched"), default=0)
    amount_mismatch = models.PositiveIntegerField(_("amount mismatch"), default=0)
    reported_not_settled = models.PositiveIntegerField(_("reported but not settled"), default=0)
    settled_not_reported = models.PositiveIntegerField(_("settled but not reported"), default=0)
    duplicate_in_file = models.PositiveIntegerField(_("duplicate in file"), default=0)
    merchant_not_in_file = models.PositiveIntegerField(
        _("merchant days not in the file"),
        default=0,
        help_text=_("Merchants with reports on one of the file's days and no line in it."),
    )
    alerts_created = models.PositiveIntegerField(_("alerts created"), default=0)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def differences(self) -> int:
        return (
            self.amount_mismatch
            + self.reported_not_settled
            + self.settled_not_reported
            + self.duplicate_in_file
            + self.merchant_not_in_file
        )


class ReconciliationItem(models.Model):
    """One difference a run found: a line without its report, a report without its line, …"""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=24, choices=Outcome.choices)
    merchant = models.ForeignKey(
        Merchant, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("merchant")
    )
    day = models.DateField(_("day"))
    line = models.ForeignKey(
        SettlementLine, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    line_no = models.PositiveIntegerField(_("line"), null=True)
    report = models.ForeignKey(
        Report,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,  # partitioned reports (docs/partitions.md)
    )
    tid = models.CharField(_("TID"), max_length=8)
    rrn = models.CharField(_("RRN"), max_length=12, blank=True)
    settled_amount = models.DecimalField(
        _("settled amount"), max_digits=12, decimal_places=2, null=True
    )
    reported_amount = models.DecimalField(
        _("reported amount"), max_digits=12, decimal_places=2, null=True
    )

    class Meta:
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        ordering = ["run", "day", "line_no", "pk"]
        indexes = [models.Index(fields=["run", "merchant", "kind"], name="recon_item_run_merchant")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.tid} {self.rrn}"


class ReconciliationTotal(models.Model):
    """Counts and amounts of one merchant's day in a run, by outcome."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="totals")
    merchant = models.ForeignKey(Merchant, null=True, on_delete=models.SET_NULL, related_name="+")
    day = models.DateField(_("day"))
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    count = models.PositiveIntegerField(_("count"))
    settled_amount = models.DecimalField(_("settled"), max_digits=14, decimal_places=2, null=True)
    reported_amount = models.DecimalField(_("reported"), max_digits=14, decimal_places=2, null=True)

    class Meta:
        ordering = ["run", "merchant", "day", "outcome"]
        indexes = [models.Index(fields=["run", "merchant", "day"], name="recon_total_run_merchant")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.merchant_id} {self.day} {self.outcome} {self.count}"
