"""The archive in admin: archived months (verify), legal holds (leads), deletion jobs (approve).

Thin: every change goes through the services (``holds.py``, ``verify.py``, ``retention.py``)
and is on record (history, transition rows).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import ReadOnlyAdmin, ReadOnlyInline, TrailAdmin
from portal.common.admin_actions import reason_page, run_for_each
from transactions.archive.forms import LegalHoldForm
from transactions.archive.holds import legal_hold_place, legal_hold_release
from transactions.archive.retention import (
    deletion_job_approve,
    deletion_job_propose,
    deletion_job_reject,
)
from transactions.archive.verify import archive_month_verify
from transactions.archive.workflow import APPROVE_PERMISSION
from transactions.models import (
    ArchiveFile,
    ArchiveMonth,
    ArchiveMonthTransition,
    DeletionJob,
    DeletionJobTransition,
    LegalHold,
)


class ArchiveFileInline(ReadOnlyInline):
    model = ArchiveFile
    fields = readonly_fields = (
        "merchant",
        "path",
        "row_count",
        "size_bytes",
        "sha256",
        "min_occurred_at",
        "max_occurred_at",
        "damaged_at",
        "deleted_at",
    )


class ArchiveMonthTransitionInline(ReadOnlyInline):
    model = ArchiveMonthTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")


@admin.register(ArchiveMonth)
class ArchiveMonthAdmin(ReadOnlyAdmin):
    list_display = (
        "month",
        "status",
        "row_count",
        "purged_rows",
        "kept_hot",
        "verified_at",
        "created_at",
    )
    list_filter = ("status",)
    inlines = (ArchiveFileInline, ArchiveMonthTransitionInline)
    actions = ["verify"]

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    @admin.action(description=gettext_lazy("Verify the files now"), permissions=["verify"])
    def verify(self, request: HttpRequest, queryset: QuerySet) -> None:
        for archive_month in queryset:
            problems = archive_month_verify(archive_month=archive_month)
            if problems:
                self.message_user(
                    request,
                    f"{archive_month}: " + "; ".join(str(p) for p in problems),
                    messages.ERROR,
                )
            else:
                self.message_user(request, _("%(month)s checks out.") % {"month": archive_month})


class LegalHoldStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", gettext_lazy("In force")), ("released", gettext_lazy("Released"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "active":
            return queryset.active()
        if self.value() == "released":
            return queryset.filter(released_at__isnull=False)
        return queryset


@admin.register(LegalHold)
class LegalHoldAdmin(TrailAdmin):
    """Leads only (the permissions are the leads' group's): placed with a reason, released with one."""

    form = LegalHoldForm
    list_display = ("__str__", "reason", "starts_at", "until", "placed_by", "released_at")
    list_filter = (LegalHoldStateFilter,)
    search_fields = ("merchant__legal_name", "merchant__mid", "reason")
    raw_id_fields = ("merchant", "alert", "complaint")
    actions = ["release"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return (
            "merchant",
            "alert",
            "complaint",
            "reason",
            "starts_at",
            "until",
            "placed_by",
            "placed_at",
            "released_by",
            "released_at",
            "release_reason",
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.manage_legal_hold")

    def save_model(self, request: HttpRequest, obj: LegalHold, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        hold = legal_hold_place(
            merchant=data["merchant"],
            actor=request.user,
            reason=data["reason"],
            alert=data.get("alert"),
            complaint=data.get("complaint"),
            starts_at=data.get("starts_at"),
            until=data.get("until"),
        )
        obj.pk = hold.pk

    @admin.action(description=gettext_lazy("Release"), permissions=["manage"])
    def release(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        asked = bool(request.POST.get("apply"))
        if not (asked and reason):
            return reason_page(
                self,
                request,
                queryset,
                _("Release"),
                "release",
                asked=asked,
                shown_to_merchant=False,
            )
        run_for_each(
            self,
            request,
            queryset,
            lambda hold: legal_hold_release(hold=hold, actor=request.user, reason=reason),
            done_message=_("%(action)s: %(count)d done."),
            label=_("Release"),
        )
        return None


class DeletionJobTransitionInline(ReadOnlyInline):
    model = DeletionJobTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")


@admin.register(DeletionJob)
class DeletionJobAdmin(TrailAdmin):
    """Proposed by beat or a lead; approved or rejected by another lead; the log says what went."""

    list_display = (
        "__str__",
        "file_count",
        "row_count",
        "hot_row_count",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "finished_at",
    )
    list_filter = ("status",)
    fields = readonly_fields = (
        "status",
        "retention_years",
        "file_count",
        "row_count",
        "hot_row_count",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "finished_at",
        "plan_text",
        "log_text",
        "error",
    )
    inlines = (DeletionJobTransitionInline,)
    actions = ["approve", "reject"]

    @admin.display(description=gettext_lazy("what would be deleted"))
    def plan_text(self, job: DeletionJob) -> str:
        return format_html("<pre>{}</pre>", json.dumps(job.plan, indent=2, ensure_ascii=False))

    @admin.display(description=gettext_lazy("what was deleted"))
    def log_text(self, job: DeletionJob) -> str:
        return format_html("<pre>{}</pre>", json.dumps(job.log, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # proposed by the button below (changelist) or by beat

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "propose/",
                self.admin_site.admin_view(self.propose_view),
                name="transactions_deletionjob_propose",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        can_propose = request.user.has_perm("transactions.add_deletionjob")
        return super().changelist_view(
            request, {**(extra_context or {}), "can_propose": can_propose}
        )

    def propose_view(self, request: HttpRequest) -> HttpResponse:
        """List what has expired as a proposed job (another lead approves it)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("transactions.add_deletionjob"):
            raise PermissionDenied
        job = deletion_job_propose(actor=request.user)
        if job is None:
            self.message_user(request, _("Nothing has expired: no deletion proposed."))
            return HttpResponseRedirect(reverse("admin:transactions_deletionjob_changelist"))
        self.message_user(request, _("Deletion job %(job)s is open.") % {"job": job})
        return HttpResponseRedirect(reverse("admin:transactions_deletionjob_change", args=[job.pk]))

    @admin.action(description=gettext_lazy("Approve and delete"), permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_for_each(
            self,
            request,
            queryset,
            lambda job: deletion_job_approve(job=job, actor=request.user),
            done_message=_("%(action)s: %(count)d done."),
            label=_("Approve"),
        )

    @admin.action(description=gettext_lazy("Reject"), permissions=["approve"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        asked = bool(request.POST.get("apply"))
        if not (asked and reason):
            return reason_page(
                self, request, queryset, _("Reject"), "reject", asked=asked, shown_to_merchant=False
            )
        run_for_each(
            self,
            request,
            queryset,
            lambda job: deletion_job_reject(job=job, actor=request.user, reason=reason),
            done_message=_("%(action)s: %(count)d done."),
            label=_("Reject"),
        )
        return None
