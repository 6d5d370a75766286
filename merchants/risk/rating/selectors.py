"""Reads of the rating: a merchant's level in force and its policy, the levels of many merchants
at once (the audit's parts, the screening of a report), the portfolio by level, the history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import (
    Merchant,
    MerchantRisk,
    RiskLevel,
    RiskLevelChange,
    RiskLevelPolicy,
)
from merchants.risk.rating.registry import read


def levels_of(
    *, merchant_ids: Iterable[int] | None = None, now: datetime | None = None
) -> dict[int, str]:
    """The level in force of each rated merchant among ``merchant_ids`` (all when None)."""
    rows = MerchantRisk.objects.with_level(now)
    if merchant_ids is not None:
        rows = rows.filter(merchant_id__in=list(merchant_ids))
    return dict(rows.order_by().values_list("merchant_id", "level"))


def level_of(*, merchant_id: int, now: datetime | None = None) -> str | None:
    """The merchant's level in force; None before its first rating."""
    return levels_of(merchant_ids=[merchant_id], now=now).get(merchant_id)


def level_in_force(merchant: OuterRef, now: datetime | None = None) -> Subquery:
    """The level in force of the merchant ``merchant`` refers to, as a subquery to annotate (the
    screening reads it with the terminal's own row, in one query)."""
    rows = MerchantRisk.objects.with_level(now).filter(merchant_id=merchant)
    return Subquery(rows.values("level")[:1])


def policy_of(*, level: str | None) -> RiskLevelPolicy | None:
    if level is None:
        return None
    return RiskLevelPolicy.objects.filter(level=level).first()


def terminal_approval_required(*, merchant: Merchant) -> bool:
    """Whether a new terminal of the merchant waits for a lead (its level's policy says so)."""
    policy = policy_of(level=level_of(merchant_id=merchant.pk))
    return bool(policy and policy.terminal_approval_required)


def rating_of(*, merchant: Merchant) -> MerchantRisk | None:
    return MerchantRisk.objects.filter(merchant=merchant).select_related("override_by").first()


def factors_read(rated: MerchantRisk | RiskLevelChange) -> list[dict[str, Any]]:
    """A rating's (or a past change's) factors in the active language, the heaviest first."""
    return sorted((read(entry) for entry in rated.factors), key=lambda f: -f["points"])


def level_history(*, merchant: Merchant) -> QuerySet[RiskLevelChange]:
    return RiskLevelChange.objects.filter(merchant=merchant).select_related("actor")


@dataclass(frozen=True)
class LevelCount:
    level: str  # "" for approved merchants not rated yet
    label: str
    count: int


def portfolio_by_level(*, now: datetime | None = None) -> list[LevelCount]:
    """Approved merchants per level in force, every level listed, then those not rated yet."""
    counts = dict(
        MerchantRisk.objects.with_level(now or timezone.now())
        .filter(merchant__in=Merchant.objects.approved())
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    rows = [LevelCount(code, str(label), counts.get(code, 0)) for code, label in RiskLevel.choices]
    unrated = Merchant.objects.approved().filter(risk__isnull=True).count()
    if unrated:
        rows.append(LevelCount("", _("Not rated yet"), unrated))
    return rows
