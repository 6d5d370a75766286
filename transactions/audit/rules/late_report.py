"""Late report: received later than the merchant's reporting deadline after it occurred."""

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from merchants.models import DEFAULT_DEADLINE_HOURS
from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec
from transactions.audit.rules.days import local_day, whole_day_groups
from transactions.models import Report
from transactions.models.report import late_q


def find(ctx: Context) -> list[Finding]:
    late = late_q()

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
                message=gettext_noop(
                    "%(count)s report(s) received on %(day)s later than the %(deadline)s h "
                    "deadline; the latest arrived %(hours)s h after the transaction."
                ),
                params={
                    "count": str(len(group)),
                    "day": str(day),
                    "deadline": str(deadline),
                    "hours": f"{worst.total_seconds() / 3600:.1f}",
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="late_report",
    name=gettext_noop("Late report"),
    description="Received later than the merchant's reporting deadline after the transaction.",
    severity="medium",
    defaults={},
    find=find,
)
