"""Terminal relocation (移机): used far from its registered place, or in two far places at once."""

from datetime import timedelta

from django.db.models import F, Max, Min, QuerySet, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec
from transactions.audit.rules.days import local_day, whole_day_groups
from transactions.audit.rules.geo import distance_km, haversine_km, maybe_farther
from transactions.models import Report


def find(ctx: Context) -> list[Finding]:
    return _far_from_home(ctx) + _impossible_travel(ctx)


def _far_from_home(ctx: Context) -> list[Finding]:
    max_km = float(ctx.params["max_km"])

    def matching(reports: QuerySet[Report]) -> QuerySet:
        return (
            reports.order_by()
            .filter(lat__isnull=False)
            .filter(
                maybe_farther("lat", "lng", "terminal__latitude", "terminal__longitude", max_km)
            )
            .annotate(km=distance_km("lat", "lng", "terminal__latitude", "terminal__longitude"))
            .filter(km__gt=max_km)
            .values("id", "merchant_id", "terminal_id", "km", "occurred_at")
        )

    key = lambda r: (r["terminal_id"], local_day(r["occurred_at"]))
    findings = []
    for (terminal_id, day), group in whole_day_groups(
        ctx, matching, key, owner="terminal_id"
    ).items():
        findings.append(
            Finding(
                key=f"away:{terminal_id}:{day}",
                merchant_id=group[0]["merchant_id"],
                terminal_id=terminal_id,
                report_ids=[r["id"] for r in group],
                message=gettext_noop(
                    "%(count)s transaction(s) on %(day)s up to %(km)s km "
                    "from the terminal's registered location (limit %(limit)s km)."
                ),
                params={
                    "count": str(len(group)),
                    "day": str(day),
                    "km": f"{max(r['km'] for r in group):.1f}",
                    "limit": f"{max_km:g}",
                },
            )
        )
    return findings


def _impossible_travel(ctx: Context) -> list[Finding]:
    """Consecutive transactions of one terminal farther apart than travel_km within travel_minutes."""
    travel_km, minutes = float(ctx.params["travel_km"]), int(ctx.params["travel_minutes"])
    located = ctx.reports().filter(lat__isnull=False)
    terminals = located.values("terminal_id").distinct()
    # Bounded by when the new reports happened, not when they arrived: a report uploaded hours
    # late is still compared with its neighbours in time, whichever run saw those.
    span = located.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    if span["first"] is None:
        return []
    reach = timedelta(minutes=minutes)
    # id breaks ties, so equal times pair up the same way on every run (stable finding keys).
    in_time = [F("occurred_at").asc(), F("id").asc()]
    by_terminal = Window(partition_by=[F("terminal_id")], order_by=in_time, expression=Lag("lat"))
    rows = (
        Report.objects.order_by()  # no sort of every row by the model's default ordering
        .filter(
            terminal_id__in=terminals,
            lat__isnull=False,
            occurred_at__gte=span["first"] - reach,
            occurred_at__lte=span["last"] + reach,
            received_at__lte=ctx.window_end,
        )
        .annotate(
            prev_lat=by_terminal,
            prev_lng=Window(
                partition_by=[F("terminal_id")],
                order_by=in_time,
                expression=Lag("lng"),
            ),
            prev_at=Window(
                partition_by=[F("terminal_id")],
                order_by=in_time,
                expression=Lag("occurred_at"),
            ),
            prev_id=Window(
                partition_by=[F("terminal_id")],
                order_by=in_time,
                expression=Lag("id"),
            ),
        )
        .filter(prev_at__gte=F("occurred_at") - reach)
        # The database keeps the pairs close in time and not obviously close in space; the exact
        # distance of those few is worked out here (as an annotation it would be computed for
        # every row, before the filter).
        .filter(maybe_farther("lat", "lng", "prev_lat", "prev_lng", travel_km))
        .values(
            "id",
            "prev_id",
            "merchant_id",
            "terminal_id",
            "lat",
            "lng",
            "prev_lat",
            "prev_lng",
            "occurred_at",
            "prev_at",
        )
    )
    findings = []
    for row in rows:
        coordinates = (row["lat"], row["lng"], row["prev_lat"], row["prev_lng"])
        row["km"] = haversine_km(*map(float, coordinates))
        if row["km"] <= travel_km or row["occurred_at"] - row["prev_at"] > reach:
            continue
        gap = (row["occurred_at"] - row["prev_at"]).total_seconds() / 60
        findings.append(
            Finding(
                key=f"travel:{row['terminal_id']}:{row['id']}",
                merchant_id=row["merchant_id"],
                terminal_id=row["terminal_id"],
                report_ids=[row["prev_id"], row["id"]],
                message=gettext_noop(
                    "Two transactions %(km)s km apart within %(minutes)s minutes "
                    "(limit %(limit_km)s km in %(limit_minutes)s min)."
                ),
                params={
                    "km": f"{row['km']:.0f}",
                    "minutes": f"{gap:.0f}",
                    "limit_km": f"{travel_km:g}",
                    "limit_minutes": str(minutes),
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="relocation",
    name=gettext_noop("Terminal relocation (移机)"),
    description="A terminal used far from its registered location, or in far-apart places within a short time.",
    severity="high",
    defaults={"max_km": 5, "travel_km": 50, "travel_minutes": 30},
    find=find,
    heavy=True,
)
