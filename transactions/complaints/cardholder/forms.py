"""The cardholder's forms: what is on the slip, the contact, the complaint, the tracking code.

Every form refuses a full card number in any field, before anything else looks at it, and blanks
the value so the page never shows it back (``RefusesCardNumbers``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.common.beijing import SHANGHAI
from portal.common.validators import normalize_cn_phone
from transactions.complaints.admin_forms import MultipleFileField
from transactions.complaints.cardholder.proof import Contact
from transactions.ingest.cardscan import contains_pan
from transactions.models import ComplaintReason

PAN_MESSAGE = _("Do not enter a full card number; the last 4 digits are enough.")


class RefusesCardNumbers(forms.Form):
    """A full card number (the same scan as reports) in any field: refused, never echoed back."""

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        self.pan_fields: set[str] = set()
        if data is not None and hasattr(data, "lists"):
            data = data.copy()
            for name, values in list(data.lists()):
                if name in self.base_fields and any(
                    isinstance(v, str) and contains_pan(v) for v in values
                ):
                    data.setlist(name, [""])
                    self.pan_fields.add(name)
        super().__init__(data, *args, **kwargs)

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        errors: Any = self._errors  # type: ignore[attr-defined]
        for name in self.pan_fields:
            key = name if name in self.fields else NON_FIELD_ERRORS
            errors[key] = self.error_class([str(PAN_MESSAGE)])
            self.cleaned_data.pop(name, None)


class LookupForm(RefusesCardNumbers):
    day = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date on the slip."),
            "invalid": _("Enter a date."),
        },
    )
    time = forms.TimeField(
        label=_("Time (Beijing)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("As on the slip or SMS; a few minutes out is fine."),
        error_messages={
            "required": _("Enter the time on the slip."),
            "invalid": _("Enter a time such as 14:05."),
        },
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        error_messages={"required": _("Enter the amount charged.")},
    )
    last4 = forms.RegexField(
        label=_("Card last 4 digits"),
        regex=r"^\d{4}$",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": _("Enter only the last 4 digits of the card.")},
    )
    order_no = forms.RegexField(
        label=_("Or: order number of a QR payment"),
        regex=r"^[0-9A-Za-z]{6,32}$",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Shown in WeChat Pay, Alipay or the UnionPay app for the payment."),
        error_messages={"invalid": _("An order number is 6 to 32 letters and digits.")},
    )
    tid = forms.RegexField(
        label=_("Terminal ID"),
        regex=r"^[0-9A-Za-z]{8}$",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("8 characters, printed on the slip as TID or 终端号."),
        error_messages={"invalid": _("A terminal ID is 8 letters and digits.")},
    )
    merchant_name = forms.CharField(
        label=_("Or: the merchant's name as printed"), max_length=200, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("last4") or data.get("order_no")) and not {"last4", "order_no"} & set(
            self.errors
        ):
            self.add_error(
                "last4", _("Enter the card's last 4 digits or the QR payment's order number.")
            )
        if not (data.get("tid") or data.get("merchant_name")) and not {
            "tid",
            "merchant_name",
        } & set(self.errors):
            self.add_error("tid", _("Enter the terminal ID or the merchant's name."))
        if data.get("day") and data.get("time"):
            at = datetime.combine(data["day"], data["time"], tzinfo=SHANGHAI)
            if at > timezone.now() + timedelta(minutes=10):
                self.add_error("day", _("The date and time are in the future."))
            data["occurred_at"] = at
        return data


class ContactForm(RefusesCardNumbers):
    """Where the proof code (and later the tracking code) goes: a phone number or an e-mail."""

    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("Or: e-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send a 6-digit code there, then your tracking code."),
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone:
            try:
                return normalize_cn_phone(phone)
            except ValidationError:
                raise ValidationError(_("Enter a valid mobile phone number.")) from None
        return ""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(_("Enter a valid e-mail address.")) from None
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("phone") or data.get("email")):
            self.add_error("phone", _("Give a mobile phone number or an e-mail address."))
        return data

    def contact(self, *, language: str) -> Contact:
        """Where to write, and in which language (the page's, where the cardholder filled it)."""
        return Contact(
            phone=self.cleaned_data["phone"], email=self.cleaned_data["email"], language=language
        )


class ComplaintForm(RefusesCardNumbers):
    ticket = forms.CharField(widget=forms.HiddenInput, max_length=64)
    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\d{6}$",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={
            "required": _("Enter the code we sent you."),
            "invalid": _("The code is 6 digits."),
        },
    )
    reason = forms.ModelChoiceField(
        label=_("What is wrong"),
        queryset=ComplaintReason.objects.filter(active=True),
        empty_label=_("Choose a reason"),
        error_messages={"required": _("Choose a reason."), "invalid_choice": _("Choose a reason.")},
    )
    description = forms.CharField(
        label=_("Describe what happened"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe what happened.")},
    )
    evidence = MultipleFileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("Photos or scans: JPEG, PNG or PDF, up to 5 MB each."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"


class TrackForm(RefusesCardNumbers):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter your tracking code.")},
    )


class AddInformationForm(RefusesCardNumbers):
    text = forms.CharField(
        label=_("What you want to add"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what you want to add.")},
    )
    attachment = forms.FileField(
        label=_("A file (optional)"),
        required=False,
        help_text=_("JPEG, PNG or PDF, up to 5 MB."),
    )


class WithdrawForm(RefusesCardNumbers):
    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
