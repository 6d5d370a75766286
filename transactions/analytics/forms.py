"""The dashboard's period: a preset (today, this week, this month) or a range of days."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from transactions.analytics.dashboard import Period, preset_period

MAX_DAYS = 366
PRESETS = (("today", _("Today")), ("week", _("This week")), ("month", _("This month")))


class PeriodForm(forms.Form):
    """Read from the query string; an explicit range wins over the preset."""

    period = forms.ChoiceField(choices=PRESETS, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start is None and end is None:
            return data
        if start is None:
            self.add_error("date_from", _("Give the first day of the range."))
            return data
        end = end or self.today
        if end < start:
            self.add_error("date_to", _("The last day cannot be before the first."))
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("date_to", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        data["date_to"] = end
        return data

    def chosen_period(self) -> Period:
        """The period asked for, or this month when the form is not valid."""
        if not self.is_valid():
            return preset_period("month", today=self.today)
        data = self.cleaned_data
        if data.get("date_from"):
            return Period(data["date_from"], data["date_to"])
        return preset_period(data.get("period") or "month", today=self.today)
