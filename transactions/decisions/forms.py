"""The screening check's admin form: thresholds checked against the check's defaults."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.thresholds import LevelThresholdsForm, clean_thresholds
from transactions.decisions.checks import REGISTRY
from transactions.models import ScreeningCheck, ScreeningCheckLevel


class ScreeningCheckForm(forms.ModelForm):
    class Meta:
        model = ScreeningCheck
        fields = ("enabled", "shadow", "action", "parameters")

    def clean_parameters(self) -> dict[str, Any]:
        spec = REGISTRY.get(self.instance.code)
        if spec is None:
            # A check whose module is gone is never run; its row stays for the decisions that name it.
            if self.cleaned_data["parameters"] != self.instance.parameters:
                raise ValidationError(
                    _("This check has no module; its thresholds cannot be changed.")
                )
            return self.instance.parameters
        return clean_thresholds(self.cleaned_data["parameters"], defaults=spec.defaults)


class ScreeningCheckLevelForm(LevelThresholdsForm):
    """A risk level's own thresholds for the check: the same keys and kinds as its defaults."""

    row_field = "check_row"
    registry = REGISTRY
    no_module = gettext_lazy("This check has no module; it has no thresholds per level.")

    class Meta:
        model = ScreeningCheckLevel
        fields = ("check_row", "level", "parameters")
