"""Late report: received later than the merchant's reporting deadline after it occurred."""

from datetime import timedelta

from django.db.models import F, Q, QuerySet

from merchants.models import ReportingSettings

from ...models import Report
from ..base import Context, Finding, RuleSpec
from .days import local_day, whole_day_groups

DEFAULT_DEADLINE_HOURS = 24


def find(ctx: Context) -> list[Finding]:
    deadlines = set(ReportingSettings.objects.values_list("deadline_hours", flat=True))
    late = Q(
        merchant__reporting__isnull=True,
        received_at__gt=F("occurred_at") + timedelta(hours=DEFAULT_DEADLINE_HOURS),
    )
    for hours in deadlines:
        late |= Q(
            merchant__reporting__deadline_hours=hours,
            received_at__gt=F("occurred_at") + timedelta(hours=hours),
        )

    def matching(reports: QuerySet[Report]) -> QuerySet:
        return reports.filter(late).values(
            "id", "merchant_id", "occurred_at", "received_at", "merchant__reporting__deadline_hours"
        )

    # Grouped by the day of arrival: a late upload is one event, whenever its sales happened.
    key = lambda r: (r["merchant_id"], local_day(r["received_at"]))
    findings = []
    for (merchant_id, day), group in whole_day_groups(
        ctx, matching, key, owner="merchant_id", day_field="received_at"
    ).items():
        deadline = group[0]["merchant__reporting__deadline_hours"] or DEFAULT_DEADLINE_HOURS
        worst = max(r["received_at"] - r["occurred_at"] for r in group)
        findings.append(
            Finding(
                key=f"{merchant_id}:{day}",
                merchant_id=merchant_id,
                report_ids=[r["id"] for r in group],
                explanation=(
                    f"{len(group)} report(s) received on {day} later than the {deadline} h deadline; "
                    f"the latest arrived {worst.total_seconds() / 3600:.1f} h after the transaction."
                ),
            )
        )
    return findings


RULE = RuleSpec(
    code="late_report",
    name="Late report",
    description="Received later than the merchant's reporting deadline after the transaction.",
    severity="medium",
    defaults={},
    find=find,
)
