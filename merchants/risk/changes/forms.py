"""The merchant's change request form, one per kind; the values are checked by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from merchants.risk.changes.kinds import ACCOUNT_NUMBER, ID_NUMBER, KINDS, merchant_field


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def _id_number() -> forms.Field:
    return forms.CharField(
        label=_("New legal representative ID number"),
        max_length=18,
        help_text=_("Checked, then stored masked."),
    )


def _account_number() -> forms.Field:
    return forms.CharField(
        label=_("New account number"),
        max_length=40,
        help_text=_("Encrypted at rest and shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


# The full numbers are typed, never shown back: no initial value.
_WRITE_ONLY = {ID_NUMBER: _id_number, ACCOUNT_NUMBER: _account_number}


class ChangeRequestForm(forms.Form):
    """What is asked for, why, how to confirm it and the documents that prove it."""

    reason = forms.CharField(
        label=_("Why the change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the company was renamed, the bank account was moved."),
    )
    contact_phone = forms.CharField(
        label=_("Phone to confirm the change"),
        max_length=20,
        required=False,
        help_text=_("Compliance may call to confirm. Encrypted at rest."),
    )
    documents = MultipleFileField(
        label=_("Supporting documents"),
        help_text=_(
            "PDF, JPEG or PNG, at most 5 MB each: the new licence, ID card or a bank letter."
        ),
    )

    def __init__(self, *args: Any, kind: str, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values: dict[str, forms.Field] = {}
        for name in KINDS[kind].inputs:
            if name in _WRITE_ONLY:
                field = _WRITE_ONLY[name]()
            else:
                model_field = merchant_field(name)
                field = model_field.formfield()
                field.initial = getattr(merchant, name)
                field.label = _("New %(field)s") % {"field": model_field.verbose_name}
            field.required = True
            values[name] = field
        # The proposed values first, then why and the proof.
        self.fields = {**values, **self.fields}


class ChangeDocumentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for compliance"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
