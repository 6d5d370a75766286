"""Forms of the reconciliation pages: uploading a settlement file, editing an acquirer."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from transactions.models import Acquirer
from transactions.reconciliation.mapping import validate_mapping


class SettlementUploadForm(forms.Form):
    acquirer = forms.ModelChoiceField(label=_("Acquirer"), queryset=Acquirer.objects.all())
    file = forms.FileField(
        label=_("Settlement file"),
        help_text=_("The acquirer's daily settlement file: CSV (UTF-8) or Excel .xlsx."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class AcquirerForm(forms.ModelForm):
    """The mapping is checked here, so a mapping that could never read a file is never saved."""

    class Meta:
        model = Acquirer
        fields = (
            "name",
            "code",
            "column_mapping",
            "type_values",
            "date_format",
            "time_format",
            "amount_tolerance",
            "time_window_seconds",
        )

    def clean_column_mapping(self) -> Any:
        mapping = self.cleaned_data["column_mapping"]
        if isinstance(mapping, str):
            try:
                mapping = json.loads(mapping)
            except ValueError as exc:
                raise ValidationError(_("Not valid JSON.")) from exc
        validate_mapping(mapping)
        return mapping

    def clean_type_values(self) -> Any:
        values = self.cleaned_data["type_values"] or {}
        allowed = {"sale", "refund", "void", "preauth", "preauth_completion"}
        if not isinstance(values, dict) or not set(map(str, values.values())) <= allowed:
            raise ValidationError(
                _("Map each of the acquirer's values to one of: %(types)s.")
                % {"types": ", ".join(sorted(allowed))}
            )
        return values
