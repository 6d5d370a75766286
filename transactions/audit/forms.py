"""The audit rule's admin form: thresholds checked against the rule's spec."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.thresholds import LevelThresholdsForm, clean_thresholds
from transactions.audit.rules import REGISTRY
from transactions.models import AuditRule, AuditRuleLevel


class AuditRuleForm(forms.ModelForm):
    class Meta:
        model = AuditRule
        fields = ("severity", "enabled", "parameters")

    def clean_parameters(self) -> dict[str, Any]:
        spec = REGISTRY.get(self.instance.code)
        if spec is None:
            # Rules raised elsewhere (reconciliation) have no thresholds here, but their severity
            # and on/off stay editable.
            if self.cleaned_data["parameters"] != self.instance.parameters:
                raise ValidationError(
                    _("This rule has no module; its thresholds cannot be changed.")
                )
            return self.instance.parameters
        return clean_thresholds(self.cleaned_data["parameters"], defaults=spec.defaults)


class AuditRuleLevelForm(LevelThresholdsForm):
    """A risk level's own thresholds for the rule: the same keys and kinds as its defaults."""

    row_field = "rule"
    registry = REGISTRY
    no_module = gettext_lazy("This rule has no module; it has no thresholds per level.")

    class Meta:
        model = AuditRuleLevel
        fields = ("rule", "level", "parameters")
