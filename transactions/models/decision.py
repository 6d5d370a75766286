"""Real-time screening: the checks' settings and the decision given to every terminal report."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from uuid6 import uuid7

from merchants.models import Merchant, Terminal
from transactions.models.alert import Alert
from transactions.models.report import Report

# The screening checks' current names (English msgids) by code, filled from the check registry
# by TransactionsConfig.ready(), as RULE_NAMES is for the audit rules.
CHECK_NAMES: dict[str, str] = {}


class DecisionOutcome(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REVIEW = "review", _("Review")
    HOLD = "hold", _("Hold")


OUTCOME_RANK = {DecisionOutcome.ACCEPT: 0, DecisionOutcome.REVIEW: 1, DecisionOutcome.HOLD: 2}


class CheckAction(models.TextChoices):
    """What a check that fires does to the decision (accept is never a check's action)."""

    REVIEW = "review", _("Review: the sale stands, staff look at it")
    HOLD = "hold", _("Hold: the terminal must not complete the sale")


class StateSource(models.TextChoices):
    """Where the checks read the recent reports of the card and the terminal from."""

    REDIS = "redis", _("Redis")
    DATABASE = "database", _("Database")
    FALLBACK = "fallback", _("Database (Redis unavailable)")


class ScreeningCheck(models.Model):
    """A real-time check's settings. Its logic is ``transactions/decisions/checks/<code>.py``."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what it finds"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    shadow = models.BooleanField(
        _("shadow"),
        default=False,
        help_text=_("Evaluated and recorded on every decision, never acted on."),
    )
    action = models.CharField(_("when it fires"), max_length=10, choices=CheckAction.choices)
    parameters = models.JSONField(_("thresholds"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening check")
        verbose_name_plural = _("screening checks")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The check's name in the active language (the stored one for a check now gone)."""
        return gettext(CHECK_NAMES.get(self.code, self.name))


class CheckRecords(models.Model):
    """The records of the checks that ran on a batch's reports where none of them fired, written
    once for all the batch's decisions that share them (``Decision.shared_checks``) rather than
    some 600 bytes again on each of thousands of rows kept ten years."""

    records = models.JSONField(_("checks run"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("shared check records")
        verbose_name_plural = _("shared check records")

    def __str__(self) -> str:
        return f"{len(self.records)} checks · {self.created_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """The answer given to a terminal for one report: accept, review or hold, and why.

    ``reasons`` are the checks that fired and were acted on (code, English msgid, its values);
    ``checks`` every check that ran, shadow ones included, with its inputs and time taken.
    """

    # Time-ordered (UUIDv7): every report's decision adds one to this unique index, at the end
    # of it rather than at a random page of a table kept ten years.
    decision_id = models.UUIDField(_("decision id"), default=uuid7, unique=True, editable=False)
    report = models.OneToOneField(
        Report,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("report"),
        db_constraint=False,  # partitioned reports (docs/partitions.md)
    )
    # The report's merchant and terminal, copied from it when it is screened: the report's own
    # foreign keys hold them. Not constrained again here, as ``report`` is not: the database
    # checks a constraint for every row at commit (5,000 decisions: ~40 ms a batch).
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
        db_index=False,  # decision_merchant_time leads with it
        db_constraint=False,
    )
    terminal = models.ForeignKey(
        Terminal,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("terminal"),
        db_constraint=False,
    )
    # Not indexed on its own: nearly every decision is an accept (decision_flagged_time finds the
    # others), and every index is written for every report screened.
    outcome = models.CharField(_("outcome"), max_length=10, choices=DecisionOutcome.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    checks = models.JSONField(_("checks run"), default=list, blank=True)
    state_source = models.CharField(
        _("state read from"), max_length=10, choices=StateSource.choices
    )
    duration_us = models.PositiveIntegerField(_("screening time (µs)"))
    alert = models.ForeignKey(
        Alert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("alert"),
    )
    # A batch's decisions whose checks all passed keep their records here, shared, and ``checks``
    # empty (``checks_run`` reads either). Written in the decisions' statement, as ``merchant``
    # and ``terminal`` are: not constrained, not indexed (nothing looks decisions up by it).
    shared_checks = models.ForeignKey(
        CheckRecords,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared check records"),
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(_("decided"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["merchant", "-created_at"], name="decision_merchant_time"),
            # The fallback count in admin reads only the decisions that fell back.
            models.Index(
                fields=["created_at"],
                condition=models.Q(state_source="fallback"),
                name="decision_fallback_time",
            ),
            # Reviews and holds, the few that reviewers look for.
            models.Index(
                fields=["-created_at"],
                condition=~models.Q(outcome="accept"),
                name="decision_flagged_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {self.report.report_id}"

    @property
    def checks_run(self) -> list[dict[str, Any]]:
        """Every check that ran, with its inputs and time: the decision's own records, else the
        ones it shares with its batch."""
        if self.checks or self.shared_checks_id is None:
            return self.checks
        assert self.shared_checks is not None
        return self.shared_checks.records
