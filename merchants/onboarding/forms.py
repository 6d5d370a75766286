"""Forms for the merchant's side of onboarding. Validation of values lives in validators.py."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

from merchants.models import DocumentKind, Merchant, ServiceProvider
from merchants.onboarding.fields import APPLICATION_FIELDS
from merchants.risk.providers.selectors import provider_by_filing_number
from portal.common.validators import (
    normalize_cn_phone,
    validate_bank_account_number,
    validate_document,
    validate_resident_id,
)


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"), required=True)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class ApplicationForm(forms.ModelForm):
    """The onboarding application. Sensitive numbers are write-only fields here."""

    legal_rep_id_number = forms.CharField(
        label=_("Legal representative ID number"),
        max_length=18,
        required=False,
        validators=[validate_resident_id],
        help_text=_("Stored masked; leave blank to keep the one on file."),
    )
    bank_account_number = forms.CharField(
        label=_("Account number"),
        max_length=30,
        required=False,
        help_text=_("Encrypted at rest and shown masked; leave blank to keep the one on file."),
    )
    # Encrypted text columns on the model, so their form fields are given here: one line each, the
    # length and the e-mail check the columns no longer carry.
    contact_phone = forms.CharField(
        label=capfirst(Merchant._meta.get_field("contact_phone").verbose_name),
        max_length=20,
        required=False,
    )
    contact_email = forms.EmailField(
        label=capfirst(Merchant._meta.get_field("contact_email").verbose_name),
        max_length=254,
        required=False,
    )

    service_provider = forms.CharField(
        label=_("Service provider's filing number"),
        max_length=40,
        required=False,
        help_text=_("If a service provider (服务商) signed you up: its filing (备案) number."),
    )

    class Meta:
        model = Merchant
        # The declared scale is optional: the risk rating compares the sales with it.
        fields = (*APPLICATION_FIELDS, "declared_monthly_sales")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.instance.service_provider if self.instance.pk else None
        if provider is not None:
            self.initial["service_provider"] = provider.filing_number

    def clean_service_provider(self) -> ServiceProvider | None:
        """The provider named by its filing number; one that may not bring merchants is refused."""
        number = (self.cleaned_data.get("service_provider") or "").strip()
        return provider_by_filing_number(number) if number else None

    def clean_uscc(self) -> str:
        return uscc.compact(self.cleaned_data.get("uscc") or "")

    def clean_legal_rep_id_number(self) -> str:
        return (self.cleaned_data.get("legal_rep_id_number") or "").strip().upper()

    def clean_contact_phone(self) -> str:
        value = (self.cleaned_data.get("contact_phone") or "").strip()
        return normalize_cn_phone(value) if value else ""

    def clean_bank_account_number(self) -> str:
        value = (self.cleaned_data.get("bank_account_number") or "").replace(" ", "")
        if value:
            validate_bank_account_number(value)
        return value


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        validators=[validate_document],
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
