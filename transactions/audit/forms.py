"""The audit rule's admin form: thresholds checked against the rule's spec."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.common.thresholds import clean_thresholds
from transactions.audit.rules import REGISTRY
from transactions.models import AuditRule


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
