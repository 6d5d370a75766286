"""``manage.py regulator_report --kind annual --start 2026-01-01 --end 2026-12-31 --out PATH``

Builds a regulator report in this process, from the database as it stands, and writes it to
``PATH`` (``--format xlsx``, the default, or ``csv``: a zip of CSV files), to reproduce or check
a report without going through admin. Nothing is recorded: admin's reports are the records.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from transactions.exchange.regulator.periods import period_check
from transactions.exchange.regulator.services import (
    FORMATS,
    about_lines,
    regulator_report_write,
    regulator_sections,
)
from transactions.models import RegulatorReportKind


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "Build a regulator report for a period and write it to a file (nothing is recorded)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, help=", ".join(RegulatorReportKind.values))
        parser.add_argument("--start", required=True, help="first Beijing date, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="last Beijing date, YYYY-MM-DD")
        parser.add_argument("--format", choices=FORMATS, default="xlsx", dest="fmt")
        parser.add_argument("--out", required=True, type=Path, help="the file to write")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="the language of the values (headers are in both languages)",
        )

    def handle(self, *args: object, **options: object) -> None:
        kind = str(options["kind"])
        try:
            period = period_check(
                kind=kind, start=_day(str(options["start"])), end=_day(str(options["end"]))
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        out: Path = options["out"]  # type: ignore[assignment]
        with translation.override(str(options["language"])):
            sections = regulator_sections(kind=kind, period=period)
            about = about_lines(
                kind=kind,
                period=period,
                generated_at=timezone.now(),
                requested_by="manage.py regulator_report",
                number="—",
            )
            with out.open("wb") as handle:
                regulator_report_write(
                    handle, fmt=str(options["fmt"]), about=about, sections=sections
                )
        for section in sections:
            rows = "no data for this period" if section.is_empty else f"{len(section.rows)} row(s)"
            self.stdout.write(f"  {section.code:<20} {rows}")
        self.stdout.write(self.style.SUCCESS(f"Written to {out} ({period.start} – {period.end})."))
