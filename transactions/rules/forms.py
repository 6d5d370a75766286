"""Admin forms of the rule studio: a rule and its document, a backtest range, a list upload."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from transactions.models import Rule
from transactions.rules.services import document_compiled

EXAMPLE = {
    "severity": "high",
    "action": "alert",
    "scope": {"type": "all"},
    "group_by": "merchant_day",
    "when": {"all": [{"field": "amount", "op": "gte", "value": "5000"}]},
}


class RuleForm(forms.ModelForm):
    """The rule's name and a new version of its document, with the reason for the change.

    The document is compiled here, so a rule that cannot compile comes back with every error
    at its JSON path before anything is saved.
    """

    document = forms.JSONField(
        label=_("rule document"),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "class": "vLargeTextField"}),
        help_text=_(
            "Conditions (when), severity, action, scope and grouping; see docs/rules.md for "
            "every field and operator."
        ),
    )
    reason = forms.CharField(
        label=_("why this change"), widget=forms.Textarea(attrs={"rows": 2, "cols": 100})
    )

    class Meta:
        model = Rule
        fields = ("code", "name", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = self.instance.versions.order_by("-number").first() if self.instance.pk else None
        self.fields["document"].initial = latest.document if latest else EXAMPLE
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean_document(self) -> Any:
        document = self.cleaned_data["document"]
        try:
            document_compiled(document=document)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["document"]) from exc
        return document


class BacktestForm(forms.Form):
    first_day = forms.DateField(label=_("first day (Beijing)"))
    last_day = forms.DateField(label=_("last day (Beijing)"))


class ListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, first line: value,note. Bad rows are listed by line; good rows are added."
        ),
    )


def pretty(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
