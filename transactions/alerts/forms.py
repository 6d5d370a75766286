"""Forms of the alert feature: the merchant's answer (portal) and choosing a reviewer (admin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from transactions.alerts.services import reviewers


class AlertAnswerForm(forms.Form):
    """The merchant's answer to an alert. The attachment is checked by the service (by content)."""

    text = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Explain the transactions; compliance reads this with the reports."),
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Optional: a PDF, JPEG or PNG, such as an invoice or a receipt."),
        widget=forms.FileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Reviewer"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers().order_by("username")
