"""Reporting gap: an active terminal with reporting on that fell silent, or a dormant one that wakes."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext_noop

from merchants.models import Terminal, TerminalStatus
from portal.common.beijing import SHANGHAI
from portal.common.database import one_of
from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec
from transactions.audit.rules.days import local_day
from transactions.models import Report, TerminalDay

CHUNK = 500


def find(ctx: Context) -> list[Finding]:
    return _silent(ctx) + _woken(ctx)


def _silent(ctx: Context) -> list[Finding]:
    hours = int(ctx.params["silent_hours"])
    cutoff = ctx.window_end - timedelta(hours=hours)
    terminals = ctx.scoped(
        Terminal.objects.filter(status=TerminalStatus.ACTIVE, merchant__reporting__enabled=True),
        "merchant_id",
    )
    # First the terminals with no report since the cutoff: one probe of the (terminal,
    # occurred_at) index in the newest month or two only (on PostgreSQL the other monthly
    # partitions are pruned by the constant bound). Then, for those few, the latest report
    # from the end of the same index: one probe a partition, instead of one a partition for
    # every terminal, as "latest report < cutoff" alone would cost.
    # Two statements, as the planner would otherwise read every terminal's latest report first.
    recent = Report.objects.filter(terminal_id=OuterRef("pk"), occurred_at__gte=cutoff)
    quiet = list(terminals.filter(~Exists(recent)).values_list("id", flat=True))
    latest = Report.objects.filter(terminal_id=OuterRef("pk")).order_by("-occurred_at")
    rows = [
        row
        for i in range(0, len(quiet), CHUNK)
        for row in Terminal.objects.filter(pk__in=quiet[i : i + CHUNK])
        .annotate(last=Subquery(latest.values("occurred_at")[:1]))
        .filter(last__lt=cutoff)
        .values("id", "merchant_id", "tid", "last")
    ]
    return [
        Finding(
            key=f"silent:{row['id']}:{row['last'].astimezone(SHANGHAI):%Y%m%d%H%M}",
            merchant_id=row["merchant_id"],
            terminal_id=row["id"],
            message=gettext_noop(
                "Terminal %(tid)s is active with reporting on but has reported nothing since "
                "%(last)s (more than %(hours)s h)."
            ),
            params={
                "tid": row["tid"],
                "last": f"{row['last'].astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
                "hours": str(hours),
            },
        )
        for row in rows
    ]


def _woken(ctx: Context) -> list[Finding]:
    """New reports that come more than dormant_days after their terminal's previous report.

    Each is compared with the report just before it in time, whichever run saw that one, so a
    gap inside one window (a first run looks back weeks) counts as much as a gap across runs.
    """
    dormant = timedelta(days=int(ctx.params["dormant_days"]))
    in_time = [F("occurred_at").asc(), F("id").asc()]
    # First among the window's reports alone: each one's predecessor of the same terminal. Only
    # reports without a recent one there can end a silence (about one a terminal); for those
    # few, the earlier reports are looked up below.
    # So an incremental run reads its window and a few index entries, not weeks of reports.
    candidates = {
        row["id"]: row
        for row in ctx.reports()
        .order_by()
        .annotate(
            prev_at=Window(Lag("occurred_at"), partition_by=[F("terminal_id")], order_by=in_time),
            prev_id=Window(Lag("id"), partition_by=[F("terminal_id")], order_by=in_time),
        )
        .filter(Q(prev_at__isnull=True) | Q(prev_at__lt=F("occurred_at") - dormant))
        .values("id", "merchant_id", "terminal_id", "occurred_at", "prev_at", "prev_id")
    }
    for pk in _active_lately(candidates.values(), dormant):
        del candidates[pk]
    earlier = Report.objects.filter(
        terminal_id=OuterRef("terminal_id"),
        received_at__lte=ctx.window_start,
        occurred_at__lte=OuterRef("occurred_at"),
    ).exclude(occurred_at=OuterRef("occurred_at"), id__gte=OuterRef("id"))
    # An earlier report within the dormancy ends the question at once: a search of the
    # terminal's index over those days only (on PostgreSQL one or two monthly partitions). Only
    # the candidates without one (the terminals that do wake up) look for the report before
    # them among all the earlier ones, which probes every month.
    near = earlier.filter(occurred_at__gte=OuterRef("occurred_at") - dormant)
    latest = earlier.order_by("-occurred_at", "-id")
    ids = sorted(candidates, key=lambda pk: candidates[pk]["occurred_at"])
    gaps = []
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        span = (candidates[chunk[0]]["occurred_at"], candidates[chunk[-1]]["occurred_at"])
        far = Report.objects.filter(pk__in=chunk, occurred_at__range=span).filter(~Exists(near))
        for old in far.annotate(
            old_at=Subquery(latest.values("occurred_at")[:1]),
            old_id=Subquery(latest.values("id")[:1]),
        ).values("id", "old_at", "old_id"):
            row = candidates[old["id"]]
            if old["old_at"] is not None and (
                row["prev_at"] is None
                or (old["old_at"], old["old_id"]) > (row["prev_at"], row["prev_id"])
            ):
                row["prev_at"], row["prev_id"] = old["old_at"], old["old_id"]
            if row["prev_at"] is not None and row["prev_at"] < row["occurred_at"] - dormant:
                gaps.append(row)
    return [
        Finding(
            key=f"woke:{row['terminal_id']}:{row['occurred_at'].astimezone(SHANGHAI):%Y%m%d%H%M}",
            merchant_id=row["merchant_id"],
            terminal_id=row["terminal_id"],
            report_ids=[row["prev_id"], row["id"]],
            message=gettext_noop(
                "The terminal reported again on %(day)s after %(days)s days of silence "
                "(dormant after %(dormant)s days)."
            ),
            params={
                "day": f"{row['occurred_at'].astimezone(SHANGHAI):%Y-%m-%d}",
                "days": str((row["occurred_at"] - row["prev_at"]).days),
                "dormant": str(dormant.days),
            },
        )
        for row in gaps
    ]


def _active_lately(rows: Iterable[dict[str, Any]], dormant: timedelta) -> list[int]:
    """The candidates whose terminal has reports on one of the whole days before theirs that lie
    within the dormancy (read from the daily rollup): none of them can end a silence.

    A report on day D-1 … D-(n-1) (n the dormant days) came less than n days before any report of
    day D, whichever run saw it, and the rollup has a terminal's day only once it has reports.
    Read from the rollup instead of searching the report table for each of them: first the day
    before alone (one day of the rollup: most terminals that report at all reported then), then
    for the terminals that did not, whether they have any day within the dormancy (an index
    probe each, not weeks of rows for every terminal of the window).
    """
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_day[local_day(row["occurred_at"])].append(row)
    whole_days = dormant.days - 1
    found = []
    for day, group in by_day.items():
        if whole_days < 1:
            continue
        terminals = {row["terminal_id"] for row in group}
        yesterday = day - timedelta(days=1)
        active = set(
            TerminalDay.objects.filter(
                one_of("terminal_id", terminals), day=yesterday, reports__gt=0
            ).values_list("terminal_id", flat=True)
        )
        if terminals - active:
            # One probe of the (terminal, day) index per terminal, ending at its first day found.
            since = day - timedelta(days=whole_days)
            reported = TerminalDay.objects.filter(
                terminal_id=OuterRef("pk"), day__gte=since, day__lt=yesterday, reports__gt=0
            )
            active |= set(
                Terminal.objects.order_by()
                .filter(one_of("id", terminals - active))
                .filter(Exists(reported))
                .values_list("id", flat=True)
            )
        found += [row["id"] for row in group if row["terminal_id"] in active]
    return found


RULE = RuleSpec(
    code="reporting_gap",
    name=gettext_noop("Reporting gap"),
    description="Active terminals that stopped reporting, and dormant terminals that start again.",
    severity="medium",
    defaults={"silent_hours": 24, "dormant_days": 30},
    find=find,
    heavy=True,
)
