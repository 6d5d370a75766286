"""Providers' merchants' risk, rolled up to the provider (收单外包服务机构风险).

For each service provider: its approved merchants by level in force, the share rated high or
prohibited, and what ``transactions`` adds through a registered *figures* hook (alerts confirmed
and complaints upheld over its merchants in 90 days; ``merchants`` never imports
``transactions``). A provider whose high-and-prohibited share is above
``settings.PROVIDER_REVIEW_HIGH_RISK_PERCENT`` of its rated merchants is *flagged for review*.

The share and the flag are SQL annotations (:func:`with_risk`), so the admin list sorts and
filters on them; the per-level counts are one grouped query for a page of providers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from merchants.models import ApplicationStatus, MerchantRisk, RiskLevel, ServiceProvider

RISKY = (RiskLevel.HIGH, RiskLevel.PROHIBITED)

# (provider ids, now) -> {provider id: {figure code: count}}; registered by TransactionsConfig.
Figures = Callable[[list[int], datetime], Mapping[int, Mapping[str, int]]]
_figures: list[Figures] = []


def figures_register(figures: Figures) -> None:
    if figures not in _figures:
        _figures.append(figures)


def threshold_percent() -> int:
    return int(settings.PROVIDER_REVIEW_HIGH_RISK_PERCENT)


def _count(rows: QuerySet[MerchantRisk]) -> Coalesce:
    counted = rows.order_by().values("merchant__service_provider").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), Value(0))


def with_risk(providers: QuerySet[ServiceProvider], now: datetime | None = None) -> QuerySet:
    """Annotate ``rated`` (approved merchants with a rating), ``risky`` (of them, high or
    prohibited in force) and ``flagged`` (``risky`` above the threshold share of ``rated``)."""
    ratings = MerchantRisk.objects.with_level(now or timezone.now()).filter(
        merchant__service_provider=OuterRef("pk"), merchant__status=ApplicationStatus.APPROVED
    )
    counted = providers.annotate(
        rated=_count(ratings), risky=_count(ratings.filter(level__in=RISKY))
    )
    return counted.alias(risky_x100=F("risky") * 100).annotate(
        flagged=Case(
            When(
                Q(rated__gt=0, risky_x100__gt=F("rated") * threshold_percent()),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


@dataclass(frozen=True)
class Rollup:
    """One provider's figures, as its admin page shows them."""

    provider_id: int
    merchants: int  # approved
    by_level: dict[str, int]
    unrated: int
    risky: int
    share: Decimal | None  # high and prohibited over rated, None when none is rated
    flagged: bool
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def share_percent(self) -> str:
        return "—" if self.share is None else f"{self.share * 100:.1f} %"


def rollups(providers: Iterable[ServiceProvider], now: datetime | None = None) -> dict[int, Rollup]:
    """Each provider's roll-up: a few grouped queries for all of them."""
    now = now or timezone.now()
    ids = [p.pk for p in providers]
    approved = dict(
        ServiceProvider.objects.filter(pk__in=ids)
        .annotate(n=Count("merchants", filter=Q(merchants__status=ApplicationStatus.APPROVED)))
        .values_list("pk", "n")
    )
    levels: dict[int, dict[str, int]] = {pk: {code: 0 for code in RiskLevel.values} for pk in ids}
    rows = (
        MerchantRisk.objects.with_level(now)
        .filter(merchant__service_provider__in=ids, merchant__status=ApplicationStatus.APPROVED)
        .order_by()
        .values_list("merchant__service_provider", "level")
        .annotate(n=Count("pk"))
    )
    for pk, level, n in rows:
        levels[pk][level] = n
    extra: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for figures in _figures:
        for pk, found in figures(ids, now).items():
            extra[pk].update(found)
    percent = threshold_percent()
    result = {}
    for pk in ids:
        rated = sum(levels[pk].values())
        risky = sum(levels[pk][level] for level in RISKY)
        share = Decimal(risky) / rated if rated else None
        result[pk] = Rollup(
            provider_id=pk,
            merchants=approved.get(pk, 0),
            by_level=levels[pk],
            unrated=approved.get(pk, 0) - rated,
            risky=risky,
            share=share,
            flagged=bool(rated) and risky * 100 > rated * percent,
            figures=extra[pk],
        )
    return result


def rollup_of(provider: ServiceProvider, now: datetime | None = None) -> Rollup:
    return rollups([provider], now)[provider.pk]


def flagged_providers(providers: QuerySet[ServiceProvider], now: Any = None) -> set[int]:
    return set(with_risk(providers, now).filter(flagged=True).values_list("pk", flat=True))
