"""The annual acquiring report: one small function per section, each a set-based query.

Definitions (docs/regulator-reports.md says them to the reader):

- a merchant counts once approved before the end of the period, in the province where it trades
  (business, else registered), at its level at the end of the period (``levels.level_at``);
- a terminal counts once registered before the end, in the province where it is installed, with
  its status at the end of the period;
- volumes are the reports that *occurred* in the period (Beijing days), read from the daily
  rollup ``MerchantDayMix``, which ingestion keeps in the same transaction as the reports: exact
  for whole Beijing days, which a period is (the tests compare it with sums over the reports);
- alerts are those raised in the period (shadow rules' left out) by rule, and how many were
  confirmed or cleared in the period (their recorded steps); complaints those received in the
  period by reason, and how many were upheld, rejected or withdrawn in the period;
- inspections are those completed in the period, by outcome (the merchants' inspections).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_noop

from merchants.models import LEVEL_RANK
from merchants.risk.inspections.selectors import inspections_done
from transactions.exchange.regulator.levels import (
    level_at,
    merchant_region,
    merchants_approved_before,
    terminals_with_status_at,
)
from transactions.exchange.regulator.periods import Period
from transactions.exchange.regulator.sections import INSPECTION_OUTCOMES, Column, Section
from transactions.models import (
    Alert,
    AlertStatus,
    AlertTransition,
    Complaint,
    ComplaintStatus,
    ComplaintTransition,
    MerchantDayMix,
)


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)).quantize(Decimal('0.01'))}"


def _level_order(level: str | None) -> int:
    return LEVEL_RANK.get(level or "", -1)  # type: ignore[call-overload]


def merchants_section(period: Period) -> Section:
    merchants = merchants_approved_before(period.until).annotate(
        region=merchant_region(), level=level_at(period.until)
    )
    grouped = (
        merchants.values("region", "level")
        .annotate(total=Count("pk"), new=Count("pk", filter=Q(approved_at__gte=period.since)))
        .order_by()
    )
    rows = sorted(
        ([g["region"], g["level"] or "", g["total"], g["new"]] for g in grouped),
        key=lambda row: (row[0], _level_order(row[1])),
    )
    return Section(
        code="merchants",
        title=gettext_noop("Merchants by risk level and region"),
        columns=[
            Column("province", gettext_noop("Province"), "province"),
            Column("level", gettext_noop("Risk level at the end of the period"), "level"),
            Column("merchants", gettext_noop("Merchants"), "count"),
            Column("approved", gettext_noop("Of which approved in the period"), "count"),
        ],
        rows=rows,
    )


def terminals_section(period: Period) -> Section:
    grouped = (
        terminals_with_status_at(period.until)
        .values("province", "status_then")
        .annotate(total=Count("pk"), new=Count("pk", filter=Q(created_at__gte=period.since)))
        .order_by("province", "status_then")
    )
    return Section(
        code="terminals",
        title=gettext_noop("Terminals by region and status"),
        columns=[
            Column("province", gettext_noop("Province"), "province"),
            Column("status", gettext_noop("Status at the end of the period"), "terminal_status"),
            Column("terminals", gettext_noop("Terminals"), "count"),
            Column("registered", gettext_noop("Of which registered in the period"), "count"),
        ],
        rows=[[g["province"], g["status_then"], g["total"], g["new"]] for g in grouped],
    )


def _days(period: Period) -> Q:
    return Q(day__gte=period.start, day__lte=period.end)


def _volumes_section(
    period: Period, *, code: str, title: str, by: str, first: Column, rows: QuerySet
) -> Section:
    """Reports and amounts of the period's daily mixes per ``by`` and type, from ``rows``."""
    grouped = (
        rows.filter(_days(period))
        .values(by, "type")
        .annotate(count=Sum("reports"), amount=Sum("amount"))
        .filter(count__gt=0)
        .order_by(by, "type")
    )
    return Section(
        code=code,
        title=title,
        columns=[
            first,
            Column("type", gettext_noop("Type"), "type"),
            Column("reports", gettext_noop("Reports"), "count"),
            Column("amount", gettext_noop("Amount (CNY)"), "amount"),
        ],
        rows=[[g[by], g["type"], g["count"], _money(g["amount"])] for g in grouped],
    )


def volumes_by_method_section(period: Period) -> Section:
    return _volumes_section(
        period,
        code="volumes_by_method",
        title=gettext_noop("Volumes by payment method and type"),
        by="method",
        first=Column("method", gettext_noop("Payment method"), "method"),
        rows=MerchantDayMix.objects.all(),
    )


