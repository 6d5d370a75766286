"""Reconciliation in admin: acquirers and their column mapping, settlement files (uploading one
queues its import; a failed one can be retried), and the runs with their differences: read-only,
filtered, downloadable."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import ReadOnlyAdmin, ReadOnlyInline, TrailAdmin
from portal.common.admin_actions import reason_page
from portal.common.exports import stream_csv
from transactions.models import (
    Acquirer,
    ReconciliationItem,
    ReconciliationRun,
    SettlementFile,
    SettlementFileTransition,
    SettlementLineError,
)
from transactions.reconciliation import results
from transactions.reconciliation.forms import AcquirerForm
from transactions.reconciliation.services import (
    settlement_file_check,
    settlement_file_create,
    settlement_file_retry,
)


@admin.register(Acquirer)
class AcquirerAdmin(TrailAdmin):
    form = AcquirerForm
    list_display = ("name", "code", "amount_tolerance", "time_window_seconds")
    search_fields = ("name", "code")


class SettlementFileForm(forms.ModelForm):
    """Upload only: the file goes through the same service as a merchant's upload."""

    class Meta:
        model = SettlementFile
        fields = ("acquirer", "merchant", "file")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (upload := cleaned.get("file")) and (acquirer := cleaned.get("acquirer")):
            try:
                settlement_file_check(
                    upload=upload, acquirer=acquirer, merchant=cleaned.get("merchant")
                )
            except ValidationError as exc:
                self.add_error("file", exc)
        return cleaned


class LineErrorInline(admin.TabularInline):
    model = SettlementLineError
    extra = 0
    can_delete = False
    fields = readonly_fields = ("line_no", "errors")
    max_num = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).order_by("line_no")


class SettlementFileTransitionInline(ReadOnlyInline):
    model = SettlementFileTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "by", "reason")
    verbose_name_plural = gettext_lazy("Trail")

    @admin.display(description=gettext_lazy("by"))
    def by(self, step: SettlementFileTransition) -> str:
        return str(step.actor) if step.actor_id else _("the system (a worker)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")


@admin.register(SettlementFile)
class SettlementFileAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "acquirer",
        "merchant",
        "status",
        "percent_done",
        "line_count",
        "error_count",
        "created_at",
    )
    list_filter = ("status", "acquirer")
    search_fields = ("original_name", "sha256", "merchant__legal_name", "merchant__mid")
    list_select_related = ("acquirer", "merchant")
    readonly_fields = (
        "acquirer",
        "merchant",
        "original_name",
        "sha256",
        "status",
        "total_rows",
        "processed_rows",
        "line_count",
        "error_count",
        "error",
        "uploaded_by",
        "created_at",
        "finished_at",
    )
    inlines = (SettlementFileTransitionInline, LineErrorInline)
    actions = ("retry",)

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = SettlementFileForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ("acquirer", "merchant", "file")

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Created by the service, as a merchant's upload is; nothing is edited afterwards.
        if change:
            return
        try:
            created = settlement_file_create(
                acquirer=form.cleaned_data["acquirer"],
                upload=form.cleaned_data["file"],
                actor=request.user,
                merchant=form.cleaned_data.get("merchant"),
            )
        except ValidationError as exc:
            # The same file, uploaded at the same moment by someone else, was stored first.
            messages.error(request, " ".join(exc.messages))
            return
        obj.__dict__.update(created.__dict__)
        messages.info(request, _("Settlement file received; it is being imported."))

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return super().log_addition(request, obj, message) if obj.pk else None

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        if obj.pk is None:  # refused in save_model: back to the upload form
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.add_settlementfile")

    @admin.action(
        description=gettext_lazy("Retry the selected failed files"), permissions=["retry"]
    )
    def retry(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Asks for the reason first; it is recorded in each file's trail with who retried it."""
        reason = request.POST.get("reason", "").strip()
        if not (request.POST.get("apply") and reason):
            asked = bool(request.POST.get("apply"))
            label = _("Retry the selected failed files")
            return reason_page(
                self, request, queryset, label, "retry", asked=asked, shown_to_merchant=False
            )
        for settlement in queryset.order_by("pk"):
            try:
                how = settlement_file_retry(
                    settlement=settlement, actor=request.user, reason=reason
                )
            except ValidationError as exc:
                messages.error(request, f"{settlement}: {' '.join(exc.messages)}")
                continue
            if how == "import":
                text = _("%(file)s: queued to be imported again.")
            else:
                text = _("%(file)s: queued to be reconciled again from its stored lines.")
            messages.success(request, text % {"file": settlement})
        return None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("progress"))
    def percent_done(self, settlement: SettlementFile) -> str:
        return f"{settlement.percent}%"


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = (
        "file",
        "status",
        "matched",
        "amount_mismatch",
        "reported_not_settled",
        "settled_not_reported",
        "duplicate_in_file",
        "merchant_not_in_file",
        "alerts_created",
        "duration_ms",
        "started_at",
        "links",
    )
    list_filter = ("status", "file__acquirer")
    list_select_related = ("file",)
    search_fields = ("file__original_name",)
    date_hierarchy = "started_at"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/differences.csv",
                self.admin_site.admin_view(self.differences_csv),
                name="transactions_reconciliationrun_csv",
            )
        ]
        return own + super().get_urls()

    @admin.display(description=gettext_lazy("differences"))
    def links(self, run: ReconciliationRun) -> str:
        items = reverse("admin:transactions_reconciliationitem_changelist")
        csv_url = reverse("admin:transactions_reconciliationrun_csv", args=[run.pk])
        return format_html(
            '<a href="{}?run__id__exact={}">{}</a> · <a href="{}">CSV</a>',
            items,
            run.pk,
            run.differences,
            csv_url,
        )

    def differences_csv(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.get_object(request, str(pk))
        if run is None or not self.has_view_permission(request, run):
            from django.http import Http404

            raise Http404
        return stream_csv(
            f"reconciliation-{run.pk}.csv",
            results.csv_header(),
            results.csv_rows(results.differences(run)),
        )


@admin.register(ReconciliationItem)
class ReconciliationItemAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "merchant",
        "day",
        "line_no",
        "tid",
        "rrn",
        "settled_amount",
        "reported_amount",
        "run",
    )
    list_filter = ("kind", "day", ("merchant", admin.RelatedOnlyFieldListFilter), "run")
    search_fields = ("=tid", "=rrn", "merchant__legal_name", "=merchant__mid")
    list_select_related = ("merchant", "run", "run__file")
    raw_id_fields = ("merchant", "line", "report", "run")
    show_full_result_count = False
    actions = ("download_csv",)

    @admin.action(description=gettext_lazy("Download the selected differences as CSV"))
    def download_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return stream_csv(
            "reconciliation-differences.csv", results.csv_header(), results.csv_rows(queryset)
        )
