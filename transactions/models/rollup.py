"""Daily totals per terminal, kept up to date as reports are stored.

The audits look back weeks (a merchant's usual hours, a terminal's trailing daily average);
reading those from a row per terminal and day instead of from every report keeps an incremental
audit proportional to what arrived, not to the history. The dashboards read them too, with the
merchant's days below (by payment method and type, lateness, repeat cards): a dashboard over a
quarter reads a few hundred rows, however many reports the merchant has.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant, Terminal

HOUR_FIELDS = tuple(f"h{hour:02d}" for hour in range(24))


class TerminalDay(models.Model):
    """One terminal's reports on one day (Asia/Shanghai): per hour, and its sales."""

    terminal = models.ForeignKey(
        Terminal,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("terminal"),
        db_index=False,  # the (terminal, day) unique index serves lookups by terminal
    )
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="terminal_days",
        verbose_name=_("merchant"),
        db_index=False,
    )
    day = models.DateField(_("day"))
    reports = models.IntegerField(_("reports"), default=0)
    sales = models.IntegerField(_("sales"), default=0)
    sales_amount = models.DecimalField(
        _("sales amount"), max_digits=14, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("terminal day")
        verbose_name_plural = _("terminal days")
        constraints = [
            models.UniqueConstraint(fields=["terminal", "day"], name="terminal_day_unique")
        ]
        indexes = [
            models.Index(fields=["merchant", "day"], name="terminal_day_merchant"),
            # The audit rules read the last weeks of every merchant (learnt hours, volume
            # history): a range of days, which the merchant-first index cannot give.
            models.Index(fields=["day"], name="terminal_day_day"),
        ]

    def __str__(self) -> str:
        return f"{self.terminal_id} {self.day}"

    def hours(self) -> list[int]:
        return [getattr(self, name) for name in HOUR_FIELDS]


# Reports per hour of the day, one column each, so a month of a merchant's hours is one
# SUM per column over ~30 rows a terminal (a JSON or array column would need unpacking).
for _name in HOUR_FIELDS:
    TerminalDay.add_to_class(_name, models.IntegerField(default=0))


class MerchantDay(models.Model):
    """One merchant's reports on one day (Asia/Shanghai, by when they occurred): their health.

    ``late`` counts reports received after the merchant's deadline, judged when each arrived by
    the deadline in force then (the one the merchant was bound by). ``card_sales`` counts sales
    with a card token; ``repeat_sales`` those of them by a card that made a sale at the merchant
    on an earlier day (see :class:`MerchantCard`).
    """

    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="merchant_days",
        verbose_name=_("merchant"),
        db_index=False,  # the (merchant, day) unique index serves lookups by merchant
    )
    day = models.DateField(_("day"))
    reports = models.IntegerField(_("reports"), default=0)
    late = models.IntegerField(_("late"), default=0)
    card_sales = models.IntegerField(_("card sales"), default=0)
    repeat_sales = models.IntegerField(_("repeat card sales"), default=0)

    class Meta:
        verbose_name = _("merchant day")
        verbose_name_plural = _("merchant days")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day"], name="merchant_day_unique")
        ]
        # The staff overview sums every merchant's recent days.
        indexes = [models.Index(fields=["day"], name="merchant_day_day")]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day}"


class MerchantDayMix(models.Model):
    """One merchant's reports on one day of one payment method and type: how many, how much."""

    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="merchant_day_mixes",
        verbose_name=_("merchant"),
        db_index=False,
    )
    day = models.DateField(_("day"))
    method = models.CharField(_("payment method"), max_length=12)
    type = models.CharField(_("type"), max_length=20)
    reports = models.IntegerField(_("reports"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("merchant day by method and type")
        verbose_name_plural = _("merchant days by method and type")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "day", "method", "type"], name="merchant_day_mix_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day} {self.method} {self.type}"


class MerchantCard(models.Model):
    """A card (by its token) that made a sale at a merchant: the first day, and its sales that day.

    A sale by the card on a later day is a repeat sale. ``first_day_sales`` lets a report that
    arrives late, for a day before ``first_day``, turn that day's sales into repeat sales without
    reading the reports again.
    """

    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="cards",
        verbose_name=_("merchant"),
        db_index=False,
    )
    card_token = models.CharField(_("card token"), max_length=64)
    first_day = models.DateField(_("first seen"))
    first_day_sales = models.IntegerField(_("sales on the first day"), default=0)

    class Meta:
        verbose_name = _("merchant card")
        verbose_name_plural = _("merchant cards")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "card_token"], name="merchant_card_unique")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.card_token} {self.first_day}"
