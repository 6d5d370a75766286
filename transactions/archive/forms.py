"""The legal hold form in admin: the fields a lead fills in, checked field by field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from transactions.models import LegalHold


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("merchant", "alert", "complaint", "reason", "starts_at", "until")

    def clean(self) -> dict[str, Any]:
        # The same rules as legal_hold_place, shown by field; the service checks them again.
        data = super().clean()
        merchant = data.get("merchant")
        if data.get("alert") is not None and data.get("complaint") is not None:
            self.add_error(
                "complaint", _("A hold names one case: an alert or a complaint, not both.")
            )
        for name in ("alert", "complaint"):
            case = data.get(name)
            if case is not None and merchant is not None and case.merchant_id != merchant.pk:
                self.add_error(name, _("This case is not the merchant's."))
        starts_at, until = data.get("starts_at"), data.get("until")
        if starts_at and until and until <= starts_at:
            self.add_error("until", _("The end must be after the start."))
        return data
