"""Forms of the second-factor step (a code from one of the user's devices, or from the app being
enrolled), the user's own settings, and the password reset e-mailed in the user's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.forms import OTPAuthenticationFormMixin, OTPTokenForm

from merchants.accounts.mail import user_language
from merchants.accounts.otp import device_for_code


class SecondFactorForm(OTPTokenForm):
    """django-otp's token form (throttling included) with our wording and the first device chosen."""

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("Enter the code from your authenticator app or a backup code."),
        invalid_token=_("That code is not right. Try again with a new code."),
        n_failed_attempts=ngettext_lazy(
            "Too many wrong codes (%(failure_count)d). Wait a little before trying again.",
            "Too many wrong codes (%(failure_count)d). Wait a little before trying again.",
            "failure_count",
        ),
        verification_not_allowed=_("Codes cannot be checked right now. Try again later."),
        device_required=_("Choose where the code comes from."),
    )

    def __init__(self, user: Any, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, request, *args, **kwargs)
        # Which device a code is for shows in the code itself: the app's are digits, backup codes
        # have letters. So the user only types the code (the field stays for a forced choice).
        self.fields["otp_device"].required = False
        self.fields["otp_device"].widget = forms.HiddenInput()
        # Our devices (app, backup codes) need no challenge sent to them.
        self.fields["otp_challenge"].widget = forms.HiddenInput()
        self.fields["otp_token"].label = _("Code")
        self.fields["otp_token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "autofocus": True}
        )

    def clean(self) -> dict[str, Any]:
        if not self.cleaned_data.get("otp_device"):
            self.cleaned_data["otp_device"] = device_for_code(
                self.user, (self.cleaned_data.get("otp_token") or "").strip()
            )
        return super().clean()


class EnrolmentForm(forms.Form):
    """The first code the new authenticator app shows, proving it was set up with our key."""

    token = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class LanguagePreferenceForm(forms.Form):
    """The language the portal writes e-mails to the user in."""

    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=settings.LANGUAGES,
        help_text=_("Alerts, complaints and reminders reach you in this language."),
    )


class PasswordResetInTheirLanguageForm(PasswordResetForm):
    """Django's reset form, the e-mail written in the account's language, not the page's."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        with translation.override(user_language(context["user"])):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )
