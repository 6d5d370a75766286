"""The form staff ask for a regulator report with: a kind and a period."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from portal.common.forms import form_add_errors
from transactions.exchange.regulator.periods import period_check
from transactions.models import RegulatorReport


class RegulatorReportForm(forms.ModelForm):
    """Kind and period (Beijing dates, both included), checked by ``periods.period_check``."""

    class Meta:
        model = RegulatorReport
        fields = ("kind", "start", "end")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, start, end = data.get("kind"), data.get("start"), data.get("end")
        if kind and start and end:
            try:
                period_check(kind=kind, start=start, end=end)
            except ValidationError as exc:
                form_add_errors(self, exc)
        return data
