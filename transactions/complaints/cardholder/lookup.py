"""Finding a charge from what is on the cardholder's slip or bank SMS, and what we show of it.

Exactly one report must fit; none and several are the same answer (``None``), so the page cannot
be used to learn whether transactions exist. What is shown is the public face of the merchant
and of the charge only: no RRN, no other transactions, no merchant contact details.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from transactions.models import CARD_METHODS, Cvm, Report, ReportType

# Slips and bank messages print the time to the minute, and a terminal's clock drifts.
TIME_TOLERANCE = timedelta(minutes=10)
# What a cardholder sees charged: not refunds, voids or the pre-authorisation hold itself.
CHARGE_TYPES = (ReportType.SALE, ReportType.PREAUTH_COMPLETION)

# ISO 18245's own grouping of merchant category codes, as (last code of the range, label).
MCC_CATEGORIES: tuple[tuple[int, Promise], ...] = (
    (1499, _("Agricultural services")),
    (2999, _("Contracted services")),
    (3299, _("Airlines")),
    (3499, _("Car rental")),
    (3999, _("Lodging")),
    (4799, _("Transportation services")),
    (4999, _("Utilities and telecommunications")),
    (5599, _("Retail stores")),
    (5699, _("Clothing stores")),
    (7299, _("Miscellaneous stores")),
    (7999, _("Business services")),
    (8999, _("Professional services and organisations")),
    (9999, _("Government services")),
)

VERIFICATION: dict[str, Promise] = {
    Cvm.PIN: _("PIN entered"),
    Cvm.SIGNATURE: _("Signed"),
    Cvm.NONE: _("Neither PIN nor signature"),
    Cvm.CONTACTLESS: _("Contactless, neither PIN nor signature"),
    Cvm.BIOMETRIC: _("Confirmed by fingerprint or face"),
}


def normalize_name(name: str) -> str:
    """Full-width letters and brackets as typed on a phone become their plain forms."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def charge_matching(
    *,
    occurred_at: datetime,
    amount: Decimal,
    last4: str = "",
    order_no: str = "",
    tid: str = "",
    merchant_name: str = "",
) -> Report | None:
    """The one charge that fits, or None when none or several do.

    The time is within ``TIME_TOLERANCE`` either way, the amount exact; a card's last 4 digits
    select card payments, an order number selects QR payments by their RRN; the terminal ID or the
    merchant's registered or short name (as printed, case and full-width forms aside) select the
    merchant. The caller asks for at least one of each pair (the form does).
    """
    if not (last4 or order_no) or not (tid or merchant_name):
        return None
    rows = Report.objects.filter(
        occurred_at__gte=occurred_at - TIME_TOLERANCE,
        occurred_at__lte=occurred_at + TIME_TOLERANCE,
        amount=amount,
        type__in=CHARGE_TYPES,
    )
    if last4:
        rows = rows.filter(method__in=CARD_METHODS, masked_pan__endswith=last4)
    if order_no:
        rows = rows.exclude(method__in=CARD_METHODS).filter(rrn=order_no.strip())
    if tid:
        rows = rows.filter(tid=tid.strip().upper())
    if merchant_name:
        name = normalize_name(merchant_name)
        rows = rows.filter(
            Q(merchant__legal_name__iexact=name) | Q(merchant__short_name__iexact=name)
        )
    found = list(rows.select_related("merchant")[:2])
    return found[0] if len(found) == 1 else None


def mcc_category(mcc: str) -> Promise | str:
    if not (mcc or "").isdigit():
        return ""
    code = int(mcc)
    return next((label for last, label in MCC_CATEGORIES if code <= last), "")


@dataclass(frozen=True)
class ChargeSummary:
    """What the cardholder may see of a matched charge, and nothing more."""

    merchant_name: str
    city: str
    category: Promise | str
    occurred_at: datetime
    amount: Decimal
    currency: str
    method: str
    verification: Promise | str


def charge_summary(report: Report) -> ChargeSummary:
    merchant = report.merchant
    return ChargeSummary(
        merchant_name=merchant.legal_name or merchant.short_name,
        city=merchant.registered_city or merchant.business_city,
        category=mcc_category(merchant.mcc or report.mcc),
        occurred_at=report.occurred_at,
        amount=report.amount,
        currency=report.currency,
        method=report.get_method_display(),
        verification=VERIFICATION.get(report.cvm, ""),
    )
