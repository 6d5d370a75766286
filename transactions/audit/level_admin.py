"""Thresholds per merchant risk level in admin: a level's own set for an audit rule or a
screening check. Kept on pages of their own so the rule's and check's forms stay as they are."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from portal.common.admin import TrailAdmin
from transactions.audit.forms import AuditRuleLevelForm
from transactions.decisions.forms import ScreeningCheckLevelForm
from transactions.models import AuditRuleLevel, ScreeningCheckLevel


@admin.register(AuditRuleLevel)
class AuditRuleLevelAdmin(TrailAdmin):
    """A merchant at ``level`` is audited by ``rule`` with these thresholds instead of the
    rule's own; every key of the rule's defaults is required."""

    form = AuditRuleLevelForm
    list_display = ("rule", "level", "thresholds")
    list_filter = ("level", "rule")

    @admin.display(description=gettext_lazy("thresholds"))
    def thresholds(self, row: AuditRuleLevel) -> str:
        return ", ".join(f"{k}={v}" for k, v in row.parameters.items()) or "—"


@admin.register(ScreeningCheckLevel)
class ScreeningCheckLevelAdmin(TrailAdmin):
    """A sale of a merchant at ``level`` is screened by the check with these thresholds instead
    of the check's own; every key of the check's defaults is required."""

    form = ScreeningCheckLevelForm
    list_display = ("check_row", "level", "thresholds")
    list_filter = ("level", "check_row")

    @admin.display(description=gettext_lazy("thresholds"))
    def thresholds(self, row: ScreeningCheckLevel) -> str:
        return ", ".join(f"{k}={v}" for k, v in row.parameters.items()) or "—"
