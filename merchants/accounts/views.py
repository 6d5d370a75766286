"""Sign-in pages around the password: the code step, enrolling an authenticator app, backup codes,
and the page django-axes shows a locked-out login.

Thin: the rules of who must pass the step are in ``merchants.accounts.otp`` and ``otp_middleware``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from merchants.accounts.forms import EnrolmentForm, LanguagePreferenceForm, SecondFactorForm
from merchants.accounts.mail import preferences_set, user_language
from merchants.accounts.otp import (
    backup_codes_issue,
    has_second_factor,
    totp_enrolment_confirm,
    totp_enrolment_device,
    totp_qr_svg,
    totp_secret,
)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url("admin:index" if request.user.is_staff else "home")


def _verified(request: HttpRequest, device: Any) -> None:
    # A new session key once fully signed in, as Django does after the password.
    request.session.cycle_key()
    django_otp.login(request, device)


@never_cache
@login_required
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from one of the user's devices; pass the user on once one is right."""
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    if not has_second_factor(request.user):
        return redirect(f"{resolve_url('otp_setup')}?{urlencode({'next': _next_url(request)})}")
    form = SecondFactorForm(request.user, request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        _verified(request, form.get_user().otp_device)
        return redirect(_next_url(request))
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and key, confirmed by the first code it shows.

    A user who already has a device must have passed it first (the middleware sends them to the
    code step), or a stolen password alone could enrol the thief's phone.
    """
    enrolled = has_second_factor(request.user)
    if enrolled and not request.user.is_verified():  # type: ignore[attr-defined]
        return redirect("otp_verify")
    device = totp_enrolment_device(user=request.user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_enrolment_confirm(device=device, token=form.cleaned_data["token"]):
            _verified(request, device)
            codes = backup_codes_issue(user=request.user)
            messages.success(request, _("Two-factor authentication is on."))
            return render(
                request,
                "registration/otp_backup_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "token", _("That code is not right. Check the time on your phone and try again.")
        )
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "qr_svg": totp_qr_svg(device),
            "secret": totp_secret(device),
            "next": _next_url(request),
            "already_on": enrolled,
        },
    )


@never_cache
@login_required
@require_POST
def backup_codes_renew(request: HttpRequest) -> HttpResponse:
    """A new set of backup codes for a signed-in, verified user; the old set stops working."""
    if not request.user.is_verified():  # type: ignore[attr-defined]
        return redirect("otp_verify")
    codes = backup_codes_issue(user=request.user)
    return render(
        request, "registration/otp_backup_codes.html", {"codes": codes, "next": _next_url(request)}
    )


@never_cache
@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """The user's own settings: the language of the e-mails the portal sends them."""
    form = LanguagePreferenceForm(
        request.POST or None, initial={"language": user_language(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        preferences_set(user=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("Saved: e-mails will reach you in the language you chose."))
        return redirect("account_settings")
    status = 400 if form.is_bound else 200
    return render(request, "registration/account_settings.html", {"form": form}, status=status)


def locked_out(request: HttpRequest, original_response: Any, credentials: Any) -> HttpResponse:
    """django-axes' answer to a locked-out username and address: what happened and for how long."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": get_failure_limit(request, credentials), "cooloff_minutes": minutes},
        status=429,
    )
