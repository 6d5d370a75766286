"""Thresholds per merchant risk level: a level's own set for an audit rule or a screening check.

A rule or check reads, for a merchant, its level's set when there is one, else the rule's or
check's own thresholds (the default set). A set holds every threshold of its rule or check, so
what applies is always one complete, validated object (``portal/common/thresholds.py``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models import RiskLevel
from transactions.models.audit import AuditRule
from transactions.models.decision import ScreeningCheck


class AuditRuleLevel(models.Model):
    rule = models.ForeignKey(
        AuditRule, on_delete=models.CASCADE, related_name="levels", verbose_name=_("rule")
    )
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    parameters = models.JSONField(_("thresholds"), default=dict)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit thresholds for a risk level")
        verbose_name_plural = _("audit thresholds per risk level")
        constraints = [
            models.UniqueConstraint(fields=["rule", "level"], name="audit_rule_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.get_level_display()}"


class ScreeningCheckLevel(models.Model):
    check_row = models.ForeignKey(
        ScreeningCheck,
        on_delete=models.CASCADE,
        related_name="levels",
        verbose_name=_("screening check"),
        db_column="check_id",
    )
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    parameters = models.JSONField(_("thresholds"), default=dict)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening thresholds for a risk level")
        verbose_name_plural = _("screening thresholds per risk level")
        constraints = [
            models.UniqueConstraint(
                fields=["check_row", "level"], name="screening_check_level_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_row_id} · {self.get_level_display()}"
