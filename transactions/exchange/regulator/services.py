"""Generating regulator reports: asking for one, building it in a worker, and building one in
place for the shell (``manage.py regulator_report``).

A report is built section by section from the database (``annual.py``, ``risk_list.py``), kept
as JSON on its record with the Excel workbook and the zip of CSV files written from that JSON,
and then kept: a report sent to a regulator is a record, so neither its figures nor its files
expire (unlike a merchant's background export).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from portal.common.locks import worker_claim
from portal.common.queue import enqueue_on_commit
from transactions.exchange.regulator.annual import ANNUAL_SECTIONS
from transactions.exchange.regulator.files import About, write_csv_zip, write_xlsx_report
from transactions.exchange.regulator.periods import Period, period_check
from transactions.exchange.regulator.risk_list import risk_merchants_section
from transactions.exchange.regulator.sections import Section, sections_of
from transactions.exchange.regulator.workflow import REGULATOR_REPORT
from transactions.models import ExportStatus, RegulatorReport, RegulatorReportKind

PERMISSION = "transactions.generate_regulator_report"
LOCK_SPACE = 0x52454752  # "REGR"
FORMATS = ("xlsx", "csv")

SECTIONS: dict[str, list[Callable[[Period], Section]]] = {
    RegulatorReportKind.ANNUAL: ANNUAL_SECTIONS,
    RegulatorReportKind.RISK_MERCHANTS: [risk_merchants_section],
}


def regulator_sections(
    *, kind: str, period: Period, done: Callable[[int], None] | None = None
) -> list[Section]:
    """Every section of a report of ``kind`` over ``period``; ``done(n)`` after each one."""
    sections = []
    for builder in SECTIONS[kind]:
        sections.append(builder(period))
        if done is not None:
            done(len(sections))
    return sections


def about_lines(
    *, kind: str, period: Period, generated_at: datetime, requested_by: str, number: Any
) -> About:
    """What the first sheet says about the report (values in the active language)."""
    return [
        (gettext_noop("Report"), str(RegulatorReportKind(kind).label)),
        (gettext_noop("Period (Beijing dates, both included)"), f"{period.start} – {period.end}"),
        (gettext_noop("Time zone"), settings.TIME_ZONE),
        (gettext_noop("Generated"), timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M:%S")),
        (gettext_noop("Requested by"), requested_by),
        (gettext_noop("Report number"), number),
    ]


def regulator_report_request(*, kind: str, start: date, end: date, actor: Any) -> RegulatorReport:
    """Record a report of ``kind`` for ``start``–``end`` asked by ``actor`` and queue its building.

    Refused (``PermissionDenied``) without *Can generate regulator reports*; a bad period or kind
    raises ``ValidationError`` with the field errors (``periods.period_check``).
    """
    if not (actor and actor.has_perm(PERMISSION)):
        raise PermissionDenied
    period = period_check(kind=kind, start=start, end=end)
    report = RegulatorReport.objects.create(
        kind=kind,
        start=period.start,
        end=period.end,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        requested_by=actor,
        sections_total=len(SECTIONS[kind]),
    )
    enqueue_on_commit("transactions.tasks.export_regulator_report", report.pk)
    return report


def regulator_report_build(*, report_id: int) -> RegulatorReport:
    """Build ``report_id``'s figures and files; safe to run again after a crash.

    A failure is recorded on the report (status *failed*, the error) and raised again for the
    worker's log.
    """
    with worker_claim(LOCK_SPACE, report_id) as claimed:
        report = RegulatorReport.objects.select_related("requested_by").get(pk=report_id)
        if not claimed or report.status == ExportStatus.DONE:
            return report
        REGULATOR_REPORT.apply(report, "start")
        _save(report, started_at=timezone.now(), sections_done=0, error="")
        try:
            with translation.override(report.language):
                _build(report)
        except Exception as exc:
            REGULATOR_REPORT.apply(report, "fail")
            _save(report, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now())
            raise
        REGULATOR_REPORT.apply(report, "finish")
        _save(report)
        return report


def _build(report: RegulatorReport) -> None:
    period = Period(report.start, report.end)
    sections = regulator_sections(
        kind=report.kind, period=period, done=lambda n: _save(report, sections_done=n)
    )
    report.figures = {"sections": [section.as_json() for section in sections]}
    report.finished_at = timezone.now()
    about = regulator_report_about(report)
    stem = f"regulator-{report.kind}-{report.start:%Y%m%d}-{report.end:%Y%m%d}-{report.pk}"
    for fmt, field in (("xlsx", report.xlsx_file), ("csv", report.csv_file)):
        with tempfile.TemporaryFile() as out:
            regulator_report_write(out, fmt=fmt, about=about, sections=sections)
            out.seek(0)
            field.save(f"{stem}.{'xlsx' if fmt == 'xlsx' else 'zip'}", File(out), save=False)
    _save(report)


def regulator_report_about(report: RegulatorReport) -> About:
    return about_lines(
        kind=report.kind,
        period=Period(report.start, report.end),
        generated_at=report.finished_at or report.created_at,
        requested_by=report.requested_by.get_username() if report.requested_by else "",
        number=report.pk,
    )


def regulator_report_write(
    out: IO[bytes], *, fmt: str, about: About, sections: Sequence[Section]
) -> None:
    """Write ``sections`` as ``fmt``: ``xlsx`` (a workbook) or ``csv`` (a zip of CSV files)."""
    if fmt == "xlsx":
        write_xlsx_report(out, about=about, sections=sections)
    elif fmt == "csv":
        write_csv_zip(out, about=about, sections=sections)
    else:
        raise ValueError(f"Unknown format {fmt!r}; one of {', '.join(FORMATS)}.")


def regulator_report_sections(report: RegulatorReport) -> list[Section]:
    """The sections of a built report, as stored."""
    return sections_of(report.figures)


def _save(report: RegulatorReport, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(
        update_fields=[
            "status",
            "sections_done",
            "figures",
            "xlsx_file",
            "csv_file",
            "error",
            "started_at",
            "finished_at",
        ]
    )
