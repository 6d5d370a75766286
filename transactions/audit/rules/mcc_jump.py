"""MCC jumping (跳码): acquired under an MCC other than the merchant's registered one."""

from django.db.models import F, QuerySet
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec
from transactions.audit.rules.days import local_day, whole_day_groups
from transactions.models import Report


def _matching(reports: QuerySet[Report]) -> QuerySet:
    return reports.exclude(mcc=F("merchant__mcc")).values(
        "id", "merchant_id", "terminal_id", "mcc", "merchant__mcc", "occurred_at"
    )


def find(ctx: Context) -> list[Finding]:
    key = lambda r: (r["terminal_id"], r["mcc"], local_day(r["occurred_at"]))
    findings = []
    for (terminal_id, mcc, day), group in whole_day_groups(
        ctx, _matching, key, owner="terminal_id"
    ).items():
        registered = group[0]["merchant__mcc"]
        findings.append(
            Finding(
                key=f"{terminal_id}:{mcc}:{day}",
                merchant_id=group[0]["merchant_id"],
                terminal_id=terminal_id,
                report_ids=[r["id"] for r in group],
                message=gettext_noop(
                    "MCC %(mcc)s on %(count)s transaction(s) on %(day)s, %(registered)s registered."
                ),
                params={
                    "mcc": mcc,
                    "count": str(len(group)),
                    "day": str(day),
                    "registered": registered,
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="mcc_jump",
    name=gettext_noop("MCC jumping (跳码)"),
    description="Transactions acquired under an MCC other than the merchant's registered one.",
    severity="high",
    defaults={},
    find=find,
)
