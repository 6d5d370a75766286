"""The names of the report table's partitions, one per Beijing month.

A month's partition holds the reports that occurred from its first day 00:00 to the next month's
first day 00:00 in Beijing (16:00 UTC the day before; ``month_bounds`` in
``portal/common/beijing.py``): the months people read on the dashboard, in the audits and the
exports, so a month's reports live in one partition.
"""

from __future__ import annotations

import re
from datetime import date

NAME_PREFIX = "transactions_report_p"
_NAME = re.compile(rf"^{NAME_PREFIX}(\d{{4}})_(\d{{2}})$")


def partition_name(month: date) -> str:
    return f"{NAME_PREFIX}{month.year:04d}_{month.month:02d}"


def month_of_name(name: str) -> date | None:
    """The month a partition's table name stands for; None for any other table."""
    match = _NAME.match(name)
    return date(int(match[1]), int(match[2]), 1) if match else None
