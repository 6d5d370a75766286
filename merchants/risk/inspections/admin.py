"""Inspections in admin: the list to work from, each inspection's page with its check-in,
checklist, photos and trail, and one page per step (assign, check in, add a photo, record the
outcome), each through the services. Photo requests are accepted, asked again or cancelled by the
list's actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.models import (
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionStatus,
    InspectionTransition,
)
from merchants.risk.inspections.checklist import ITEMS
from merchants.risk.inspections.forms import (
    AssignForm,
    CheckInForm,
    CompleteForm,
    PhotoForm,
)
from merchants.risk.inspections.location import radius
from merchants.risk.inspections.services import (
    inspection_assign,
    inspection_check_in,
    inspection_complete,
    inspection_photo_add,
    inspection_transition,
)
from merchants.risk.inspections.workflow import ASSIGN, CONDUCT, INSPECTION
from portal.common.admin import ReadOnlyInline, TrailAdmin, admin_link
from portal.common.admin_actions import permitted_actions, transition_action
from portal.common.forms import form_add_errors


class StepInline(ReadOnlyInline):
    model = InspectionTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")
    verbose_name_plural = gettext_lazy("Trail")


class PhotoInline(ReadOnlyInline):
    model = InspectionPhoto
    fields = readonly_fields = (
        "link",
        "caption",
        "taken_at",
        "gps",
        "metres_from_premises",
        "by_merchant",
        "uploaded_by",
        "uploaded_at",
    )

    @admin.display(description=gettext_lazy("photo"))
    def link(self, photo: InspectionPhoto) -> str:
        url = reverse("merchants:inspection_photo", args=[photo.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a> ({}×{})',
            url,
            photo.original_name,
            photo.width,
            photo.height,
        )

    @admin.display(description=gettext_lazy("GPS (EXIF)"))
    def gps(self, photo: InspectionPhoto) -> str:
        if photo.latitude is None:
            return "—"
        return f"{photo.latitude}, {photo.longitude}"


@dataclass(frozen=True)
class Step:
    title: Any
    form: type[forms.Form]
    permission: str
    run: Callable[[Inspection, HttpRequest, Any], Any]
    multipart: bool = False


def _assign(inspection: Inspection, request: HttpRequest, data: dict[str, Any]) -> Any:
    return inspection_assign(
        inspection=inspection, actor=request.user, assignee=data["assignee"], due_on=data["due_on"]
    )


def _check_in(inspection: Inspection, request: HttpRequest, data: dict[str, Any]) -> Any:
    return inspection_check_in(
        inspection=inspection,
        actor=request.user,
        latitude=data["latitude"],
        longitude=data["longitude"],
    )


def _photo(inspection: Inspection, request: HttpRequest, data: dict[str, Any]) -> Any:
    return inspection_photo_add(
        inspection=inspection, actor=request.user, upload=data["photo"], caption=data["caption"]
    )


def _complete(inspection: Inspection, request: HttpRequest, form: CompleteForm) -> Any:
    data = form.cleaned_data
    return inspection_complete(
        inspection=inspection,
        actor=request.user,
        answers=form.answers(),
        findings=data["findings"],
        outcome=data["outcome"],
        remediation_due_on=data["remediation_due_on"],
    )


STEPS = {
    "assign": Step(gettext_lazy("Assign"), AssignForm, ASSIGN, _assign),
    "check-in": Step(gettext_lazy("Check in"), CheckInForm, CONDUCT, _check_in),
    "photo": Step(gettext_lazy("Add a photo"), PhotoForm, CONDUCT, _photo, multipart=True),
    "complete": Step(gettext_lazy("Record the outcome"), CompleteForm, CONDUCT, _complete),
}
# Which step pages an inspection in each state offers (the services decide in the end).
OFFERED = {
    InspectionStatus.SCHEDULED: ("assign",),
    InspectionStatus.ASSIGNED: ("assign", "check-in"),
    InspectionStatus.CHECKED_IN: ("photo", "complete"),
}


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.overdue(timezone.localdate())
        return queryset


def _action(name: str) -> Any:
    return transition_action(
        INSPECTION, name, service=inspection_transition, object_arg="inspection"
    )


@admin.register(Inspection)
class InspectionAdmin(TrailAdmin):
    change_form_template = "admin/merchants/inspection/change_form.html"
    list_display = (
        "__str__",
        "merchant_link",
        "kind",
        "status",
        "due_on",
        "overdue",
        "assignee",
        "outcome",
        "completed_at",
    )
    list_filter = ("status", "kind", "outcome", OverdueFilter, "level")
    search_fields = ("=id", "merchant__legal_name", "merchant__short_name", "=merchant__mid")
    list_select_related = ("merchant", "assignee")
    ordering = ("due_on", "pk")
    fields = readonly_fields = (
        "merchant_link",
        "premises",
        "kind",
        "status",
        "level",
        "due_on",
        "assignee",
        "check_in",
        "terminals",
        "checklist",
        "findings",
        "outcome",
        "remediation_due_on",
        "completed_at",
        "completed_by",
    )
    inlines = (PhotoInline, StepInline)
    actions = [_action("accept_photos"), _action("ask_again"), _action("cancel")]

    @admin.display(description=gettext_lazy("merchant"), ordering="merchant__legal_name")
    def merchant_link(self, inspection: Inspection) -> str:
        return admin_link(inspection.merchant)

    @admin.display(description=gettext_lazy("overdue"), boolean=True)
    def overdue(self, inspection: Inspection) -> bool:
        return inspection.is_overdue(timezone.localdate())

    @admin.display(description=gettext_lazy("premises"))
    def premises(self, inspection: Inspection) -> str:
        merchant = inspection.merchant
        place = (
            f"{merchant.premises_latitude}, {merchant.premises_longitude}"
            if merchant.premises_located
            else _("no coordinates yet: the check-in sets them")
        )
        fixed = _("fixed premises") if merchant.fixed_premises else _("no fixed premises")
        address = f"{merchant.business_city}{merchant.business_district}{merchant.business_address}"
        return f"{address or merchant.registered_address} · {fixed} · {place}"

    @admin.display(description=gettext_lazy("check-in"))
    def check_in(self, inspection: Inspection) -> str:
        if inspection.checked_in_at is None:
            return "—"
        return render_to_string(
            "admin/merchants/inspection/check_in.html",
            {"inspection": inspection, "radius": radius()},
        )

    @admin.display(description=gettext_lazy("terminals from the check-in"))
    def terminals(self, inspection: Inspection) -> str:
        if not inspection.terminal_distances:
            return "—"
        return render_to_string(
            "admin/merchants/inspection/terminals.html",
            {"rows": inspection.terminal_distances, "radius": radius()},
        )

    @admin.display(description=gettext_lazy("checklist"))
    def checklist(self, inspection: Inspection) -> str:
        rows = [
            (ITEMS[a.item].question if a.item in ITEMS else a.item, a.get_answer_display(), a.note)
            for a in inspection.answers.all()
        ]
        if not rows:
            return "—"
        return render_to_string("admin/merchants/inspection/checklist.html", {"rows": rows})

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # generated by level (the beat task); a lead assigns them

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # moved by the step pages and actions, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record is kept; cancel instead

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/step/<slug:step>/",
                self.admin_site.admin_view(self.step_view),
                name="merchants_inspection_step",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        inspection = self.get_object(request, object_id)
        offered = []
        if inspection is not None:
            for name in OFFERED.get(InspectionStatus(inspection.status), ()):
                step = STEPS[name]
                if request.user.has_perm(step.permission):
                    url = reverse("admin:merchants_inspection_step", args=[inspection.pk, name])
                    offered.append({"name": name, "title": step.title, "url": url})
        extra = {"steps": offered}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def step_view(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        """One step's form; the service checks the state, the inspector and every value."""
        spec = STEPS.get(step)
        if spec is None:
            raise Http404
        if not request.user.has_perm(spec.permission):
            raise PermissionDenied
        inspection = get_object_or_404(Inspection.objects.select_related("merchant"), pk=pk)
        if inspection.kind != InspectionKind.ON_SITE:
            raise Http404
        posted = request.method == "POST"
        form = spec.form(request.POST if posted else None, request.FILES if posted else None)
        if posted and form.is_valid():
            try:
                spec.run(inspection, request, form if step == "complete" else form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    exc = ValidationError(str(exc) or _("You are not allowed to do this."))
                form_add_errors(form, exc)
            else:
                self.message_user(request, _("%(step)s: done.") % {"step": spec.title})
                return HttpResponseRedirect(
                    reverse("admin:merchants_inspection_change", args=[inspection.pk])
                )
        elif posted:
            self.message_user(request, _("Please correct the errors below."), messages.ERROR)
        return TemplateResponse(
            request,
            "admin/merchants/inspection/step.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{spec.title} · {inspection} · {inspection.merchant}",
                "inspection": inspection,
                "form": form,
                "step": step,
                "multipart": spec.multipart,
                "opts": self.model._meta,
            },
            status=400 if posted else 200,
        )
