"""The merchant's terminal form."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from merchants.models import Terminal


class TerminalForm(forms.ModelForm):
    latitude = forms.DecimalField(
        label=_("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = forms.DecimalField(
        label=_("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )

    class Meta:
        model = Terminal
        fields = (
            "serial_number",
            "model_name",
            "province",
            "city",
            "district",
            "address",
            "latitude",
            "longitude",
        )

    def clean_serial_number(self) -> str:
        return self.cleaned_data["serial_number"].strip().upper()
