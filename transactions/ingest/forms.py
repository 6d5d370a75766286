"""Forms of the merchant's ingestion pages: batch-file upload and manual entry (rules in validate.py)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant, Terminal
from transactions.models import Cvm, PaymentMethod, ReportType


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Batch file"),
        help_text=_("CSV (UTF-8) or Excel .xlsx; the first row names the columns, as in the API."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class ManualReportForm(forms.Form):
    """One transaction typed in by the merchant; the same rules as the API apply."""

    report_id = forms.UUIDField(widget=forms.HiddenInput)
    terminal = forms.ModelChoiceField(label=_("Terminal"), queryset=Terminal.objects.none())
    occurred_at = forms.DateTimeField(
        label=_("Time of the transaction"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
        ),
        help_text=_("Beijing time."),
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), min_value=0, max_digits=10, decimal_places=2
    )
    type = forms.ChoiceField(label=_("Type"), choices=ReportType.choices)
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    card_first6 = forms.RegexField(
        label=_("Card: first 6 digits"), regex=r"^\d{6}$", required=False
    )
    card_last4 = forms.RegexField(label=_("Card: last 4 digits"), regex=r"^\d{4}$", required=False)
    rrn = forms.CharField(label=_("RRN"), max_length=12)
    trace_no = forms.CharField(label=_("Trace number"), max_length=6)
    batch_no = forms.CharField(label=_("Batch number"), max_length=6, required=False)
    auth_code = forms.CharField(label=_("Authorisation code"), max_length=6, required=False)
    cvm = forms.ChoiceField(label=_("Cardholder verification"), choices=Cvm.choices)
    original_report_id = forms.UUIDField(
        label=_("Original report id"),
        required=False,
        help_text=_("For refunds, voids and completions."),
    )

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["terminal"].queryset = Terminal.objects.for_merchant(merchant).active()
        self.initial.setdefault("report_id", uuid.uuid4())
        self.initial.setdefault("occurred_at", timezone.localtime().replace(microsecond=0))

    def wire_report(self, merchant: Merchant) -> dict[str, Any]:
        """The cleaned form as a report in the wire format, for the shared validation."""
        data = self.cleaned_data
        terminal: Terminal = data["terminal"]
        raw: dict[str, Any] = {
            "report_id": str(data["report_id"]),
            "occurred_at": timezone.localtime(data["occurred_at"]).isoformat(),
            "amount": f"{data['amount']:.2f}",
            "type": data["type"],
            "method": data["method"],
            "rrn": data["rrn"],
            "trace_no": data["trace_no"],
            "batch_no": data["batch_no"],
            "auth_code": data["auth_code"],
            "mcc": merchant.mcc,
            "acquirer_mid": merchant.mid,
            "tid": terminal.tid,
            "cvm": data["cvm"],
        }
        if data["card_first6"] or data["card_last4"]:
            raw["masked_pan"] = f"{data['card_first6']}******{data['card_last4']}"
        if data["original_report_id"]:
            raw["original_report_id"] = str(data["original_report_id"])
        return {k: v for k, v in raw.items() if v not in ("", None)}
