"""Hold a signed-in user who owes a second factor at the code step (or at enrolment).

Staff are held everywhere — admin and every other page — until their session is verified; a staff
user with no device yet can only enrol one. Merchant users are held only once they have enrolled a
device. Runs after django-otp's ``OTPMiddleware``, which tells whether the session is verified.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from merchants.accounts.otp import second_factor_step

# Reachable before the second factor: signing out, switching language, static files, health check.
_ALWAYS_OPEN = ("logout", "set_language")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not _always_open(request.path_info)
            and (step := second_factor_step(user))
        ):
            # Only the one step the user owes: the code if they have a device, else enrolment.
            url = reverse(step)
            if request.path_info != url:
                return _held(request, url)
        return self.get_response(request)


def _always_open(path: str) -> bool:
    prefixes = tuple(
        f"/{prefix.lstrip('/')}" for prefix in (settings.STATIC_URL, "healthz", "favicon.ico")
    )
    return path.startswith(prefixes) or path in {reverse(name) for name in _ALWAYS_OPEN}


def _held(request: HttpRequest, step: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Two-factor authentication required.")}, status=403)
    return redirect(f"{step}?{urlencode({'next': request.get_full_path()})}")
