"""``manage.py read_archive --month 2024-09 [--merchant MID|id] [--rrn RRN]``: archived rows as CSV.

The files are checked (SHA-256, rows) before they are read; a file that fails is reported, its
month marked damaged and the compliance leads told, and nothing of it is printed.
"""

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from merchants.models import Merchant
from transactions.archive.months import MonthError, parse_month
from transactions.archive.schema import SCHEMA
from transactions.archive.selectors import ArchiveUnreadable, archive_read


def _merchant(text: str) -> Merchant:
    merchant = Merchant.objects.filter(mid=text).first()
    if merchant is None and text.isdigit() and len(text) < 15:
        merchant = Merchant.objects.filter(pk=int(text)).first()
    if merchant is None:
        raise CommandError(f"No merchant with the MID or id “{text}”.")
    return merchant


class Command(BaseCommand):
    help = "Print an archived month's reports as CSV (optionally one merchant's, one RRN)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="The Beijing month, as YYYY-MM.")
        parser.add_argument("--merchant", default="", help="The merchant's MID or id.")
        parser.add_argument("--rrn", default="", help="Only the reports with this RRN.")

    def handle(self, *args: object, month: str, merchant: str, rrn: str, **options: Any) -> None:
        try:
            first_day = parse_month(month)
        except MonthError as exc:
            raise CommandError(str(exc)) from exc
        if rrn and not (rrn.isalnum() and len(rrn) <= 12):
            raise CommandError("An RRN is up to 12 letters and digits.")
        writer = csv.writer(self.stdout)
        writer.writerow(SCHEMA.names)
        count = 0
        try:
            for row in archive_read(
                month=first_day, merchant=_merchant(merchant) if merchant else None, rrn=rrn
            ):
                writer.writerow(
                    ""
                    if row[name] is None
                    else (row[name].isoformat() if name.endswith("_at") else row[name])
                    for name in SCHEMA.names
                )
                count += 1
        except ArchiveUnreadable as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"{count} row(s).")
