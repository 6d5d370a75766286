"""The merchant's reports: the filtered list and its exports, one report, and manual entry."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.members.access import merchant_required
from portal.common.downloads import private_download
from portal.common.exports import stream_csv, stream_xlsx
from portal.common.replicas import reads_from_replica
from transactions.ingest.forms import ManualReportForm
from transactions.ingest.manual import report_enter_manually
from transactions.models import Report, ReportExport
from transactions.reports.amendments import report_amend
from transactions.reports.archived import archived_reports
from transactions.reports.background import export_in_background, report_export_request
from transactions.reports.exports import report_export_header, report_export_rows
from transactions.reports.filters import (
    ReportFilterForm,
    ReportFilters,
    reports_filtered,
    rollup_total,
)
from transactions.reports.forms import AmendmentForm
from transactions.reports.pages import BadCursor, ReportPage, report_page
from transactions.reports.selectors import active_holds_for_report, reports_with_hold
from transactions.reports.status import report_alerts, report_reconciliation, report_screening

# Maps errors of wire fields to the form fields that produced them.
FORM_FIELD = {"masked_pan": "card_last4", "occurred_at": "occurred_at", "amount": "amount"}


def _filters(request: HttpRequest) -> tuple[ReportFilterForm, ReportFilters | None]:
    """The bound filter form and, when it is valid, the filters it says (None when not)."""
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    form = ReportFilterForm(request.GET, merchant=merchant)
    return form, ReportFilters.from_form(form) if form.is_valid() else None


@merchant_required()
@reads_from_replica
def report_list(request: HttpRequest) -> HttpResponse:
    """Filtered, sorted, keyset-paged; bad filters or a bad cursor are shown, with no rows (400)."""
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    form, filters = _filters(request)
    page, total, cursor_error, archived = ReportPage(reports=[]), None, "", None
    if filters is not None:
        archived = archived_reports(merchant=merchant, filters=filters)
        reports = reports_with_hold(
            reports_filtered(merchant=merchant, filters=filters).select_related("terminal")
        )
        try:
            page = report_page(reports, sort=filters.sort, cursor=request.GET.get("cursor", ""))
        except BadCursor:
            cursor_error = _(
                "This page link is not valid (it was changed, or made for another sort order). "
                "Start again from the first page."
            )
        total = rollup_total(merchant=merchant, filters=filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    status = 400 if filters is None or cursor_error else 200
    return render(
        request,
        "transactions/report_list.html",
        {
            "form": form,
            "page": page,
            "total": total,
            "cursor_error": cursor_error,
            "query": query.urlencode(),
            "archived": archived,
            "archive_not_asked": bool(filters and filters.archived and archived is None),
        },
        status=status,
    )


def _export_filename(extension: str) -> str:
    return f"reports-{timezone.localtime():%Y%m%d-%H%M%S}.{extension}"


def _export(request: HttpRequest, *, extension: str) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    form, filters = _filters(request)
    if filters is None:
        return render(
            request,
            "transactions/report_list.html",
            {"form": form, "page": ReportPage(reports=[]), "query": ""},
            status=400,
        )
    reports = reports_filtered(merchant=merchant, filters=filters)
    header = report_export_header()
    if extension == "csv":
        rows = report_export_rows(reports, merchant=merchant, time_as_text=True)
        return stream_csv(_export_filename("csv"), header, rows)
    row_count = reports.count()
    if export_in_background(row_count=row_count):
        export = report_export_request(
            merchant=merchant,
            actor=request.user,
            query=request.GET.urlencode(),
            row_count=row_count,
        )
        messages.info(
            request,
            _("%(rows)s rows are too many to build at once: the workbook is being prepared here.")
            % {"rows": f"{row_count:,}"},
        )
        return redirect("transactions:report_export_detail", pk=export.pk)
    rows = report_export_rows(reports, merchant=merchant, time_as_text=False)
    return stream_xlsx(_export_filename("xlsx"), header, rows, sheet=_("Reports"))


@merchant_required()
@reads_from_replica
def report_export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list (all pages) as CSV, streamed."""
    return _export(request, extension="csv")


@merchant_required()
@reads_from_replica
def report_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list (all pages) as an Excel workbook, built on disk and streamed; a big one
    is built by a worker and followed on its own page (``background.py``)."""
    return _export(request, extension="xlsx")


@merchant_required()
def report_export_list(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    exports = ReportExport.objects.filter(merchant=merchant).select_related("requested_by")[:50]
    return render(
        request,
        "transactions/report_exports.html",
        {
            "exports": exports,
            "export_rows": f"{settings.EXPORT_BACKGROUND_ROWS:,}",
            "keep_hours": settings.EXPORT_KEEP_HOURS,
        },
    )


@merchant_required()
def report_export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    # htmx polls the progress partial every second until the workbook is finished.
    template = (
        "transactions/partials/export_progress.html"
        if request.htmx  # type: ignore[attr-defined]
        else "transactions/report_export.html"
    )
    return render(request, template, {"export": export})


@merchant_required()
def report_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    if not export.downloadable:
        return render(request, "transactions/report_export.html", {"export": export}, status=410)
    return private_download(
        export.file, filename=export.file.name.rsplit("/", 1)[-1], as_attachment=True
    )


def _own_export(request: HttpRequest, pk: int) -> ReportExport:
    return get_object_or_404(ReportExport, pk=pk, merchant=request.membership.merchant)  # type: ignore[attr-defined]


@merchant_required()
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    report = get_object_or_404(
        Report.objects.select_related("terminal"), pk=pk, merchant=membership.merchant
    )
    form = AmendmentForm(request.POST or None) if membership.can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                report_amend(
                    report=report,
                    actor=request.user,
                    reason=data["reason"],
                    changes={data["field"]: data["value"]},
                )
            except ValidationError as exc:
                target = "reason" if "reason" in exc.message_dict else "value"
                for field_messages in exc.message_dict.values():
                    for message in field_messages:
                        form.add_error(target, message)
            else:
                messages.success(request, _("Correction recorded."))
                return redirect("transactions:report_detail", pk=report.pk)
    holds = list(active_holds_for_report(report=report))
    return render(
        request,
        "transactions/report_detail.html",
        {
            "report": report,
            "amendments": report.amendments.select_related("created_by"),
            "holds": holds,
            "screening": report_screening(report=report, holds=holds),
            "alerts": report_alerts(report=report),
            "reconciliation": report_reconciliation(report=report),
            "form": form,
        },
    )


@merchant_required(edit=True)
def report_new(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    form = ManualReportForm(request.POST or None, merchant=merchant)
    if request.method == "POST" and form.is_valid():
        try:
            report, errors = report_enter_manually(
                merchant=merchant,
                terminal=form.cleaned_data["terminal"],
                raw=form.wire_report(merchant),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if report is not None:
                messages.success(request, _("Report stored."))
                return redirect("transactions:report_detail", pk=report.pk)
            for field, field_errors in errors.items():
                target = field if field in form.fields else FORM_FIELD.get(field)
                for error in field_errors:
                    form.add_error(target, str(error))
    return render(request, "transactions/report_new.html", {"form": form})
