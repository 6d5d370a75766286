"""The merchant's reporting settings form."""

from django import forms

from merchants.models import ReportingSettings


class ReportingSettingsForm(forms.ModelForm):
    class Meta:
        model = ReportingSettings
        fields = ("enabled", "method", "frequency", "deadline_hours")
