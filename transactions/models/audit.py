"""Audit rules (thresholds editable in admin) and the record of each audit run."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}

# The built-in rules' current names (English msgids) by code, filled from the rule registry by
# TransactionsConfig.ready(): the rules import these models, so the models cannot import them.
RULE_NAMES: dict[str, str] = {}


class AuditRule(models.Model):
    """A rule's settings. Its logic is the module ``transactions/audit/rules/<code>.py``."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what it finds"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    parameters = models.JSONField(_("thresholds"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit rule")
        verbose_name_plural = _("audit rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The rule's name in the active language.

        ``name`` keeps the English text the rule had when its row was made (search matches it);
        the module's current name is translated instead, the stored one for a rule whose
        module is gone.
        """
        return gettext(RULE_NAMES.get(self.code, self.name))


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AuditRun(models.Model):
    """One audit over the reports received in (window_start, window_end]."""

    trigger = models.CharField(_("started by"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    window_start = models.DateTimeField(_("from (received after)"))
    window_end = models.DateTimeField(_("to (received until)"))
    rules = models.JSONField(_("rules"), default=list)
    counts = models.JSONField(_("findings by rule"), default=dict)
    alerts_created = models.PositiveIntegerField(_("alerts created"), default=0)
    alerts_updated = models.PositiveIntegerField(_("alerts updated"), default=0)
    parts_total = models.PositiveIntegerField(_("parts"), default=1)
    parts_done = models.PositiveIntegerField(_("parts done"), default=0)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("audit run")
        verbose_name_plural = _("audit runs")
        ordering = ["-started_at"]
        permissions = [("start_audit", _("Can start an audit run"))]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class AuditRunPart(models.Model):
    """A slice of a run (a range of merchants) done by one Celery task; re-running it is harmless."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    merchant_ids = models.JSONField(default=list)
    done = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="audit_part_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.index}"
