"""The report table's monthly partitions on PostgreSQL: list, make ahead, detach, attach.

    manage.py report_partitions status
    manage.py report_partitions ensure            # what the beat task does
    manage.py report_partitions create --month 2025-06   # a past month's reports out of default
    manage.py report_partitions detach --cold     # every month older than ARCHIVE_HOT_MONTHS
    manage.py report_partitions detach --month 2024-03
    manage.py report_partitions attach --month 2024-03

Detaching is never automatic: a detached month leaves the report table (docs/partitions.md).
"""

from __future__ import annotations

import getpass
from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from transactions.archive.months import parse_month
from transactions.models import ReportPartitionEvent
from transactions.partitions.selectors import report_partitions, reports_partitioned
from transactions.partitions.services import (
    PartitionError,
    partition_attach,
    partition_create,
    partition_detach,
    partitions_detach_cold,
    partitions_ensure,
)


class Command(BaseCommand):
    help = "List, create, detach (to the archive schema) and attach report partitions."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["status", "ensure", "create", "detach", "attach"])
        parser.add_argument("--month", type=_month, help="YYYY-MM, Beijing time")
        parser.add_argument(
            "--cold", action="store_true", help="detach: every month older than the hot window"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not reports_partitioned():
            raise CommandError("The report table is not partitioned on this database.")
        action, month = options["action"], options["month"]
        actor = f"manage.py ({getpass.getuser()})"
        try:
            if action == "status":
                events: list[ReportPartitionEvent] = []
                for partition in report_partitions():
                    state = "attached" if partition.attached else "archived"
                    self.stdout.write(f"{partition.qualified}\t{state}")
            elif action == "ensure":
                events = partitions_ensure(actor=actor)
            elif action == "detach" and options["cold"]:
                events = partitions_detach_cold(actor=actor)
            elif month is None:
                raise CommandError(f"{action} needs --month YYYY-MM (or --cold for detach).")
            elif action == "create":
                made = partition_create(month=month, actor=actor)
                events = [made] if made is not None else []
            elif action == "detach":
                events = [partition_detach(month=month, actor=actor)]
            else:
                events = [partition_attach(month=month, actor=actor)]
        except PartitionError as error:
            raise CommandError(str(error)) from error
        for event in events:
            self.stdout.write(f"{event.get_action_display()}: {event.table} ({event.rows} rows)")


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except ValueError as error:
        raise ArgumentTypeError(str(error)) from error
