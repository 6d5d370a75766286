"""The open set of rating factors: each a function over all the merchants being rated at once.

Factors that read the merchant's own rows (MCC, region, age) are registered by
``merchants/risk/rating/factors.py``; those computed from reports, alerts and complaints live in
``transactions/analytics/risk_factors.py`` and are registered from ``TransactionsConfig.ready()``,
since ``merchants`` never imports ``transactions``; inspection results are registered by
``merchants/risk/inspections/factor.py``. Factors still without a source of data (external
risk-list hits) plug in the same way when those features exist.

A factor's ``compute`` answers for the whole set in a few queries (the nightly run rates every
merchant) and returns a :class:`Score` only for the merchants it has something to say about;
the others get its ``absent`` score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from merchants.models import Merchant


@dataclass(frozen=True)
class Score:
    """One factor's share of a merchant's score.

    ``value`` is the raw figure as text (a count, a ratio, an MCC); ``message`` an English msgid
    with ``%(name)s`` placeholders filled from ``params``, read in each reader's language.
    """

    value: str
    points: int
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rating:
    """What a factor is asked about: the merchants being rated and the moment of the rating."""

    merchants: QuerySet[Merchant]
    now: datetime


@dataclass(frozen=True)
class Factor:
    code: str
    name: str  # an English msgid (gettext_noop)
    order: int  # where it is listed among the factors
    compute: Callable[[Rating], Mapping[int, Score]]
    absent: Score


FACTORS: dict[str, Factor] = {}


def register(factor: Factor) -> None:
    """Add (or replace, by code) a factor; called at start-up by the apps' ``ready()``."""
    FACTORS[factor.code] = factor


def factors() -> list[Factor]:
    return sorted(FACTORS.values(), key=lambda f: (f.order, f.code))


def snapshot(factor: Factor, score: Score) -> dict[str, Any]:
    """A factor's score as stored on the rating and on each change of level."""
    return {
        "code": factor.code,
        "name": factor.name,
        "value": score.value,
        "points": score.points,
        "message": score.message,
        "params": score.params,
    }


def read(entry: dict[str, Any]) -> dict[str, Any]:
    """A stored factor in the active language: name and explanation translated."""
    try:
        explanation = gettext(entry["message"]) % entry["params"]
    except (KeyError, TypeError, ValueError):
        explanation = entry.get("message", "")
    return {
        "code": entry["code"],
        "name": gettext(entry["name"]),
        "value": entry["value"],
        "points": entry["points"],
        "explanation": explanation,
    }
