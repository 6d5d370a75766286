"""Old reports for the archive's tests: months past the hot window, or past retention."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time
from typing import Any

from portal.common.beijing import SHANGHAI, add_months
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report
from transactions.archive.months import current_month, last_due_month
from transactions.models import Report


def due_month(back: int = 0) -> date:
    """A month past the hot window (``back`` months older than the newest such month)."""
    return add_months(last_due_month(), -back)


def month_with_31_days() -> date:
    """The newest month past the hot window that has a 31st."""
    month = due_month()
    while calendar.monthrange(month.year, month.month)[1] != 31:
        month = add_months(month, -1)
    return month


def expired_month() -> date:
    """A month whose ten years are over (eleven years back)."""
    return add_months(current_month(), -12 * 11)


def local(month: date, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(month.replace(day=day), time(hour, minute, second), tzinfo=SHANGHAI)


def reports_in(month: date, count: int, terminal: Any = None, **fields: Any) -> list[Report]:
    """``count`` reports of ``terminal`` spread over the month's first days."""
    terminal = terminal or reporting_terminal()
    return [
        make_report(terminal, occurred_at=local(month, 1 + i % 27, 10, i % 60), **fields)
        for i in range(count)
    ]
