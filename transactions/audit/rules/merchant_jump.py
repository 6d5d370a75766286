"""Merchant jumping (跳商户): acquired under a MID or TID other than the terminal's own."""

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec
from transactions.audit.rules.days import local_day, whole_day_groups
from transactions.models import Report


def _matching(reports: QuerySet[Report]) -> QuerySet:
    return reports.filter(~Q(acquirer_mid=F("merchant__mid")) | ~Q(tid=F("terminal__tid"))).values(
        "id",
        "merchant_id",
        "terminal_id",
        "acquirer_mid",
        "tid",
        "merchant__mid",
        "terminal__tid",
        "occurred_at",
    )


def find(ctx: Context) -> list[Finding]:
    key = lambda r: (r["terminal_id"], r["acquirer_mid"], r["tid"], local_day(r["occurred_at"]))
    findings = []
    for (terminal_id, mid, tid, day), group in whole_day_groups(
        ctx, _matching, key, owner="terminal_id"
    ).items():
        own = group[0]
        findings.append(
            Finding(
                key=f"{terminal_id}:{mid}:{tid}:{day}",
                merchant_id=own["merchant_id"],
                terminal_id=terminal_id,
                report_ids=[r["id"] for r in group],
                message=gettext_noop(
                    "%(count)s transaction(s) on %(day)s acquired under MID %(mid)s / TID %(tid)s; "
                    "the terminal's own are MID %(own_mid)s / TID %(own_tid)s."
                ),
                params={
                    "count": str(len(group)),
                    "day": str(day),
                    "mid": mid,
                    "tid": tid,
                    "own_mid": own["merchant__mid"],
                    "own_tid": own["terminal__tid"],
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="merchant_jump",
    name=gettext_noop("Merchant jumping (跳商户)"),
    description="Transactions acquired under a MID or TID other than the terminal's own.",
    severity="high",
    defaults={},
    find=find,
)
