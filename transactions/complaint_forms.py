"""The merchant's answer to a complaint. The file is checked by content in the service."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ComplaintAnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Explain the transaction; compliance reads this with the report."),
    )
    attachment = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("Optional: a PDF, JPEG or PNG, such as the signed slip or the receipt."),
        widget=forms.FileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )
