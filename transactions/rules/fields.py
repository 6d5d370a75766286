"""The report fields a rule may test: each once as a database expression, once in Python.

Both readings come from the same entry, so the audit's SQL and the real-time screening read a
field alike: the hour is the Beijing hour, the region the terminal's province, the distance the
great circle from the terminal's registered place (none when the report has no location).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Expression, F
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.beijing import SHANGHAI
from portal.common.geo import distance_km, haversine_km
from portal.common.regions import PROVINCES
from transactions.models import Cvm, ListKind, PaymentMethod, Report, ReportType, Source

Row = dict[str, Any]

NUMBER_OPS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte"})
SET_OPS = frozenset({"in", "not_in"})
TEXT_OPS = frozenset({"eq", "ne"}) | SET_OPS
LIST_OPS = frozenset({"in_list", "not_in_list"})

# What the Python side reads of a report, by the name the fields below use (a values() query).
ROW_VALUES = {
    "id": "id",
    "merchant_id": "merchant_id",
    "terminal_id": "terminal_id",
    "occurred_at": "occurred_at",
    "amount": "amount",
    "type": "type",
    "method": "method",
    "cvm": "cvm",
    "mcc": "mcc",
    "source": "source",
    "card_token": "card_token",
    "acquirer_mid": "acquirer_mid",
    "tid": "tid",
    "lat": "lat",
    "lng": "lng",
    "region": "terminal__province",
    "home_lat": "terminal__latitude",
    "home_lng": "terminal__longitude",
    "merchant_mcc": "merchant__mcc",
    "merchant_mid": "merchant__mid",
}


def parse_money(value: Any) -> Decimal | None:
    """A yuan amount as rules write it ("5000", 5000, "4999.50"); None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return amount


def _int_in(low: int, high: int) -> Callable[[Any], Any]:
    def parse(value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return None
        return value

    return parse


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)


def _choice(choices: Any) -> Callable[[Any], Any]:
    allowed = {str(value) for value, _label in choices}

    def parse(value: Any) -> str | None:
        return value if isinstance(value, str) and value in allowed else None

    return parse


def _text(pattern_len: int | None = None, digits: bool = False) -> Callable[[Any], Any]:
    def parse(value: Any) -> str | None:
        if not isinstance(value, str) or not value or len(value) > 64:
            return None
        if pattern_len is not None and len(value) != pattern_len:
            return None
        if digits and not value.isdigit():
            return None
        return value

    return parse


def _distance(row: Row) -> float | None:
    if row["lat"] is None or row["lng"] is None:
        return None
    return haversine_km(
        float(row["lat"]), float(row["lng"]), float(row["home_lat"]), float(row["home_lng"])
    )


@dataclass(frozen=True)
class Field:
    """A testable field: its SQL, its Python reading, the operators and values it takes."""

    name: str
    label: Any
    ops: frozenset[str]
    parse: Callable[[Any], Any]  # an operand as written → its value, None when invalid
    sql: Callable[[], Expression]
    read: Callable[[Row], Any]
    nullable: bool = False
    list_kind: str | None = None
    hint: Any = ""


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "amount",
            gettext_lazy("amount (¥)"),
            NUMBER_OPS | {"multiple_of"},
            parse_money,
            lambda: F("amount"),
            lambda row: row["amount"],
            hint=gettext_lazy('a yuan amount with at most 2 decimals, e.g. "5000"'),
        ),
        Field(
            "method",
            gettext_lazy("payment method"),
            TEXT_OPS,
            _choice(PaymentMethod.choices),
            lambda: F("method"),
            lambda row: row["method"],
        ),
        Field(
            "type",
            gettext_lazy("type"),
            TEXT_OPS,
            _choice(ReportType.choices),
            lambda: F("type"),
            lambda row: row["type"],
        ),
        Field(
            "cvm",
            gettext_lazy("cardholder verification"),
            TEXT_OPS,
            _choice(Cvm.choices),
            lambda: F("cvm"),
            lambda row: row["cvm"],
        ),
        Field(
            "source",
            gettext_lazy("how it was reported"),
            TEXT_OPS,
            _choice(Source.choices),
            lambda: F("source"),
            lambda row: row["source"],
        ),
        Field(
            "hour",
            gettext_lazy("hour (Beijing time)"),
            NUMBER_OPS | SET_OPS,
            _int_in(0, 23),
            lambda: ExtractHour("occurred_at", tzinfo=SHANGHAI),
            lambda row: row["occurred_at"].astimezone(SHANGHAI).hour,
            hint=gettext_lazy("0 to 23"),
        ),
        Field(
            "weekday",
            gettext_lazy("weekday (Beijing time, 1 = Monday)"),
            NUMBER_OPS | SET_OPS,
            _int_in(1, 7),
            lambda: ExtractIsoWeekDay("occurred_at", tzinfo=SHANGHAI),
            lambda row: row["occurred_at"].astimezone(SHANGHAI).isoweekday(),
            hint=gettext_lazy("1 (Monday) to 7 (Sunday)"),
        ),
        Field(
            "mcc",
            gettext_lazy("MCC reported"),
            TEXT_OPS,
            _text(4, digits=True),
            lambda: F("mcc"),
            lambda row: row["mcc"],
            hint=gettext_lazy("4 digits"),
        ),
        Field(
            "region",
            gettext_lazy("region (the terminal's province)"),
            TEXT_OPS | LIST_OPS,
            _choice(PROVINCES),
            lambda: F("terminal__province"),
            lambda row: row["region"],
            list_kind=ListKind.REGION,
            hint=gettext_lazy('a 2-digit province code, e.g. "31" for Shanghai'),
        ),
        Field(
            "distance_km",
            gettext_lazy("distance from the terminal's registered place (km)"),
            NUMBER_OPS,
            _number,
            lambda: distance_km("lat", "lng", "terminal__latitude", "terminal__longitude"),
            _distance,
            nullable=True,
        ),
        Field(
            "card_token",
            gettext_lazy("card token"),
            TEXT_OPS | LIST_OPS,
            _text(),
            lambda: F("card_token"),
            lambda row: row["card_token"],
            list_kind=ListKind.CARD_TOKEN,
        ),
        Field(
            "mid",
            gettext_lazy("MID reported"),
            TEXT_OPS | LIST_OPS,
            _text(15, digits=True),
            lambda: F("acquirer_mid"),
            lambda row: row["acquirer_mid"],
            list_kind=ListKind.MID,
            hint=gettext_lazy("15 digits"),
        ),
        Field(
            "tid",
            gettext_lazy("TID reported"),
            TEXT_OPS | LIST_OPS,
            _text(8),
            lambda: F("tid"),
            lambda row: row["tid"],
            list_kind=ListKind.TID,
            hint=gettext_lazy("8 characters"),
        ),
    )
}


def bad_value(field: Field) -> str:
    """The error for an operand the field cannot take."""
    hint = f" ({field.hint})" if field.hint else ""
    return _("Not a valid value for %(field)s%(hint)s.") % {"field": field.label, "hint": hint}


def report_rows(report_ids: list[int]) -> list[Row]:
    """The reports as the Python side of a rule reads them (one query, with the terminal's place
    and province and the merchant's MCC and MID)."""
    rows = Report.objects.filter(pk__in=report_ids).order_by("pk").values(*ROW_VALUES.values())
    names = list(ROW_VALUES.items())
    return [{name: row[path] for name, path in names} for row in rows]
