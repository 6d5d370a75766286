"""Day-grouped findings that describe the whole day, not only the part of it in the run's window.

A rule such as MCC jumping raises one alert per terminal and day. When a report of a day arrives in
a later run than the day's first ones, the finding must still name and count all of that day's
matching reports, or joining the alert would rewrite its explanation with the newcomers alone.
So the window's matching reports are grouped first; then, for the groups found and only those,
the matching reports received before the window on the same days are read (one indexed query on
the owners and days found, so an incremental run reads a few rows, not the history).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db.models import QuerySet

from portal.common.beijing import SHANGHAI
from transactions.audit.base import Context, grouped
from transactions.models import Report

Row = dict[str, Any]
Key = TypeVar("Key", bound=Hashable)


def local_day(moment: datetime) -> date:
    """The Shanghai calendar day of ``moment`` (the day alerts are grouped by)."""
    return moment.astimezone(SHANGHAI).date()


def local_midnight(moment: datetime) -> datetime:
    """The start of ``moment``'s Shanghai day (an index-friendly bound, unlike ``__date``)."""
    return datetime.combine(local_day(moment), time(), SHANGHAI)


def whole_day_groups(
    ctx: Context,
    matching: Callable[[QuerySet[Report]], QuerySet],
    key: Callable[[Row], Key],
    *,
    owner: str,
    day_field: str = "occurred_at",
) -> dict[Key, list[Row]]:
    """Group the window's matching rows by ``key``, completed with the same day's earlier rows.

    ``matching`` turns a report queryset into the rule's ``values()`` rows (each with ``id``,
    ``owner`` and ``day_field``); ``key`` must include the Shanghai day of ``day_field``. Groups
    without a report in the window are not returned: earlier runs dealt with those.
    """
    groups = grouped(matching(ctx.reports()), key)
    if not groups:
        return {}
    found = [row for group in groups.values() for row in group]
    seen = {row["id"] for row in found}
    moments = [row[day_field] for row in found]
    earlier = ctx.scoped(
        Report.objects.order_by().filter(
            received_at__lte=ctx.window_start,
            **{
                f"{owner}__in": {row[owner] for row in found},
                f"{day_field}__gte": local_midnight(min(moments)),
                f"{day_field}__lt": local_midnight(max(moments)) + timedelta(days=1),
            },
        )
    )
    for row in matching(earlier):
        group = groups.get(key(row))
        if group is not None and row["id"] not in seen:
            group.append(row)
    for group in groups.values():
        group.sort(key=lambda row: (row[day_field], row["id"]))
    return groups
