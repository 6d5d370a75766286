"""The screening check's admin form: thresholds checked against the check's defaults."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.common.thresholds import clean_thresholds
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


class ScreeningCheckLevelForm(forms.ModelForm):
    """A risk level's own thresholds for the check: the same keys and kinds as its defaults."""

    class Meta:
        model = ScreeningCheckLevel
        fields = ("check_row", "level", "parameters")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        row = cleaned.get("check_row")
        if row is None or "parameters" not in cleaned:
            return cleaned
        spec = REGISTRY.get(row.code)
        if spec is None:
            self.add_error(
                "check_row", _("This check has no module; it has no thresholds per level.")
            )
            return cleaned
        try:
            cleaned["parameters"] = clean_thresholds(cleaned["parameters"], defaults=spec.defaults)
        except ValidationError as exc:
            self.add_error("parameters", exc)
        return cleaned
