"""Forms of the rating's admin: an override (level, expiry, reason), its early end, the bands."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.models import LEVEL_RANK, RiskLevel, RiskLevelPolicy

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class OverrideForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=RiskLevel.choices)
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires (Beijing time)"),
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
        help_text=gettext_lazy("The computed level applies again from then on; a year at most."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ClearOverrideForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RiskLevelPolicyForm(forms.ModelForm):
    """A level's band must stay between the bands of the levels below and above it."""

    class Meta:
        model = RiskLevelPolicy
        fields = (
            "min_score",
            "per_transaction_limit",
            "daily_limit",
            "terminal_approval_required",
            "inspection_every_months",
        )

    def clean_min_score(self) -> Any:
        score = self.cleaned_data["min_score"]
        rank = LEVEL_RANK[RiskLevel(self.instance.level)]
        for other in RiskLevelPolicy.objects.exclude(pk=self.instance.pk):
            other_rank = LEVEL_RANK[RiskLevel(other.level)]
            if (other_rank < rank and other.min_score >= score) or (
                other_rank > rank and other.min_score <= score
            ):
                raise ValidationError(
                    _("The bands must rise with the level: %(level)s starts at %(score)s.")
                    % {"level": other.get_level_display(), "score": other.min_score}
                )
        return score
