"""Service providers (收单外包服务机构 / 服务商): the outsourcers who sign merchants up for the acquirer.

The acquiring rules want each one filed (备案) before it brings merchants, and a merchant to
record the provider that brought it. ``status`` moves only through
:mod:`merchants.risk.providers.workflow`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.common.transitions import TransitionRecord
from portal.common.validators import validate_uscc


class ProviderStatus(models.TextChoices):
    UNFILED = "unfiled", _("Not filed yet")
    FILED = "filed", _("Filed")
    SUSPENDED = "suspended", _("Suspended")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class ServiceProvider(models.Model):
    """A service provider in the registry; only a filed one may bring new merchants."""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
    )
    filing_number = models.CharField(
        _("filing (备案) number"),
        max_length=40,
        blank=True,
        help_text=_("As issued on filing; merchants name their provider by it."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProviderStatus.choices,
        default=ProviderStatus.UNFILED,
        db_index=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()
    _change_reason: str

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name", "pk"]
        permissions = [("manage_serviceprovider", _("Can file, suspend and blacklist providers"))]
        constraints = [
            models.UniqueConstraint(
                fields=["filing_number"],
                condition=~models.Q(filing_number=""),
                name="service_provider_unique_filing_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.filing_number})" if self.filing_number else self.name

    @property
    def may_bring_merchants(self) -> bool:
        return self.status == ProviderStatus.FILED and bool(self.filing_number)


class ProviderTransition(TransitionRecord):
    """One step of a provider's status: filed, suspended, reinstated, blacklisted; who and why."""

    subject_field = "provider"

    provider = models.ForeignKey(
        ServiceProvider,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("service provider"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ProviderStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ProviderStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("service provider step")
        verbose_name_plural = _("service provider steps")

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
