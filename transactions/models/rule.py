"""The rule studio: rules written as data by compliance staff, their versions, lists and backtests.

A rule's logic is a JSON document (``transactions/rules/schema.py`` says what it may hold); every
change is a new ``RuleVersion``, immutable once written, so an alert or a backtest always points
at the exact logic that produced it. The rule's alerts are filed under an ``AuditRule`` row of its
own (``data_<code>``), so they go through the same alert path, queue and pages as the built-ins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.common.transitions import TransitionRecord
from transactions.models.audit import AuditRule, Severity

DATA_RULE_PREFIX = "data_"


class RuleAction(models.TextChoices):
    ALERT = "alert", _("Alert only (the audit raises an alert)")
    REVIEW = "review", _("Review (also screened at report time: a reviewer looks)")
    HOLD = "hold", _("Hold (also screened at report time: the sale is held)")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHADOW = "shadow", _("Shadow")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


LIVE_STATUSES = (VersionStatus.SHADOW, VersionStatus.ACTIVE)


class Rule(models.Model):
    """A rule staff wrote; its logic is in its versions, the one that runs is live (shadow/active)."""

    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("Letters, digits and underscores; it names the rule's alerts."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what it finds"), blank=True)
    audit_rule = models.OneToOneField(
        AuditRule,
        on_delete=models.PROTECT,
        related_name="data_rule",
        verbose_name=_("alerts under"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("data rule")
        verbose_name_plural = _("data rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RuleVersion(models.Model):
    """One version of a rule's document: written once, then only its status moves."""

    rule = models.ForeignKey(
        Rule, on_delete=models.PROTECT, related_name="versions", verbose_name=_("rule")
    )
    number = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("rule document"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    action = models.CharField(_("action"), max_length=10, choices=RuleAction.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        db_index=True,
    )
    reason = models.TextField(_("why this change"))
    diff = models.JSONField(_("changes from the previous version"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["rule", "-number"]
        permissions = [("go_live_ruleversion", _("Can put rule versions in shadow or live"))]
        constraints = [
            models.UniqueConstraint(fields=["rule", "number"], name="rule_version_number"),
            models.UniqueConstraint(
                fields=["rule"],
                condition=models.Q(status="active"),
                name="rule_one_active_version",
            ),
            models.UniqueConstraint(
                fields=["rule"],
                condition=models.Q(status="shadow"),
                name="rule_one_shadow_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} v{self.number} ({self.get_status_display()})"

    @property
    def is_shadow(self) -> bool:
        return self.status == VersionStatus.SHADOW


class RuleVersionTransition(TransitionRecord):
    subject_field = "version"

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=10, choices=VersionStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=VersionStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("rule version step")
        verbose_name_plural = _("rule version steps")

    def __str__(self) -> str:
        return f"{self.version_id}: {self.from_status} → {self.to_status}"


class ListKind(models.TextChoices):
    CARD_TOKEN = "card_token", _("Card tokens")
    MID = "mid", _("MIDs")
    TID = "tid", _("TIDs")
    REGION = "region", _("Regions (province codes)")


class ListPurpose(models.TextChoices):
    BLOCK = "block", _("Block list")
    ALLOW = "allow", _("Allow list")


class RuleList(models.Model):
    """A list rules refer to by code (``in_list`` / ``not_in_list``); entries are read live."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("holds"), max_length=12, choices=ListKind.choices)
    purpose = models.CharField(_("purpose"), max_length=6, choices=ListPurpose.choices)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule list")
        verbose_name_plural = _("rule lists")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RuleListEntry(models.Model):
    rule_list = models.ForeignKey(
        RuleList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("list")
    )
    value = models.CharField(_("value"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["rule_list", "value"]
        constraints = [
            models.UniqueConstraint(fields=["rule_list", "value"], name="rule_list_entry_unique")
        ]

    def __str__(self) -> str:
        return self.value


class BacktestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Backtest(models.Model):
    """A version run over a past range: what it would have raised, and how that compares."""

    version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="backtests", verbose_name=_("version")
    )
    start = models.DateTimeField(_("from (occurred at or after)"))
    end = models.DateTimeField(_("to (occurred before)"))
    status = models.CharField(
        _("status"), max_length=10, choices=BacktestStatus.choices, default=BacktestStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    results = models.JSONField(_("results"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("backtest")
        verbose_name_plural = _("backtests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.version} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"