def volumes_by_region_section(period: Period) -> Section:
    return _volumes_section(
        period,
        code="volumes_by_region",
        title=gettext_noop("Volumes by region and type"),
        by="region",
        first=Column("province", gettext_noop("Province"), "province"),
        rows=MerchantDayMix.objects.annotate(region=merchant_region("merchant__")),
    )


def alerts_section(period: Period) -> Section:
    within = Q(created_at__gte=period.since, created_at__lt=period.until)
    raised = (
        Alert.objects.live()
        .filter(within)
        .values("rule__code", "rule__name")
        .annotate(total=Count("pk"))
        .order_by()
    )
    steps = (
        AlertTransition.objects.filter(within, alert__shadow=False)
        .filter(to_status__in=[AlertStatus.CONFIRMED, AlertStatus.CLEARED])
        .values("alert__rule__code", "alert__rule__name", "to_status")
        .annotate(total=Count("alert", distinct=True))
        .order_by()
    )
    by_rule: dict[str, list[object]] = {}
    for g in raised:
        by_rule[g["rule__code"]] = [g["rule__code"], g["rule__name"], g["total"], 0, 0]
    for g in steps:
        row = by_rule.setdefault(
            g["alert__rule__code"], [g["alert__rule__code"], g["alert__rule__name"], 0, 0, 0]
        )
        row[3 if g["to_status"] == AlertStatus.CONFIRMED else 4] = g["total"]
    return Section(
        code="alerts",
        title=gettext_noop("Alerts by rule"),
        columns=[
            Column("rule", gettext_noop("Rule code"), "text"),
            Column("name", gettext_noop("Rule"), "msgid"),
            Column("raised", gettext_noop("Raised in the period"), "count"),
            Column("confirmed", gettext_noop("Confirmed in the period"), "count"),
            Column("cleared", gettext_noop("Cleared in the period"), "count"),
        ],
        rows=[by_rule[code] for code in sorted(by_rule)],
    )


_COMPLAINT_ENDS = (ComplaintStatus.UPHELD, ComplaintStatus.REJECTED, ComplaintStatus.WITHDRAWN)


def complaints_section(period: Period) -> Section:
    within = Q(created_at__gte=period.since, created_at__lt=period.until)
    received = (
        Complaint.objects.filter(within)
        .values("reason__code", "reason__name")
        .annotate(total=Count("pk"))
        .order_by()
    )
    steps = (
        ComplaintTransition.objects.filter(within, to_status__in=_COMPLAINT_ENDS)
        .values("complaint__reason__code", "complaint__reason__name", "to_status")
        .annotate(total=Count("complaint", distinct=True))
        .order_by()
    )
    by_reason: dict[str, list[object]] = {}
    for g in received:
        by_reason[g["reason__code"]] = [g["reason__code"], g["reason__name"], g["total"], 0, 0, 0]
    for g in steps:
        code = g["complaint__reason__code"]
        row = by_reason.setdefault(code, [code, g["complaint__reason__name"], 0, 0, 0, 0])
        row[3 + _COMPLAINT_ENDS.index(g["to_status"])] = g["total"]
    return Section(
        code="complaints",
        title=gettext_noop("Complaints by reason"),
        columns=[
            Column("reason", gettext_noop("Reason code"), "text"),
            Column("name", gettext_noop("Reason"), "msgid"),
            Column("received", gettext_noop("Received in the period"), "count"),
            Column("upheld", gettext_noop("Upheld in the period"), "count"),
            Column("rejected", gettext_noop("Rejected in the period"), "count"),
            Column("withdrawn", gettext_noop("Withdrawn in the period"), "count"),
        ],
        rows=[by_reason[code] for code in sorted(by_reason)],
    )


def inspections_section_from(counts: dict[str, int]) -> Section:
    """Inspections completed in the period from ``{outcome: count}`` (pass / remediation / fail)."""
    rows = [[outcome, counts.get(outcome, 0)] for outcome in INSPECTION_OUTCOMES]
    return Section(
        code="inspections",
        title=gettext_noop("Inspections done"),
        columns=[
            Column("outcome", gettext_noop("Outcome"), "outcome"),
            Column("inspections", gettext_noop("Inspections completed in the period"), "count"),
        ],
        rows=rows if any(count for _outcome, count in rows) else [],
    )


def _inspections_section(period: Period) -> Section:
    """Inspections completed in the period, by outcome (``inspections_done``: on the Beijing day
    of completion; a merchant's accepted photos count as a pass)."""
    return inspections_section_from(inspections_done(period.start, period.end))


ANNUAL_SECTIONS: list[Callable[[Period], Section]] = [
    merchants_section,
    terminals_section,
    volumes_by_method_section,
    volumes_by_region_section,
    alerts_section,
    complaints_section,
    _inspections_section,
]
