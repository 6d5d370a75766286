"""View guards: every merchant page is scoped to the signed-in user's own merchant."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from merchants.models import Membership

View = Callable[..., HttpResponse]


def merchant_required(*, edit: bool = False, manage: bool = False) -> Callable[[View], View]:
    """Require a merchant membership; ``edit`` needs owner or staff, ``manage`` needs owner.

    The view receives the membership as ``request.membership`` (already resolved).
    """

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership: Membership | None = request.membership if request.membership else None  # type: ignore[attr-defined]
            if membership is None:
                if request.user.is_staff:
                    return redirect("admin:index")
                raise PermissionDenied
            if (edit and not membership.can_edit) or (manage and not membership.can_manage):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
