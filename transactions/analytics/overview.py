"""Reads for the staff compliance overview: open alerts, reporting health by region, risk,
complaints by channel, the portfolio by risk level.

Reporting health sums the merchants' daily rollups (``MerchantDay``) over the period instead of
their reports; alerts and holds are counted where they stand now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from merchants.models import Merchant
from merchants.risk.rating.selectors import LevelCount, portfolio_by_level
from portal.common.beijing import day_bounds
from portal.common.regions import PROVINCES
from transactions.analytics.dashboard import MISSING_REPORTS, Share
from transactions.models import (
    COMPLAINT_OPEN_STATUSES,
    Alert,
    AuditRule,
    Complaint,
    ComplaintChannel,
    ComplaintStatus,
    Hold,
    MerchantDay,
    Severity,
)

PERIODS = (7, 30, 90)
AT_RISK = 20
HIGH = (Severity.HIGH, Severity.CRITICAL)
REGION_NAMES = dict(PROVINCES)


@dataclass
class RuleRow:
    rule_id: int
    code: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def in_order(self) -> list[int]:
        return [self.counts.get(s, 0) for s in Severity.values]


@dataclass
class RegionRow:
    code: str
    label: str
    reports: int = 0
    late: int = 0
    missing: int = 0

    @property
    def on_time(self) -> Share:
        return Share(self.reports - self.late, self.reports)


@dataclass
class RiskRow:
    merchant_id: int
    name: str
    high_alerts: int = 0
    open_alerts: int = 0
    holds: int = 0


@dataclass
class ChannelRow:
    code: str
    label: str
    received: int = 0
    open: int = 0
    upheld: int = 0


@dataclass
class Overview:
    date_from: date
    date_to: date
    rules: list[RuleRow]
    regions: list[RegionRow]
    at_risk: list[RiskRow]
    channels: list[ChannelRow] = field(default_factory=list)
    levels: list[LevelCount] = field(default_factory=list)

    def chart_data(self) -> dict:
        return {
            "rules": [r.label for r in self.rules],
            "severities": [
                {"label": str(label), "counts": [r.counts.get(code, 0) for r in self.rules]}
                for code, label in Severity.choices
            ],
            "regions": [
                [
                    r.label,
                    None if r.on_time.percent is None else str(r.on_time.percent),
                    r.late,
                    r.missing,
                ]
                for r in self.regions
            ],
            "risk": [[r.name, r.high_alerts] for r in self.at_risk],
            "levels": [[row.label, row.count] for row in self.levels],
        }


def compliance_overview(*, today: date, days: int = 30) -> Overview:
    date_from = today - timedelta(days=days - 1)
    return Overview(
        date_from=date_from,
        date_to=today,
        rules=open_alerts_by_rule(),
        regions=health_by_region(date_from=date_from, date_to=today),
        at_risk=merchants_at_risk(),
        channels=complaints_by_channel(date_from=date_from, date_to=today),
        levels=portfolio_by_level(),
    )


def open_alerts_by_rule() -> list[RuleRow]:
    """Open alerts per rule and severity, the rules with most open alerts first."""
    labels = {rule.pk: (rule.code, rule.label) for rule in AuditRule.objects.all()}
    rows: dict[int, RuleRow] = {}
    for rule_id, severity, n in (
        Alert.objects.unresolved()
        .order_by()
        .values_list("rule_id", "severity")
        .annotate(n=Count("*"))
    ):
        code, label = labels[rule_id]
        rows.setdefault(rule_id, RuleRow(rule_id, code, label)).counts[severity] = n
    return sorted(rows.values(), key=lambda r: (-r.total, r.code))


def health_by_region(*, date_from: date, date_to: date) -> list[RegionRow]:
    """Reports, late reports (from the daily rollups) and open missing-report alerts per region.

    A merchant's region is its business province (where it trades), as in the review queue.
    """
    rows: dict[str, RegionRow] = {}

    def row(code: str) -> RegionRow:
        label = str(REGION_NAMES.get(code, "")) or "—"
        return rows.setdefault(code, RegionRow(code, label))

    for code, reports, late in (
        MerchantDay.objects.filter(day__gte=date_from, day__lte=date_to)
        .order_by()
        .values_list("merchant__business_province")
        .annotate(reports=Sum("reports"), late=Sum("late"))
    ):
        entry = row(code)
        entry.reports, entry.late = reports, late
    for code, n in (
        Alert.objects.unresolved()
        .filter(MISSING_REPORTS)
        .order_by()
        .values_list("merchant__business_province")
        .annotate(n=Count("*"))
    ):
        row(code).missing = n
    return sorted(rows.values(), key=lambda r: (-r.late - r.missing, -r.reports, r.code))


def merchants_at_risk(limit: int = AT_RISK) -> list[RiskRow]:
    """Merchants with the most open high-severity alerts, then active holds, then open alerts."""
    risk: dict[int, RiskRow] = {}
    for merchant_id, open_alerts, high in (
        Alert.objects.unresolved()
        .order_by()
        .values_list("merchant_id")
        .annotate(n=Count("*"), high=Count("pk", filter=Q(severity__in=HIGH)))
    ):
        risk[merchant_id] = RiskRow(merchant_id, "", high, open_alerts)
    # A hold is on a report or on a terminal, never both: its merchant is whichever it has.
    holds = (
        Hold.objects.filter(released_at__isnull=True)
        .order_by()
        .values_list(Coalesce("report__merchant_id", "terminal__merchant_id"))
        .annotate(n=Count("*"))
    )
    for merchant_id, n in holds:
        risk.setdefault(merchant_id, RiskRow(merchant_id, "")).holds = n
    top = sorted(
        risk.values(), key=lambda r: (-r.high_alerts, -r.holds, -r.open_alerts, r.merchant_id)
    )[:limit]
    merchants = Merchant.objects.only("short_name", "legal_name").in_bulk(
        [r.merchant_id for r in top]
    )
    for r in top:
        r.name = str(merchants[r.merchant_id])
    return top


def complaints_by_channel(*, date_from: date, date_to: date) -> list[ChannelRow]:
    """Complaints per channel (staff, cardholder): received and upheld in the period, open now.

    The period is Beijing days, as everywhere on the overview; every channel has a row, with
    zeros when it had no complaints.
    """
    start, end = day_bounds(date_from)[0], day_bounds(date_to)[1]
    in_period = Q(created_at__gte=start, created_at__lt=end)
    counts = {
        row["channel"]: row
        for row in Complaint.objects.order_by()
        .values("channel")
        .annotate(
            received=Count("pk", filter=in_period),
            open=Count("pk", filter=Q(status__in=COMPLAINT_OPEN_STATUSES)),
            upheld=Count(
                "pk",
                filter=Q(
                    status=ComplaintStatus.UPHELD, resolved_at__gte=start, resolved_at__lt=end
                ),
            ),
        )
    }
    return [
        ChannelRow(
            code,
            str(label),
            **{k: counts.get(code, {}).get(k, 0) for k in ("received", "open", "upheld")},
        )
        for code, label in ComplaintChannel.choices
    ]
