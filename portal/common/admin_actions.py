"""Admin actions built from a state machine's transitions, so every transition is one line.

An action that needs a reason first shows a confirmation page with a reason field (the usual Django
intermediate-page pattern); each object is then moved by the service, and refusals are reported per
object instead of failing the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.common.statemachine import StateMachine

Service = Callable[..., Any]


def transition_action(
    machine: StateMachine, name: str, *, service: Service, object_arg: str
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet], HttpResponse | None]:
    """An admin action that takes transition ``name`` on each selected object through ``service``."""
    transition = machine[name]

    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        if transition.reason_required and not (request.POST.get("apply") and reason):
            asked = bool(request.POST.get("apply"))
            return reason_page(modeladmin, request, queryset, transition.label, name, asked=asked)
        run_for_each(
            modeladmin,
            request,
            queryset,
            lambda obj: service(**{object_arg: obj}, name=name, actor=request.user, reason=reason),
            done_message=_("%(action)s: %(count)d done."),
            label=transition.label,
        )
        return None

    action.__name__ = name
    action.short_description = transition.label  # type: ignore[attr-defined]
    action.required_permission = transition.permission  # type: ignore[attr-defined]
    return action


def run_for_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    step: Callable[[Any], Any],
    *,
    done_message: str,
    label: Any,
) -> list[Any]:
    """Apply ``step`` to each object; report refusals by object and successes by count."""
    results = []
    for obj in queryset:
        try:
            results.append(step(obj))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            modeladmin.message_user(request, f"{obj}: {text}", level=messages.ERROR)
    if results:
        modeladmin.message_user(
            request, done_message % {"action": label, "count": len(results)}, messages.SUCCESS
        )
    return results


def reason_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    label: Any,
    action_name: str,
    *,
    asked: bool,
    shown_to_merchant: bool = True,
) -> TemplateResponse:
    opts = modeladmin.model._meta
    return TemplateResponse(
        request,
        "admin/merchants/transition_reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": label,
            "label": label,
            "objects": queryset,
            "action_name": action_name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": opts,
            "missing_reason": asked,
            "shown_to_merchant": shown_to_merchant,
            "media": modeladmin.media,
        },
    )


def permitted_actions(actions: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """Drop the actions whose transition needs a permission the user lacks."""
    return {
        name: entry
        for name, entry in actions.items()
        if not getattr(entry[0], "required_permission", None)
        or request.user.has_perm(entry[0].required_permission)
    }
