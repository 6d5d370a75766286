"""The risk-merchant list for risk-information sharing (风险信息共享): who, and why.

A merchant approved before the end of the period is on the list when, within the period, it

- was rated high or prohibited at any time: at the start of the period (its level then), or by a
  change of level to one of them during it (``RiskLevelChange``, the rating's own record); or
- had an alert of a fraud-type rule confirmed (套现, 跳码, 跳商户, 移机 and the real-time
  checks of the same kinds: ``FRAUD_RULES``); rules staff write as data are not classified, so
  their alerts do not put a merchant on the list.

The portal has no step that ends a merchant's acquiring (a termination for risk), so the list has
no such reason yet; a merchant rated *prohibited* is the nearest it records.

Per merchant: its identity as risk-information sharing needs it (legal name, USCC, legal
representative and the *masked* ID number, the only form the portal stores), MID, region, MCC,
level at the end of the period and the highest in it, each reason with its date, the first and
last of those dates.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_noop

from merchants.models import LEVEL_RANK, RiskLevel, RiskLevelChange
from portal.common.beijing import SHANGHAI
from transactions.exchange.regulator.levels import (
    level_at,
    merchant_region,
    merchants_approved_before,
)
from transactions.exchange.regulator.periods import Period
from transactions.exchange.regulator.sections import Column, Section
from transactions.models import AlertStatus, AlertTransition

RISK_LEVELS = (RiskLevel.HIGH, RiskLevel.PROHIBITED)
# Rules whose confirmed alerts mean fraud or cash-out: the audit's and the real-time checks'.
FRAUD_RULES = frozenset(
    {
        "cashout_same_card",
        "cashout_round_amount",
        "cashout_below_limit",
        "cashout_off_hours",
        "mcc_jump",
        "merchant_jump",
        "relocation",
        "realtime_round_amount",
        "realtime_below_limit",
        "realtime_after_hours",
        "realtime_card_velocity",
        "realtime_mcc_mismatch",
        "realtime_mid_tid_mismatch",
        "realtime_far_from_home",
        "realtime_impossible_travel",
    }
)

COLUMNS = [
    Column("mid", gettext_noop("MID"), "text"),
    Column("legal_name", gettext_noop("Legal name"), "text"),
    Column("uscc", gettext_noop("Unified social credit code"), "text"),
    Column("legal_rep_name", gettext_noop("Legal representative"), "text"),
    Column("legal_rep_id", gettext_noop("Legal representative ID number (masked)"), "text"),
    Column("province", gettext_noop("Province"), "province"),
    Column("city", gettext_noop("City"), "text"),
    Column("mcc", gettext_noop("MCC"), "text"),
    Column("level_end", gettext_noop("Risk level at the end of the period"), "level"),
    Column("level_highest", gettext_noop("Highest risk level in the period"), "level"),
    Column("reasons", gettext_noop("Reasons"), "reasons"),
    Column("first_date", gettext_noop("First date"), "date"),
    Column("last_date", gettext_noop("Last date"), "date"),
]


def _local_day(moment: Any) -> str:
    return moment.astimezone(SHANGHAI).date().isoformat()


def _reasons(period: Period) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[str]]]:
    """Each listed merchant's reasons, and every level it had in the period."""
    reasons: dict[int, list[dict[str, Any]]] = defaultdict(list)
    levels: dict[int, list[str]] = defaultdict(list)
    start_levels = (
        merchants_approved_before(period.until)
        .annotate(level=level_at(period.since))
        .filter(level__isnull=False)
        .values_list("pk", "level")
    )
    for merchant_id, level in start_levels:
        levels[merchant_id].append(level)
        if level in RISK_LEVELS:
            reasons[merchant_id].append(
                {"code": "level_start", "level": level, "date": period.start.isoformat()}
            )
    changes = RiskLevelChange.objects.filter(
        created_at__gte=period.since, created_at__lt=period.until
    ).order_by("created_at", "pk")
    for merchant_id, level, when in changes.values_list("merchant_id", "to_level", "created_at"):
        levels[merchant_id].append(level)
        if level in RISK_LEVELS:
            reasons[merchant_id].append(
                {"code": "level_change", "level": level, "date": _local_day(when)}
            )
    confirmed = (
        AlertTransition.objects.filter(
            Q(created_at__gte=period.since, created_at__lt=period.until),
            to_status=AlertStatus.CONFIRMED,
            alert__shadow=False,
            alert__rule__code__in=FRAUD_RULES,
        )
        .order_by("created_at", "pk")
        .values_list("alert__merchant_id", "alert_id", "alert__rule__name", "created_at")
    )
    for merchant_id, alert_id, rule, when in confirmed:
        reasons[merchant_id].append(
            {"code": "alert", "alert": alert_id, "rule": rule, "date": _local_day(when)}
        )
    return reasons, levels


def risk_merchants_section(period: Period) -> Section:
    reasons, levels = _reasons(period)
    merchants = (
        merchants_approved_before(period.until)
        .filter(pk__in=list(reasons))
        .annotate(region=merchant_region(), level_end=level_at(period.until))
    )
    rows = []
    for m in merchants:
        listed = sorted(reasons[m.pk], key=lambda reason: reason["date"])
        dates = [reason["date"] for reason in listed]
        highest = max(levels[m.pk], key=lambda level: LEVEL_RANK[level], default="")
        rows.append(
            [
                m.mid or "",
                m.legal_name,
                m.uscc,
                m.legal_rep_name,
                m.legal_rep_id_masked,
                m.region,
                m.business_city if m.business_province else m.registered_city,
                m.mcc,
                m.level_end or "",
                highest,
                listed,
                dates[0],
                dates[-1],
            ]
        )
    rows.sort(key=lambda row: (-LEVEL_RANK.get(row[9], -1), row[0]))
    return Section(
        code="risk_merchants",
        title=gettext_noop("Risk merchants"),
        columns=COLUMNS,
        rows=rows,
    )
