"""Forms of the report pages: amending a report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AmendmentForm(forms.Form):
    field = forms.ChoiceField(label=_("Field to correct"), choices=[])
    value = forms.CharField(label=_("Correct value"), max_length=64)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from transactions.reports.amendments import AMENDABLE

        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [(name, name) for name in sorted(AMENDABLE)]
