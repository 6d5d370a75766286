"""The forms of inspections: the merchant's photos, and the inspector's steps in admin.

They read the input; the services check it (the photos' content, the outcome's rules) and
their refusals are put back on the form's fields (``portal.common.forms.form_add_errors``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from merchants.accounts.groups import staff_holding
from merchants.models import ChecklistAnswer, InspectionOutcome
from merchants.risk.changes.forms import MultipleFileField, MultipleFileInput
from merchants.risk.inspections.checklist import CHECKLIST

IMAGES = "image/jpeg,image/png"


class MerchantPhotosForm(forms.Form):
    photos = MultipleFileField(
        label=_("Photos of your business"),
        widget=MultipleFileInput(attrs={"accept": IMAGES}),
        help_text=_(
            "JPEG or PNG, 10 MB each at most: the shop front with its sign, where you sell, and "
            "each terminal in use. Photos with their location switched on help us most."
        ),
    )


def inspectors() -> QuerySet:
    """Active staff who may conduct inspections (through a group or on their own)."""
    return staff_holding("conduct_inspection").distinct().order_by("username")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Inspector"), queryset=inspectors())
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: keep the due date."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = inspectors()  # type: ignore[attr-defined]


class CheckInForm(forms.Form):
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGES}),
        help_text=_("JPEG or PNG, 10 MB at most."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class CompleteForm(forms.Form):
    """One answer and note per checklist item, then the findings and the outcome."""

    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=InspectionOutcome.choices,
        widget=forms.RadioSelect,
    )
    remediation_due_on = forms.DateField(
        label=_("Fix due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a remediation: the day by which the merchant must have fixed it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items: dict[str, forms.Field] = {}
        for item in CHECKLIST:
            items[f"answer_{item.code}"] = forms.ChoiceField(
                label=item.question,
                choices=ChecklistAnswer.choices,
                widget=forms.RadioSelect,
            )
            items[f"note_{item.code}"] = forms.CharField(
                label=_("Note"), max_length=500, required=False
            )
        self.fields = {**items, **self.fields}

    def answers(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            item.code: (data.get(f"answer_{item.code}", ""), data.get(f"note_{item.code}", ""))
            for item in CHECKLIST
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
