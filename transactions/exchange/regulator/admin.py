"""Regulator reports in admin: leads ask for one (kind, period), follow it, read its figures and
download its files. Reports are records: never edited, never deleted, never expired."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.downloads import private_download
from transactions.exchange.regulator.forms import RegulatorReportForm
from transactions.exchange.regulator.sections import NO_DATA, Section, rendered_rows
from transactions.exchange.regulator.services import (
    PERMISSION,
    regulator_report_request,
    regulator_report_sections,
)
from transactions.models import ExportStatus, RegulatorReport

DETAIL_FIELDS = (
    "kind",
    "start",
    "end",
    "status",
    "progress",
    "requested_by",
    "created_at",
    "started_at",
    "finished_at",
    "error",
    "downloads",
    "figures_tables",
)


@admin.register(RegulatorReport)
class RegulatorReportAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "start",
        "end",
        "status",
        "progress",
        "requested_by",
        "created_at",
        "downloads",
    )
    list_filter = ("kind", "status")
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = RegulatorReportForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return DETAIL_FIELDS if obj is not None else ("kind", "start", "end")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return DETAIL_FIELDS if obj is not None else ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PERMISSION)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        created = regulator_report_request(
            kind=form.cleaned_data["kind"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            actor=request.user,
        )
        obj.__dict__.update(created.__dict__)
        messages.info(request, _("The report is being generated; this page shows its progress."))

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        url = reverse("admin:transactions_regulatorreport_change", args=[obj.pk])
        return HttpResponseRedirect(url)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/download/<str:fmt>/",
                self.admin_site.admin_view(self.download),
                name="transactions_regulatorreport_download",
            ),
            *super().get_urls(),
        ]

    def download(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        report = RegulatorReport.objects.filter(pk=pk).first()
        if report is None:
            raise Http404
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        stored = {"xlsx": report.xlsx_file, "csv": report.csv_file}.get(fmt)
        if stored is None or not stored:
            raise Http404
        return private_download(stored, filename=stored.name.rsplit("/", 1)[-1], as_attachment=True)

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, report: RegulatorReport) -> str:
        return _("%(done)s of %(total)s sections (%(percent)s%%)") % {
            "done": report.sections_done
            if report.status != ExportStatus.DONE
            else report.sections_total,
            "total": report.sections_total,
            "percent": report.percent,
        }

    @admin.display(description=gettext_lazy("files"))
    def downloads(self, report: RegulatorReport) -> str:
        links = [
            (reverse("admin:transactions_regulatorreport_download", args=[report.pk, fmt]), label)
            for fmt, label, stored in (
                ("xlsx", _("Excel"), report.xlsx_file),
                ("csv", _("CSV (zip)"), report.csv_file),
            )
            if stored
        ]
        if not links:
            return "—"
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description=gettext_lazy("figures"))
    def figures_tables(self, report: RegulatorReport) -> str:
        sections = regulator_report_sections(report)
        if not sections:
            return "—"
        return format_html_join("", "{}", ((_section_table(s),) for s in sections))


def _section_table(section: Section) -> str:
    title = format_html("<h3>{}</h3>", _(section.title))
    if section.is_empty:
        return format_html("{}<p>{}</p>", title, _(NO_DATA))
    head = format_html_join("", "<th>{}</th>", ((_(c.label),) for c in section.columns))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (format_html_join("", "<td>{}</td>", ((value,) for value in row)),)
            for row in rendered_rows(section)
        ),
    )
    return format_html(
        "{}<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", title, head, body
    )
