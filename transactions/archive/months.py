"""Beijing months: parsing ``YYYY-MM``, their bounds, the hot window and the retention period.

A month is local: 2026-03 runs from 2026-03-01 00:00 +08:00 to 2026-04-01 00:00 +08:00. Reports
are chosen by ``occurred_at`` in that range, which works on the plain table and on one
partitioned by month alike.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.common.beijing import add_months, month_bounds, month_of

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthError(ValueError):
    """A month that cannot be archived (its text, or when it is); the message says why."""


def current_month(now: datetime | None = None) -> date:
    return month_of(now or timezone.now())


def last_due_month(now: datetime | None = None) -> date:
    """The newest month old enough to archive: the current month and ARCHIVE_HOT_MONTHS full
    months before it are the hot window."""
    return add_months(current_month(now), -settings.ARCHIVE_HOT_MONTHS - 1)


def month_expired(month: date, now: datetime | None = None) -> bool:
    """True once RETENTION_YEARS have passed since the month ended."""
    _start, end = month_bounds(month)
    expires = end.replace(year=end.year + settings.RETENTION_YEARS)
    return expires <= (now or timezone.now())


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day; refuses other text with a message that says how."""
    match = MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise MonthError(
            _("Give the month as YYYY-MM, for example 2024-09 (got “%(text)s”).") % {"text": text}
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def archivable_month(text: str, now: datetime | None = None) -> date:
    """The month named by ``text`` when it may be archived now, else :class:`MonthError`."""
    month = parse_month(text)
    if month > current_month(now):
        raise MonthError(_("%(month)s is in the future.") % {"month": f"{month:%Y-%m}"})
    last = last_due_month(now)
    if month > last:
        raise MonthError(
            _(
                "%(month)s is inside the hot window (the current month and the %(hot)d months "
                "before it stay in the database); the newest month that can be archived is "
                "%(last)s."
            )
            % {
                "month": f"{month:%Y-%m}",
                "hot": settings.ARCHIVE_HOT_MONTHS,
                "last": f"{last:%Y-%m}",
            }
        )
    return month
