"""Forms for the approved merchant's pages: terminals, reporting settings, members."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import Membership, ReportingSettings, Role, Terminal


class TerminalForm(forms.ModelForm):
    latitude = forms.DecimalField(
        label=_("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = forms.DecimalField(
        label=_("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )

    class Meta:
        model = Terminal
        fields = (
            "serial_number",
            "model_name",
            "province",
            "city",
            "district",
            "address",
            "latitude",
            "longitude",
        )

    def clean_serial_number(self) -> str:
        return self.cleaned_data["serial_number"].strip().upper()


class ReportingSettingsForm(forms.ModelForm):
    class Meta:
        model = ReportingSettings
        fields = ("enabled", "method", "frequency", "deadline_hours")


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        help_text=_("Give it to your colleague; they can change it after logging in."),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("password"):
            user = get_user_model()(username=cleaned.get("username"), email=cleaned.get("email"))
            try:
                password_validation.validate_password(cleaned["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class MemberRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("role",)
