"""The risk list in admin: imports (a lead uploads a CSV), the entries (delisted by a lead), and
the checks (a reviewer records one made in the risk system). Thin: the services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric

from merchants.models import Merchant, RiskListCheck, RiskListEntry, RiskListImport
from merchants.risk.risklist.forms import CheckForm, ImportForm
from merchants.risk.risklist.services import (
    CHECK_PERMISSION,
    IMPORT_PERMISSION,
    risk_list_check_record,
    risk_list_delist,
    risk_list_import,
)
from portal.common.admin import ReadOnlyAdmin, TrailAdmin, admin_link
from portal.common.crypto import id_number_digest
from portal.common.forms import form_add_errors


def _form_page(request: HttpRequest, admin_obj: Any, **context: Any) -> TemplateResponse:
    opts = admin_obj.model._meta
    return TemplateResponse(
        request,
        "admin/merchants/risk_list_form.html",
        {
            **admin_obj.admin_site.each_context(request),
            "opts": opts,
            "changelist": f"admin:{opts.app_label}_{opts.model_name}_changelist",
            **context,
        },
    )


@admin.register(RiskListImport)
class RiskListImportAdmin(ReadOnlyAdmin):
    list_display = (
        "imported_at",
        "file_name",
        "imported_by",
        "rows_total",
        "rows_added",
        "rows_already",
        "rows_failed",
    )
    list_select_related = ("imported_by",)
    date_hierarchy = "imported_at"
    fields = readonly_fields = (
        "file_name",
        "imported_by",
        "imported_at",
        "rows_total",
        "rows_added",
        "rows_already",
        "error_table",
    )

    @admin.display(description=gettext_lazy("bad rows"))
    def rows_failed(self, record: RiskListImport) -> int:
        return record.rows_failed

    @admin.display(description=gettext_lazy("errors"))
    def error_table(self, record: RiskListImport) -> str:
        return render_to_string("admin/merchants/risk_list_errors.html", {"errors": record.errors})

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="merchants_risklistimport_upload",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {"can_import": request.user.has_perm(IMPORT_PERMISSION)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV; only staff with ``merchants.import_risklist`` (the service checks too)."""
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                record = risk_list_import(
                    data=form.cleaned_data["file"],
                    file_name=request.FILES["file"].name or "",
                    actor=request.user,
                    default_source=form.cleaned_data["default_source"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                self.message_user(
                    request,
                    _("%(added)d entries added, %(already)d already listed, %(bad)d bad rows.")
                    % {
                        "added": record.rows_added,
                        "already": record.rows_already,
                        "bad": record.rows_failed,
                    },
                    messages.WARNING if record.errors else messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:merchants_risklistimport_change", args=[record.pk])
                )
        return _form_page(
            request,
            self,
            form=form,
            title=_("Import the external risk list"),
            submit=_("Import"),
        )


@admin.register(RiskListEntry)
class RiskListEntryAdmin(TrailAdmin):
    list_display = ("shown", "kind", "source", "reason", "listed_on", "active", "created_at")
    list_filter = ("active", "kind", "source")
    search_fields = ("=value", "shown", "source", "reason")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "kind",
        "shown",
        "source",
        "reason",
        "listed_on",
        "active",
        "import_link",
        "created_at",
    )
    actions = ["delist"]

    @admin.display(description=gettext_lazy("import"))
    def import_link(self, entry: RiskListEntry) -> str:
        return admin_link(entry.source_import)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """An ID number typed in full finds its entry by the keyed hash (never stored in clear)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        number = search_term.strip().upper()
        if ric.is_valid(number):
            found = found | queryset.filter(value=id_number_digest(number))
        return found, duplicates

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries come from an import

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # delisted, never deleted: the record stays

    def has_delist_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(IMPORT_PERMISSION)

    @admin.action(description=gettext_lazy("Take off the list (delisted)"), permissions=["delist"])
    def delist(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = risk_list_delist(
            entries=queryset, actor=request.user, reason=f"admin:{request.user.get_username()}"
        )
        self.message_user(request, _("%(count)d entries taken off the list.") % {"count": count})


@admin.register(RiskListCheck)
class RiskListCheckAdmin(ReadOnlyAdmin):
    list_display = ("checked_at", "merchant", "result", "trigger", "actor")
    list_filter = ("result", "trigger")
    search_fields = ("merchant__legal_name", "merchant__short_name", "merchant__mid", "note")
    list_select_related = ("merchant", "actor")
    date_hierarchy = "checked_at"
    fields = readonly_fields = (
        "merchant_link",
        "checked_at",
        "result",
        "trigger",
        "actor",
        "matched",
        "note",
    )

    @admin.display(description=gettext_lazy("merchant"))
    def merchant_link(self, check: RiskListCheck) -> str:
        return admin_link(check.merchant)

    @admin.display(description=gettext_lazy("matched entries"))
    def matched(self, check: RiskListCheck) -> str:
        return "; ".join(str(entry) for entry in check.entries.all()) or "—"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "record/<int:merchant_id>/",
                self.admin_site.admin_view(self.record_view),
                name="merchants_risklistcheck_record",
            ),
            *super().get_urls(),
        ]

    def record_view(self, request: HttpRequest, merchant_id: int) -> HttpResponse:
        """A reviewer records a check made in the risk system (the service checks the right)."""
        if not request.user.has_perm(CHECK_PERMISSION):
            raise PermissionDenied
        merchant = get_object_or_404(Merchant, pk=merchant_id)
        form = CheckForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                risk_list_check_record(merchant=merchant, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                self.message_user(request, _("The check was recorded."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:merchants_merchant_change", args=[merchant.pk])
                )
        return _form_page(
            request,
            self,
            form=form,
            title=_("Record a risk-list check of %(merchant)s") % {"merchant": merchant},
            submit=_("Record"),
            intro=_(
                "Record what the risk information system says of this merchant. A hit blocks "
                "approval and rates the merchant prohibited until a clear check is recorded."
            ),
        )
