"""The endpoint form shared by the portal page and admin: a URL, a description, the events."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.common.events import EVENT_TYPES
from transactions.exchange.webhooks.services import clean_url


def event_choices() -> list[tuple[str, Any]]:
    return [(code, f"{label} ({code})") for code, label in EVENT_TYPES.items()]


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("https:// only; it must resolve to a public address."),
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        # The service's own check (run again when it saves): every field's errors at once.
        return clean_url(self.cleaned_data["url"])
