"""Alerts raised by audits, their review trail, the merchant's answers, and holds."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models import Merchant, Terminal
from portal.common.transitions import TransitionRecord
from transactions.models.audit import AuditRule, AuditRun, Severity
from transactions.models.report import Report

logger = logging.getLogger(__name__)


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_MERCHANT = "awaiting_merchant", _("Awaiting the merchant")
    MERCHANT_ANSWERED = "merchant_answered", _("Merchant answered")
    ESCALATED = "escalated", _("Escalated")
    CLEARED = "cleared", _("Cleared")
    CONFIRMED = "confirmed", _("Confirmed")


OPEN_STATUSES = (
    AlertStatus.OPEN,
    AlertStatus.IN_REVIEW,
    AlertStatus.AWAITING_MERCHANT,
    AlertStatus.MERCHANT_ANSWERED,
    AlertStatus.ESCALATED,
)


class AlertQuerySet(models.QuerySet["Alert"]):
    def unresolved(self) -> AlertQuerySet:
        """Alerts someone has to work on: open, neither a shadow rule's nor raised while the
        rule was snoozed (those stay out of queues)."""
        return self.live().filter(status__in=OPEN_STATUSES)

    def live(self) -> AlertQuerySet:
        """Every alert but a shadow rule version's and those raised while their rule slept."""
        return self.filter(shadow=False, snooze__isnull=True)

    def for_merchant(self, merchant: Merchant) -> AlertQuerySet:
        """The merchant's alerts; shadow and snoozed findings are never shown to the merchant."""
        return self.live().filter(merchant=merchant)


class Alert(models.Model):
    """A finding of an audit rule, for a merchant (and terminal), with the reports involved.

    ``fingerprint`` names the finding (rule + what it is about), so a re-run finds the same alert
    again instead of raising a second one.
    """

    rule = models.ForeignKey(
        AuditRule, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("rule")
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("merchant")
    )
    terminal = models.ForeignKey(
        Terminal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("terminal"),
    )
    fingerprint = models.CharField(max_length=200, unique=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AlertStatus.choices,
        default=AlertStatus.OPEN,
        db_index=True,
    )
    # The English reading, kept for search and e-mails; pages show get_explanation_display().
    explanation = models.TextField(_("explanation"))
    # What the rule said, to be read in each reader's language: an English msgid with
    # %(name)s placeholders and their values as text. Empty for alerts raised before.
    explanation_message = models.TextField(_("explanation message"), blank=True, default="")
    explanation_params = models.JSONField(_("explanation values"), blank=True, default=dict)
    reports = models.ManyToManyField(
        Report, through="AlertReport", related_name="alerts", verbose_name=_("reports")
    )
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_alerts",
        verbose_name=_("assigned to"),
    )
    run = models.ForeignKey(
        AuditRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Raised by a rule written as data (transactions/rules/): the exact version, each
    # condition's value and the aggregate figures that made it fire.
    rule_version = models.ForeignKey(
        "transactions.RuleVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("rule version"),
    )
    explain = models.JSONField(_("why it fired"), default=dict, blank=True)
    shadow = models.BooleanField(
        _("shadow"),
        default=False,
        help_text=_("Raised by a rule version in shadow: recorded, kept out of the queues."),
    )
    # Raised while its rule was snoozed for this merchant / terminal / card: kept, out of queues.
    snooze = models.ForeignKey(
        "transactions.RuleSnooze",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("raised while snoozed"),
    )
    created_at = models.DateTimeField(_("raised"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["report_count", "updated_at"])
    # Set by a service before a save: django-simple-history keeps it as the record's reason.
    _change_reason: str
    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        permissions = [
            ("review_alert", _("Can review alerts")),
            ("decide_escalated_alert", _("Can decide escalated alerts")),
            ("hold_reports", _("Can put reports and terminals on hold")),
        ]
        indexes = [
            models.Index(fields=["status", "severity"]),
            models.Index(fields=["merchant", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.rule} · {self.merchant}"

    @property
    def is_resolved(self) -> bool:
        return self.status not in OPEN_STATUSES

    def get_explanation_display(self) -> str:
        """The explanation in the active language, or the stored English one.

        English is kept for alerts without a message (raised before messages were stored, or
        made by hand) and for a translation whose placeholders do not fit the values: a wrong
        catalogue entry must not hide the finding.
        """
        if not self.explanation_message:
            return self.explanation
        try:
            return gettext(self.explanation_message) % self.explanation_params
        except (KeyError, TypeError, ValueError):
            logger.warning("Alert %s: its explanation does not format; shown in English", self.pk)
            return self.explanation


class AlertReport(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE)
    # Reports are partitioned on PostgreSQL: no database constraint (docs/partitions.md).
    report = models.ForeignKey(Report, on_delete=models.PROTECT, db_constraint=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "report"], name="alert_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}:{self.report_id}"


class AlertTransition(TransitionRecord):
    subject_field = "alert"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=AlertStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=AlertStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("alert step")
        verbose_name_plural = _("alert steps")

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.from_status} → {self.to_status}"


class AlertResponse(models.Model):
    """The merchant's answer to an alert, with optional evidence."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="responses")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("answer"))
    attachment = models.FileField(_("attachment"), upload_to="alert-evidence/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("merchant answer")
        verbose_name_plural = _("merchant answers")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.text[:40]}"


class HoldQuerySet(models.QuerySet["Hold"]):
    def active(self) -> HoldQuerySet:
        """Holds not released yet."""
        return self.filter(released_at__isnull=True)

    def on_report(self, report: Report) -> HoldQuerySet:
        """Holds on the report itself, or on its terminal."""
        return self.filter(models.Q(report_id=report.pk) | models.Q(terminal_id=report.terminal_id))

    def of_merchant(self, merchant_id: int) -> HoldQuerySet:
        """Holds on the merchant's reports or terminals."""
        return self.filter(
            models.Q(report__merchant_id=merchant_id) | models.Q(terminal__merchant_id=merchant_id)
        )


class Hold(models.Model):
    """Interception: a report, or a whole terminal, held because of an alert until staff release it."""

    alert = models.ForeignKey(
        Alert, on_delete=models.PROTECT, related_name="holds", verbose_name=_("alert")
    )
    report = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holds",
        db_constraint=False,  # partitioned reports (docs/partitions.md)
    )
    terminal = models.ForeignKey(
        Terminal, null=True, blank=True, on_delete=models.PROTECT, related_name="holds"
    )
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(_("held since"), auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.TextField(_("release reason"), blank=True)

    objects = HoldQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, terminal__isnull=True)
                | models.Q(report__isnull=True, terminal__isnull=False),
                name="hold_report_xor_terminal",
            ),
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(released_at__isnull=True),
                name="hold_one_active_per_report",
            ),
            models.UniqueConstraint(
                fields=["terminal"],
                condition=models.Q(released_at__isnull=True),
                name="hold_one_active_per_terminal",
            ),
        ]

    def __str__(self) -> str:
        return f"hold of {self.report or self.terminal}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None
