"""Excel exports too big to build while the browser waits: a worker builds them, the page follows.

An Excel export of more than ``settings.EXPORT_BACKGROUND_ROWS`` reports (CSV always streams: it
costs the server nothing to send row by row) is recorded as a ``ReportExport`` and built by a
Celery task on the ``export`` queue, with its progress on the merchant's exports page. The file is
kept in the private media storage until ``expires_at`` (``settings.EXPORT_KEEP_HOURS``), served only
to members of the same merchant, then deleted by a beat task.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from merchants.models import Merchant
from portal.common.exports import write_xlsx
from portal.common.locks import worker_claim
from portal.common.queue import enqueue_on_commit
from transactions.models import ExportStatus, ReportExport
from transactions.reports.exports import report_export_header, report_export_rows
from transactions.reports.filters import ReportFilterForm, ReportFilters, reports_filtered
from transactions.reports.workflow import EXPORT

EXPORT_LOCK_SPACE = 0x45585054  # "EXPT"
# Progress is written every this many rows: one small UPDATE per step, not per row.
PROGRESS_EVERY = 10_000


def export_in_background(*, row_count: int) -> bool:
    """Whether an Excel export of ``row_count`` rows is built by a worker rather than at once."""
    return row_count > settings.EXPORT_BACKGROUND_ROWS


def report_export_request(
    *, merchant: Merchant, actor: Any, query: str, row_count: int
) -> ReportExport:
    """Record a background export of the list ``query`` filters, and queue its building."""
    export = ReportExport.objects.create(
        merchant=merchant,
        requested_by=actor,
        query=query,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        total_rows=row_count,
    )
    enqueue_on_commit("transactions.tasks.export_reports", export.pk)
    return export


def report_export_build(*, export_id: int) -> ReportExport:
    """Build the workbook of ``export_id``, with progress; safe to run again after a crash."""
    with worker_claim(EXPORT_LOCK_SPACE, export_id) as claimed:
        export = ReportExport.objects.select_related("merchant").get(pk=export_id)
        if not claimed or export.status == ExportStatus.DONE:
            return export
        EXPORT.apply(export, "start")
        _save(export, written_rows=0, error="")
        with translation.override(export.language):
            try:
                _build(export)
            except _FiltersChanged as problem:
                EXPORT.apply(export, "fail")
                _save(export, error=str(problem), finished_at=timezone.now())
                return export
        EXPORT.apply(export, "finish")
        now = timezone.now()
        _save(
            export,
            finished_at=now,
            expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
            total_rows=export.written_rows,
        )
        return export


class _FiltersChanged(Exception):
    """The saved filters no longer read (e.g. a terminal in them was removed)."""


def _filters(export: ReportExport) -> ReportFilters:
    form = ReportFilterForm(QueryDict(export.query), merchant=export.merchant)
    if not form.is_valid():
        raise _FiltersChanged(_("The filters of this export are no longer valid; export again."))
    return ReportFilters.from_form(form)


def _build(export: ReportExport) -> None:
    reports = reports_filtered(merchant=export.merchant, filters=_filters(export))
    rows = report_export_rows(reports, merchant=export.merchant, time_as_text=False)
    with tempfile.TemporaryFile(suffix=".xlsx") as out:
        write_xlsx(out, report_export_header(), _counted(export, rows), sheet=_("Reports"))
        out.seek(0)
        name = f"reports-{timezone.localtime(export.created_at):%Y%m%d-%H%M%S}-{export.pk}.xlsx"
        export.file.save(name, File(out), save=False)
    _save(export)


def _counted(export: ReportExport, rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    written = 0
    for row in rows:
        yield row
        written += 1
        if written % PROGRESS_EVERY == 0:
            _save(export, written_rows=written)
    export.written_rows = written


def _save(export: ReportExport, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(export, name, value)
    export.save(
        update_fields=[
            "status",
            "total_rows",
            "written_rows",
            "file",
            "error",
            "finished_at",
            "expires_at",
        ]
    )


def report_exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of exports past their time (the rows stay, saying they expired)."""
    now = now or timezone.now()
    expired = ReportExport.objects.filter(expires_at__lte=now).exclude(file="")
    count = 0
    for export in expired.iterator():
        export.file.delete(save=False)
        export.save(update_fields=["file"])
        count += 1
    return count
