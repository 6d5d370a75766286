"""Card velocity: the same card used too often, or for too much, at the terminal or the merchant
within a few minutes (a card being milked, 套现, or a stolen card emptied shop by shop)."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened, money
from transactions.models import CheckAction


def run(report: Screened, ctx: Context) -> Hit | None:
    window = ctx.card_window
    if window is None:  # no card to follow (a QR payment without a token)
        return None
    at_terminal = window.terminal_count > int(ctx.params["max_count_terminal"])
    at_merchant = window.merchant_count > int(ctx.params["max_count_merchant"])
    too_much = window.merchant_amount > ctx.decimal("max_amount")
    if not (at_terminal or at_merchant or too_much):
        return None
    return Hit(
        gettext_noop(
            "This card was used %(terminal_count)s time(s) at this terminal and %(merchant_count)s "
            "time(s) at this merchant for %(merchant_amount)s in %(minutes)s minutes (limits "
            "%(max_count_terminal)s, %(max_count_merchant)s and %(max_amount)s)."
        ),
        {
            "minutes": str(window.minutes),
            "terminal_count": str(window.terminal_count),
            "merchant_count": str(window.merchant_count),
            "merchant_amount": money(window.merchant_amount),
            "max_count_terminal": str(ctx.params["max_count_terminal"]),
            "max_count_merchant": str(ctx.params["max_count_merchant"]),
            "max_amount": money(ctx.decimal("max_amount")),
        },
    )


def window_minutes(params: Mapping[str, Any]) -> int:
    return int(params["minutes"])


CHECK = CheckSpec(
    code="card_velocity",
    name=gettext_noop("Card velocity"),
    description="The same card too often or for too much within minutes, at the terminal or "
    "the merchant.",
    action=CheckAction.REVIEW,
    defaults={"minutes": 10, "max_count_terminal": 3, "max_count_merchant": 5, "max_amount": 50000},
    run=run,
    window_minutes=window_minutes,
)
