"""Business months, Beijing time: the report table's partition bounds.

A month's partition holds the reports that occurred from its first day 00:00 to the next month's
first day 00:00 in Beijing (16:00 UTC the day before): the months people read on the dashboard,
in the audits and the exports, so a month's reports live in one partition.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.utils import timezone

NAME_PREFIX = "transactions_report_p"
_NAME = re.compile(rf"^{NAME_PREFIX}(\d{{4}})_(\d{{2}})$")


def month_of(moment: datetime) -> date:
    """The first day of the Beijing month ``moment`` falls in."""
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's first instant, both Beijing midnight."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(month, time.min, tzinfo=zone)
    return start, datetime.combine(add_months(month, 1), time.min, tzinfo=zone)


def partition_name(month: date) -> str:
    return f"{NAME_PREFIX}{month.year:04d}_{month.month:02d}"


def month_of_name(name: str) -> date | None:
    """The month a partition's table name stands for; None for any other table."""
    match = _NAME.match(name)
    return date(int(match[1]), int(match[2]), 1) if match else None


def parse_month(text: str) -> date:
    """``2026-12`` → 1 December 2026; ValueError for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return date(int(match[1]), int(match[2]), 1)
