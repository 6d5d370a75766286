"""Forms for the merchant's side of onboarding. Validation of values lives in validators.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

from merchants.models import DocumentKind, Merchant
from merchants.onboarding.fields import APPLICATION_FIELDS
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

    class Meta:
        model = Merchant
        # The declared scale is optional: the risk rating compares the sales with it.
        fields = (*APPLICATION_FIELDS, "declared_monthly_sales")

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
