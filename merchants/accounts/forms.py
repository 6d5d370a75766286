"""Forms of the second-factor step: a code from one of the user's devices, or from the app being enrolled."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.forms import OTPAuthenticationFormMixin, OTPTokenForm

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
