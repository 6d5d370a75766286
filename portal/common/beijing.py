"""Beijing time: the zone the portal counts its days in, and a day's bounds.

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
