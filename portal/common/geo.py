"""Great-circle distance in Python (the audit's narrowed-down pairs, real-time screening) and as a
database expression (works on PostgreSQL and SQLite) for set-based rules."""

from __future__ import annotations

import math

from django.db.models import Expression, F, FloatField, Value
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt

EARTH_KM = 6371.0


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Haversine distance in km between two (lat, lng) points in WGS-84 degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def _f(expr: Expression | str) -> Expression:
    return Cast(F(expr) if isinstance(expr, str) else expr, FloatField())


def distance_km(
    lat1: Expression | str, lng1: Expression | str, lat2: Expression | str, lng2: Expression | str
) -> Expression:
    """Haversine distance in km between two (lat, lng) points given as fields or expressions."""
    phi1, phi2 = Radians(_f(lat1)), Radians(_f(lat2))
    dphi = Radians(_f(lat2) - _f(lat1))
    dlmb = Radians(_f(lng2) - _f(lng1))
    a = Power(Sin(dphi / 2), 2) + Cos(phi1) * Cos(phi2) * Power(Sin(dlmb / 2), 2)
    return Value(2 * EARTH_KM) * ASin(Sqrt(a))
