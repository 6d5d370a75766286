"""The rating factor ``provider``: the provider that brought the merchant is in trouble.

A merchant brought by a blacklisted provider gets 30 points, by a suspended one or one flagged
for review (too many of its merchants rated high or prohibited) 15: enough to lift a low
merchant to medium, not alone to high; the merchant's own factors decide the rest. The flag is
read from the levels in force before this rating, so a provider's flag follows its merchants'
levels a night later, and a merchant's own level never feeds back into it the same night.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_noop

from merchants.models import ProviderStatus, ServiceProvider
from merchants.risk.providers.rollup import flagged_providers
from merchants.risk.rating.registry import Factor, Rating, Score, register

BLACKLISTED_POINTS = 30
SUSPENDED_POINTS = 15
FLAGGED_POINTS = 15


def provider_scores(rating: Rating) -> Mapping[int, Score]:
    brought = dict(
        rating.merchants.filter(service_provider__isnull=False)
        .order_by()
        .values_list("pk", "service_provider")
    )
    if not brought:
        return {}
    providers = ServiceProvider.objects.filter(pk__in=set(brought.values()))
    statuses = dict(providers.values_list("pk", "status"))
    names = dict(providers.values_list("pk", "name"))
    flagged = flagged_providers(providers, rating.now)
    scores = {}
    for pk, provider in brought.items():
        status = statuses[provider]
        if status == ProviderStatus.BLACKLISTED:
            points, message = (
                BLACKLISTED_POINTS,
                gettext_noop(
                    "The service provider %(provider)s that brought the merchant is blacklisted."
                ),
            )
        elif status == ProviderStatus.SUSPENDED:
            points, message = (
                SUSPENDED_POINTS,
                gettext_noop(
                    "The service provider %(provider)s that brought the merchant is suspended."
                ),
            )
        elif provider in flagged:
            points, message = (
                FLAGGED_POINTS,
                gettext_noop(
                    "The service provider %(provider)s is flagged for review: many of its merchants "
                    "are rated high or prohibited."
                ),
            )
        else:
            continue
        scores[pk] = Score(status, points, message, {"provider": names[provider]})
    return scores


def register_provider_factor() -> None:
    register(
        Factor(
            "provider",
            gettext_noop("Service provider"),
            90,
            provider_scores,
            Score("—", 0, gettext_noop("No service provider, or one in good standing.")),
        )
    )
