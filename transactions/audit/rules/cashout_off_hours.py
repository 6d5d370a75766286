"""Cash-out (套现): credit-card sales at hours the merchant is normally closed.

"Normally closed" is learnt from the merchant's own history: hours of the day that carry less
than quiet_share_percent of its transactions over history_days (with at least min_history of them).
"""

from collections.abc import Collection
from datetime import timedelta

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext_noop

from portal.common.beijing import SHANGHAI
from portal.common.database import one_of
from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec
from transactions.audit.rules.days import local_day, whole_day_groups
from transactions.models import HOUR_FIELDS, Report, TerminalDay


def quiet_hours(
    ctx: Context, merchant_ids: list[int], hours: Collection[int] = range(24)
) -> dict[int, set[int]]:
    """Per merchant with enough history, which of ``hours`` are quiet.

    Whole days from the daily totals kept at ingestion: ~30 rows a terminal, not every report.
    A terminal-day's ``reports`` is the sum of its hours, so only the hours asked about are
    summed (an incremental run's window falls in an hour or two, not 24).
    """
    since = ctx.window_end.astimezone(SHANGHAI) - timedelta(days=int(ctx.params["history_days"]))
    names = {hour: HOUR_FIELDS[hour] for hour in hours}
    counts = (
        TerminalDay.objects.filter(one_of("merchant_id", merchant_ids), day__gte=since.date())
        .values("merchant_id")
        .annotate(total=Sum("reports"), **{name: Sum(name) for name in names.values()})
    )
    share = float(ctx.params["quiet_share_percent"]) / 100
    quiet = {}
    for row in counts:
        total = row["total"]
        if total >= int(ctx.params["min_history"]):
            quiet[row["merchant_id"]] = {
                h for h, name in names.items() if row[name] < total * share
            }
    return quiet


def find(ctx: Context) -> list[Finding]:
    hour = ExtractHour("occurred_at", tzinfo=SHANGHAI)
    credit = ctx.reports().filter(method="credit_card", type="sale")
    # order_by(): the model's default ordering would otherwise make DISTINCT one row per report.
    seen = set(credit.annotate(hour=hour).order_by().values_list("merchant_id", "hour").distinct())
    merchants = sorted({merchant_id for merchant_id, _hour in seen})
    quiet_seen = quiet_hours(ctx, merchants, hours={hour for _merchant_id, hour in seen})
    # Only merchants with a window sale at one of their quiet hours can raise; the same day's
    # earlier sales at any of their quiet hours join those. So all of their quiet hours are
    # learnt for these few merchants only, and the reports read with those hours.
    hit = {merchant_id for merchant_id, h in seen if h in quiet_seen.get(merchant_id, ())}
    quiet = quiet_hours(ctx, sorted(hit)) if hit else {}
    # One pass: (merchant, hour) folded into one number, looked up in a hashed IN list, instead
    # of an OR of per-merchant conditions that PostgreSQL evaluates one by one for every row.
    slots = [m * 24 + h for m in sorted(hit) for h in sorted(quiet[m])]
    if not slots:
        return []

    def matching(reports: QuerySet[Report]) -> QuerySet:
        return (
            reports.filter(method="credit_card", type="sale")
            .annotate(hour=hour, slot=F("merchant_id") * 24 + hour)
            .filter(slot__in=slots)
            .values("id", "merchant_id", "hour", "occurred_at")
        )

    # The whole day's after-hours sales, so an alert joined by a later run still counts them all.
    key = lambda r: (r["merchant_id"], local_day(r["occurred_at"]))
    findings = []
    for (merchant_id, day), group in whole_day_groups(
        ctx, matching, key, owner="merchant_id"
    ).items():
        hours = sorted({r["hour"] for r in group})
        findings.append(
            Finding(
                key=f"{merchant_id}:{day}",
                merchant_id=merchant_id,
                report_ids=[r["id"] for r in group],
                message=gettext_noop(
                    "%(count)s credit-card sale(s) on %(day)s at %(hours)s, "
                    "hours when this merchant is normally closed."
                ),
                params={
                    "count": str(len(group)),
                    "day": str(day),
                    "hours": ", ".join(f"{h:02d}:00" for h in hours),
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="cashout_off_hours",
    name=gettext_noop("Cash-out: credit cards after hours (套现)"),
    description="Credit-card sales at hours the merchant is normally closed (learnt from its history).",
    severity="medium",
    defaults={"history_days": 30, "min_history": 200, "quiet_share_percent": 1},
    find=find,
    heavy=True,
)
