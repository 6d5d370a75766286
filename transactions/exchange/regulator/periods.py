"""The period a regulator report covers, and what periods may be asked for.

A period is two Beijing dates, both included; it is counted in the database as the aware
``[start 00:00, day after end 00:00)`` Asia/Shanghai pair, so a report at 23:30 on the last day
is in and one at 00:10 the next day is out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.common.beijing import SHANGHAI, day_bounds
from transactions.models import RegulatorReportKind

# The longest period of each kind, in days (both ends included): a year, leap years too.
MAX_DAYS = {RegulatorReportKind.ANNUAL: 366, RegulatorReportKind.RISK_MERCHANTS: 366}


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def since(self) -> datetime:
        """The first instant of the period (Beijing midnight of ``start``), aware."""
        return day_bounds(self.start)[0]

    @property
    def until(self) -> datetime:
        """The first instant after the period (Beijing midnight after ``end``), aware."""
        return day_bounds(self.end)[1]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def beijing_today() -> date:
    return timezone.now().astimezone(SHANGHAI).date()


def period_check(*, kind: str, start: date, end: date, today: date | None = None) -> Period:
    """The period of a report of ``kind``, or ValidationError with every field error at once.

    Refused: an unknown kind, a start after the end, an end after today (Beijing), a period
    longer than the kind's ``MAX_DAYS``.
    """
    today = today or beijing_today()
    errors: dict[str, list[ValidationError]] = {}
    if kind not in RegulatorReportKind.values:
        errors.setdefault("kind", []).append(
            ValidationError(_("Unknown report kind “%(kind)s”."), params={"kind": kind})
        )
    if start > end:
        errors.setdefault("end", []).append(
            ValidationError(_("The end of the period is before its start."), code="reversed")
        )
    if end > today:
        errors.setdefault("end", []).append(
            ValidationError(
                _("The period cannot end after today (%(today)s)."),
                code="future",
                params={"today": today.isoformat()},
            )
        )
    longest = MAX_DAYS.get(kind)  # type: ignore[call-overload]
    if longest is not None and start <= end and (end - start).days + 1 > longest:
        errors.setdefault("end", []).append(
            ValidationError(
                _("A period of this kind is at most %(days)s days."),
                code="too_long",
                params={"days": longest},
            )
        )
    if errors:
        raise ValidationError(errors)
    return Period(start, end)
