"""Forms of the complaint admin: recording a complaint (finding its report) and upholding one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from transactions.complaints.services import MATCH_LIMIT, reports_matching
from transactions.models import ComplaintOutcome, ComplaintReason, Report


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content in the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


FIND_FIELDS = ("rrn", "tid", "day", "amount", "last4")


class ComplaintRecordForm(forms.Form):
    """What the cardholder told us. The report is found from the facts on their slip or statement."""

    rrn = forms.CharField(label=_("RRN"), max_length=12, required=False)
    tid = forms.CharField(label=_("TID"), max_length=8, required=False)
    day = forms.DateField(
        label=_("Date (Shanghai)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), max_digits=10, decimal_places=2, required=False
    )
    last4 = forms.RegexField(
        label=_("Card last 4 digits"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("Enter the last 4 digits of the card.")},
    )
    reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=ComplaintReason.objects.filter(active=True)
    )
    description = forms.CharField(
        label=_("What the cardholder says"), widget=forms.Textarea(attrs={"rows": 4})
    )
    complainant_name = forms.CharField(label=_("Complainant name"), max_length=100, required=False)
    complainant_phone = forms.CharField(label=_("Complainant phone"), max_length=30, required=False)
    complainant_email = forms.EmailField(label=_("Complainant e-mail"), required=False)
    evidence = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_("PDF, JPEG or PNG files, e.g. the cardholder's statement."),
    )

    report: Report | None = None

    def find_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FIND_FIELDS]

    def complaint_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in FIND_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        keys = FIND_FIELDS
        if not any(data.get(key) not in (None, "") for key in keys):
            raise forms.ValidationError(
                _("Give at least one of RRN, TID, date, amount or card last 4 to find the report.")
            )
        if any(key in self.errors for key in keys):
            return data
        found = list(reports_matching(**{key: data.get(key) or _empty(key) for key in keys}))
        if not found:
            raise forms.ValidationError(
                _("No report matches. Check the RRN, TID, date, amount and card digits.")
            )
        if len(found) > 1:
            listed = "; ".join(
                f"{r.tid} {r.rrn} {r.amount} {r.occurred_at:%Y-%m-%d %H:%M} {r.masked_pan}"
                for r in found
            )
            more = _(" (and more)") if len(found) >= MATCH_LIMIT else ""
            raise forms.ValidationError(
                _("%(count)d reports match; add more details to pick one: %(list)s%(more)s")
                % {"count": len(found), "list": listed, "more": more}
            )
        self.report = found[0]
        return data


def _empty(key: str) -> Any:
    return None if key in ("day", "amount") else ""


class UpholdForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(label=_("Remedy"), choices=ComplaintOutcome.choices)
    refund_amount = forms.DecimalField(
        label=_("Refund (CNY)"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("For a partial refund only; a reversal takes back the whole amount."),
    )
