"""Daily totals per terminal, kept up to date as reports are stored.

The audits look back weeks (a merchant's usual hours, a terminal's trailing daily average);
reading those from a row per terminal and day instead of from every report keeps an incremental
audit proportional to what arrived, not to the history. The dashboards will read them too.
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
        indexes = [models.Index(fields=["merchant", "day"], name="terminal_day_merchant")]

    def __str__(self) -> str:
        return f"{self.terminal_id} {self.day}"

    def hours(self) -> list[int]:
        return [getattr(self, name) for name in HOUR_FIELDS]


# Reports per hour of the day, one column each, so a month of a merchant's hours is one
# SUM per column over ~30 rows a terminal (a JSON or array column would need unpacking).
for _name in HOUR_FIELDS:
    TerminalDay.add_to_class(_name, models.IntegerField(default=0))
