"""Snoozes: a rule quietened for one merchant, terminal or card for a while, from an alert.

A reviewer who has looked at an alert and found the pattern explained (a hotel's deposits, a
known corporate card) snoozes its rule for that merchant, terminal or card until a given time,
with a reason. While it runs, the rule's findings about it are still raised and kept, marked with
the snooze and out of every queue, count, e-mail and webhook (as a shadow version's are); when it
ends, by its time or by a compliance lead, the rule fires again. Every change is on record.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models import Merchant, Terminal
from transactions.models.audit import AuditRule


class SnoozeTarget(models.TextChoices):
    MERCHANT = "merchant", _("The merchant")
    TERMINAL = "terminal", _("The terminal")
    CARD = "card", _("The card (at this merchant)")


class RuleSnoozeQuerySet(models.QuerySet["RuleSnooze"]):
    def running(self, at: datetime) -> RuleSnoozeQuerySet:
        """Snoozes in force at ``at``: started, not yet at their end, not ended by a lead."""
        return self.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=at), starts_at__lte=at, ends_at__gt=at
        )


class RuleSnooze(models.Model):
    rule = models.ForeignKey(
        AuditRule, on_delete=models.PROTECT, related_name="snoozes", verbose_name=_("rule")
    )
    alert = models.ForeignKey(
        "transactions.Alert",
        on_delete=models.PROTECT,
        related_name="snoozes_started",
        verbose_name=_("snoozed from alert"),
    )
    target = models.CharField(_("snoozed for"), max_length=10, choices=SnoozeTarget.choices)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="+", verbose_name=_("merchant")
    )
    terminal = models.ForeignKey(
        Terminal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("terminal"),
    )
    card_token = models.CharField(_("card token"), max_length=64, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("snoozed at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.TextField(_("why it was ended"), blank=True)

    history = HistoricalRecords()
    objects = RuleSnoozeQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule snooze")
        verbose_name_plural = _("rule snoozes")
        ordering = ["-created_at"]
        permissions = [("end_rulesnooze", _("Can end rule snoozes"))]
        indexes = [models.Index(fields=["rule", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.rule.code} · {self.get_target_display()} · {self.subject}"

    @property
    def subject(self) -> str:
        """What is snoozed, as staff read it (a card by the end of its token only)."""
        if self.target == SnoozeTarget.TERMINAL and self.terminal is not None:
            return str(self.terminal)
        if self.target == SnoozeTarget.CARD:
            return f"{self.merchant} · …{self.card_token[-6:]}"
        return str(self.merchant)

    def in_force(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at and (self.ended_at is None or self.ended_at > at)
