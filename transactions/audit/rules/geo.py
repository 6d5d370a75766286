"""Great-circle distance as a database expression (works on PostgreSQL and SQLite)."""

import math

from django.db.models import Expression, F, FloatField, Q
from django.db.models.functions import Abs, Cast
from django.db.models.lookups import GreaterThan

from portal.common.geo import EARTH_KM, distance_km, haversine_km

KM_PER_DEGREE = math.pi * EARTH_KM / 180


def _f(expr: Expression | str) -> Expression:
    return Cast(F(expr) if isinstance(expr, str) else expr, FloatField())


def maybe_farther(
    lat1: Expression | str,
    lng1: Expression | str,
    lat2: Expression | str,
    lng2: Expression | str,
    km: float,
) -> Q:
    """A cheap condition that every pair farther apart than ``km`` meets.

    Points within the square inscribed in the ``km`` circle (in degrees, longitude taken at its
    widest) are never farther, so a filter on this first spares the trigonometry for the many
    transactions made where they should be. 0.95 covers the flat-earth approximation.
    """
    degrees = km * 0.95 / math.sqrt(2) / KM_PER_DEGREE
    return Q(GreaterThan(Abs(_f(lat1) - _f(lat2)), degrees)) | Q(
        GreaterThan(Abs(_f(lng1) - _f(lng2)), degrees)
    )


__all__ = ["distance_km", "haversine_km", "maybe_farther"]
