"""Rate limits of the cardholder's pages, counted in Django's cache (Redis in production).

Fixed windows per scope and key, as DRF's throttles count: ``settings.CARDHOLDER_RATE_LIMITS``
gives each scope's "<n>/<period>". Keys are hashed with the secret key before they reach the
cache, so card digits and addresses are not stored there in the clear.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/hour" -> (20, 3600); the period may also be a number of seconds."""
    count, _slash, period = rate.partition("/")
    seconds = int(period) if period.isdigit() else PERIODS[period.strip().rstrip("s")]
    return int(count), seconds


def _cache_key(scope: str, key: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()
    return f"cardholder-rate:{scope}:{digest[:32]}"


def _limit(scope: str) -> tuple[int, int]:
    return parse_rate(settings.CARDHOLDER_RATE_LIMITS[scope])


def exceeded(*, scope: str, key: str) -> bool:
    """Whether ``key`` has used up its attempts in ``scope`` (without counting one)."""
    limit, _period = _limit(scope)
    return (cache.get(_cache_key(scope, key)) or 0) >= limit


def count(*, scope: str, key: str) -> None:
    """Count one attempt of ``key`` in ``scope``; the window starts with its first attempt."""
    _limit_count, period = _limit(scope)
    cache_key = _cache_key(scope, key)
    if cache.add(cache_key, 1, timeout=period):
        return
    try:
        cache.incr(cache_key)
    except ValueError:  # the window ended between add and incr
        cache.set(cache_key, 1, timeout=period)


def allow(*keys: tuple[str, str]) -> bool:
    """Count an attempt under every (scope, key) and say whether all were still within limits.

    Empty keys are skipped (a lookup by order number has no card digits). Every scope is
    checked before any is counted, so a refused attempt does not use up the others' allowance.
    """
    keys = tuple((scope, key) for scope, key in keys if key)
    if any(exceeded(scope=scope, key=key) for scope, key in keys):
        return False
    for scope, key in keys:
        count(scope=scope, key=key)
    return True
