"""The complaint queue in Django admin: record a complaint, move it, decide it.

Thin: the services record, move and refuse (``complaint_record``, ``complaint_transition``,
``complaint_uphold``). A complaint page is read-only; it changes only through the actions. The
complainant's contact is shown masked; the evidence is served by a view that checks permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import ReadOnlyInline, TrailAdmin, admin_link
from portal.common.admin_actions import permitted_actions, run_for_each, transition_action
from portal.common.forms import form_add_errors
from transactions.complaints.admin_forms import ComplaintRecordForm, UpholdForm
from transactions.complaints.downloads import serve_evidence
from transactions.complaints.services import (
    complaint_counts_for_merchant,
    complaint_record,
    complaint_transition,
    complaint_uphold,
    ensure_reasons,
)
from transactions.complaints.workflow import COMPLAINT, DECIDE, HANDLE, STAFF_TRANSITIONS
from transactions.models import Complaint, ComplaintEvidence, ComplaintReason, ComplaintTransition


@admin.register(ComplaintReason)
class ComplaintReasonAdmin(TrailAdmin):
    list_display = ("name", "code", "answer_days", "active")
    list_editable = ("answer_days", "active")
    readonly_fields = ("code",)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        ensure_reasons()
        return super().changelist_view(request, extra_context)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # complaints refer to them; switch a reason off instead


class ComplaintTransitionInline(ReadOnlyInline):
    model = ComplaintTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")
    verbose_name_plural = gettext_lazy("Trail")


class ComplaintEvidenceInline(ReadOnlyInline):
    model = ComplaintEvidence
    fields = readonly_fields = ("created_at", "side", "uploaded_by", "note", "file_link")

    @admin.display(description=gettext_lazy("file"))
    def file_link(self, evidence: ComplaintEvidence) -> str:
        if not evidence.file:
            return "—"  # information the cardholder added as text (the note)
        url = reverse("admin:transactions_complaintevidence_file", args=[evidence.pk])
        return format_html('<a href="{}">{}</a>', url, evidence.original_name)


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", gettext_lazy("Overdue (open)")), ("flagged", gettext_lazy("Flagged"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "overdue":
            return queryset.unresolved().filter(due_at__lt=timezone.now())
        if self.value() == "flagged":
            return queryset.filter(overdue=True)
        return queryset


def _transition(name: str) -> Any:
    return transition_action(COMPLAINT, name, service=complaint_transition, object_arg="complaint")


@admin.register(Complaint)
class ComplaintAdmin(TrailAdmin):
    list_display = (
        "id",
        "status",
        "channel",
        "reason",
        "merchant_link",
        "report_tid",
        "report_rrn",
        "report_amount",
        "created_at",
        "due",
    )
    list_display_links = ("id",)
    list_filter = ("status", "channel", "reason", OverdueFilter, "overdue")
    search_fields = (
        "id__exact",
        "=report__rrn",
        "=report__tid",
        "merchant__legal_name",
        "merchant__short_name",
        "=merchant__mid",
    )
    list_select_related = ("reason", "merchant", "report")
    fieldsets = (
        (
            gettext_lazy("Complaint"),
            {
                "fields": (
                    "status",
                    "channel",
                    "reason",
                    "description",
                    "created_at",
                    "created_by",
                    "due_at",
                )
            },
        ),
        (
            gettext_lazy("Complainant (masked)"),
            {
                "fields": (
                    "complainant_name_masked",
                    "complainant_phone_masked",
                    "complainant_email_masked",
                )
            },
        ),
        (
            gettext_lazy("Report and merchant"),
            {"fields": ("report_link", "merchant_link", "merchant_complaints")},
        ),
        (
            gettext_lazy("Outcome"),
            {
                "fields": (
                    "outcome",
                    "refund_amount",
                    "amendment",
                    "resolved_at",
                    "overdue",
                    "overdue_notified_at",
                )
            },
        ),
    )
    readonly_fields = (
        "status",
        "channel",
        "reason",
        "description",
        "created_at",
        "created_by",
        "due_at",
        "complainant_name_masked",
        "complainant_phone_masked",
        "complainant_email_masked",
        "report_link",
        "merchant_link",
        "merchant_complaints",
        "outcome",
        "refund_amount",
        "amendment",
        "resolved_at",
        "overdue",
        "overdue_notified_at",
    )
    inlines = (ComplaintTransitionInline, ComplaintEvidenceInline)
    actions = [*(_transition(name) for name in STAFF_TRANSITIONS), "uphold"]

    class Media:
        # .overdue: the Content-Security-Policy refuses style= attributes.
        css = {"all": ("css/admin.css",)}

    # -- columns -------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("merchant"), ordering="merchant__legal_name")
    def merchant_link(self, complaint: Complaint) -> str:
        return admin_link(complaint.merchant)

    @admin.display(description=gettext_lazy("report"))
    def report_link(self, complaint: Complaint) -> str:
        return admin_link(complaint.report)

    @admin.display(description=gettext_lazy("TID"), ordering="report__tid")
    def report_tid(self, complaint: Complaint) -> str:
        return complaint.report.tid

    @admin.display(description=gettext_lazy("RRN"), ordering="report__rrn")
    def report_rrn(self, complaint: Complaint) -> str:
        return complaint.report.rrn

    @admin.display(description=gettext_lazy("amount"), ordering="report__amount")
    def report_amount(self, complaint: Complaint) -> Any:
        return complaint.report.amount

    @admin.display(description=gettext_lazy("complainant"))
    def complainant_name_masked(self, complaint: Complaint) -> str:
        return complaint.complainant_name_masked or "—"

    @admin.display(description=gettext_lazy("phone"))
    def complainant_phone_masked(self, complaint: Complaint) -> str:
        return complaint.complainant_phone_masked or "—"

    @admin.display(description=gettext_lazy("e-mail"))
    def complainant_email_masked(self, complaint: Complaint) -> str:
        return complaint.complainant_email_masked or "—"

    @admin.display(description=gettext_lazy("merchant's complaints"))
    def merchant_complaints(self, complaint: Complaint) -> str:
        counts = complaint_counts_for_merchant(merchant=complaint.merchant)
        return _("%(open)d open, %(upheld)d upheld in the last %(days)d days") % counts

    @admin.display(description=gettext_lazy("due"), ordering="due_at")
    def due(self, complaint: Complaint) -> str:
        when = date_format(timezone.localtime(complaint.due_at), "SHORT_DATETIME_FORMAT")
        if complaint.is_late:
            return format_html(
                '<strong class="overdue">{} ({})</strong>',
                when,
                _("overdue"),
            )
        return when

    # -- permissions ---------------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(HANDLE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # moved only by the actions, through the workflow

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(DECIDE)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    # -- recording: the add page finds the report ----------------------------------------------

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        ensure_reasons()
        posted = request.method == "POST"
        form = ComplaintRecordForm(request.POST, request.FILES) if posted else ComplaintRecordForm()
        if posted and form.is_valid():
            data = form.cleaned_data
            try:
                complaint = complaint_record(
                    report=form.report,
                    reason=data["reason"],
                    description=data["description"],
                    actor=request.user,
                    complainant_name=data["complainant_name"],
                    complainant_phone=data["complainant_phone"],
                    complainant_email=data["complainant_email"],
                    evidence=data["evidence"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                self.log_addition(request, complaint, [{"added": {}}])
                self.message_user(
                    request,
                    _("Complaint #%(pk)d recorded; the answer is due %(due)s.")
                    % {
                        "pk": complaint.pk,
                        "due": date_format(timezone.localtime(complaint.due_at), "DATE_FORMAT"),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:transactions_complaint_change", args=[complaint.pk])
                )
        return TemplateResponse(
            request,
            "admin/transactions/complaint/record.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Record a complaint"),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
            },
        )

    # -- deciding ------------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Uphold (refund or reversal)…"), permissions=["decide"])
    def uphold(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = UpholdForm(request.POST if request.POST.get("apply") else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/transactions/complaint/uphold.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Uphold complaints"),
                    "objects": queryset,
                    "form": form,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                    "media": self.media,
                },
            )
        data = form.cleaned_data
        run_for_each(
            self,
            request,
            queryset,
            lambda complaint: complaint_uphold(
                complaint=complaint,
                actor=request.user,
                reason=data["reason"],
                outcome=data["outcome"],
                refund_amount=data["refund_amount"],
            ),
            done_message=_("%(action)s: %(count)d done."),
            label=COMPLAINT["uphold"].label,
        )
        return None

    # -- evidence, served to staff only --------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "evidence/<int:pk>/file/",
                self.admin_site.admin_view(self.evidence_view),
                name="transactions_complaintevidence_file",
            ),
            *super().get_urls(),
        ]

    def evidence_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not request.user.has_perm("transactions.view_complaintevidence"):
            raise PermissionDenied
        return serve_evidence(get_object_or_404(ComplaintEvidence, pk=pk))
