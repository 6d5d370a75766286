"""Forms of the risk list's admin pages: a CSV to import, a check recorded by a reviewer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from merchants.models import CheckResult
from merchants.risk.risklist.rows import MAX_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 (a byte-order mark is fine). Columns: kind (uscc, id_number or mid), value, "
            "list, reason, listed_on (YYYY-MM-DD). Bad rows are reported by line; the others "
            "are imported."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    default_source = forms.CharField(
        label=_("List, for rows without one"),
        max_length=100,
        required=False,
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload.read()


class CheckForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=CheckResult.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was checked in the risk system, when, and what was found."),
    )
