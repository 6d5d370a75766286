"""Upheld complaints: a merchant whose cardholders were proved right several times lately.

Counts complaints upheld in the ``days`` before the run's end, per merchant. One alert per merchant
per ``days``-long period (the key names the period), so re-runs add to it instead of raising more.
"""

from datetime import timedelta

from django.db.models import Count
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec
from transactions.models import Complaint, ComplaintStatus


def find(ctx: Context) -> list[Finding]:
    days, minimum = int(ctx.params["days"]), int(ctx.params["min_upheld"])
    since = ctx.window_end - timedelta(days=days)
    upheld = ctx.scoped(
        Complaint.objects.filter(
            status=ComplaintStatus.UPHELD, resolved_at__gt=since, resolved_at__lte=ctx.window_end
        )
    ).order_by()
    counts = upheld.values("merchant_id").annotate(n=Count("id")).filter(n__gte=minimum).order_by()
    flagged = {row["merchant_id"]: row["n"] for row in counts}
    if not flagged:
        return []
    reports: dict[int, list[int]] = {}
    for merchant_id, report_id in upheld.filter(merchant_id__in=flagged).values_list(
        "merchant_id", "report_id"
    ):
        reports.setdefault(merchant_id, []).append(report_id)
    period = ctx.window_end.date().toordinal() // days
    return [
        Finding(
            key=f"{merchant_id}:{days}d:{period}",
            merchant_id=merchant_id,
            report_ids=reports[merchant_id],
            message=gettext_noop(
                "%(count)s complaints upheld in the last %(days)s days (threshold %(minimum)s)."
            ),
            params={"count": n, "days": days, "minimum": minimum},
        )
        for merchant_id, n in flagged.items()
    ]


RULE = RuleSpec(
    code="complaints_upheld",
    name=gettext_noop("Many upheld complaints"),
    description="A merchant with several cardholder complaints upheld within a few weeks.",
    severity="high",
    defaults={"min_upheld": 3, "days": 30},
    find=find,
)
