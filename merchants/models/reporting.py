"""How a merchant reports its transactions."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models.merchant import Merchant

# A merchant's reporting deadline when it has not set one (no reporting settings yet).
DEFAULT_DEADLINE_HOURS = 24


class ReportingMethod(models.TextChoices):
    API = "api", _("Real-time API")
    FILE = "file", _("Batch file")
    MANUAL = "manual", _("Manual entry")


class ReportingFrequency(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")


class ReportingSettings(models.Model):
    merchant = models.OneToOneField(
        Merchant,
        on_delete=models.CASCADE,
        related_name="reporting",
        verbose_name=_("merchant"),
    )
    enabled = models.BooleanField(_("reporting on"), default=False)
    method = models.CharField(
        _("method"), max_length=10, choices=ReportingMethod.choices, default=ReportingMethod.API
    )
    frequency = models.CharField(
        _("frequency"),
        max_length=10,
        choices=ReportingFrequency.choices,
        default=ReportingFrequency.REALTIME,
    )
    deadline_hours = models.PositiveSmallIntegerField(
        _("deadline (hours after the transaction)"),
        default=DEFAULT_DEADLINE_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 7)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting settings")
        verbose_name_plural = _("reporting settings")

    def __str__(self) -> str:
        return _("Reporting of %(merchant)s") % {"merchant": self.merchant}
