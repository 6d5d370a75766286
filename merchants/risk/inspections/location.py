"""Where the inspector (or a photo) was, compared with the premises and the merchant's terminals.

A check-in farther than ``INSPECTION_RADIUS_M`` from the premises, or a terminal installed
farther than that from where the inspector stood, is flagged: the first says the visit was
somewhere else, the second that a terminal is not where the merchant is (moved, lent out).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from merchants.models import Merchant, Terminal, TerminalStatus
from portal.common.geo import haversine_km


@dataclass(frozen=True)
class Place:
    latitude: Decimal
    longitude: Decimal


def place_of(latitude: Any, longitude: Any) -> Place:
    """A (latitude, longitude) pair as typed or sent by the browser; ``ValidationError`` if not one."""
    errors = {}
    values = {}
    for name, raw, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        try:
            value = Decimal(str(raw).strip())
        except (ArithmeticError, ValueError):
            errors[name] = _("Enter a number of degrees.")
            continue
        if not value.is_finite() or abs(value) > bound:
            errors[name] = _("Enter degrees between -%(bound)s and %(bound)s.") % {"bound": bound}
            continue
        values[name] = value.quantize(Decimal("0.000001"))
    if errors:
        raise ValidationError(errors)
    return Place(values["latitude"], values["longitude"])


def metres(a: Place, latitude: Decimal, longitude: Decimal) -> int:
    return round(
        haversine_km(float(a.latitude), float(a.longitude), float(latitude), float(longitude))
        * 1000
    )


def radius() -> int:
    return int(settings.INSPECTION_RADIUS_M)


def premises_metres(merchant: Merchant, place: Place) -> int | None:
    """Metres from the merchant's premises; None while its premises have no coordinates."""
    if not merchant.premises_located:
        return None
    return metres(place, merchant.premises_latitude, merchant.premises_longitude)  # type: ignore[arg-type]


def terminal_distances(merchant: Merchant, place: Place) -> list[dict[str, Any]]:
    """Each of the merchant's terminals in use (active or suspended) and how far it is from here."""
    terminals = Terminal.objects.filter(
        merchant=merchant, status__in=[TerminalStatus.ACTIVE, TerminalStatus.SUSPENDED]
    ).order_by("pk")
    rows = []
    for terminal in terminals:
        distance = metres(place, terminal.latitude, terminal.longitude)
        rows.append(
            {
                "terminal": terminal.pk,
                "tid": terminal.tid or terminal.serial_number,
                "metres": distance,
                "far": distance > radius(),
            }
        )
    return rows
