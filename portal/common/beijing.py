"""Beijing time: the zone the portal counts its days and months in, and their bounds.

Free of models and settings, so that modules read before Django is set up (the settlement file
mapping, the benchmarks) can use it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The Beijing day as an aware [start, end) pair (index-friendly bounds, unlike ``__date``)."""
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (before, when negative) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_of(moment: datetime) -> date:
    """The first day of the Beijing month ``moment`` (aware) falls in."""
    return moment.astimezone(SHANGHAI).date().replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The Beijing month as an aware [start, end) pair: its first and the next month's first
    midnight (Asia/Shanghai has no summer time, so the bounds are exact)."""
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=SHANGHAI)
    return start, datetime.combine(add_months(month, 1), time.min, tzinfo=SHANGHAI)
