"""The merchant's risk rating: the levels and what each allows, the lists the rating reads, the
rating itself with its factors, staff overrides, and the record of every change of level.

The PBoC's acquiring rules (《银行卡收单业务管理办法》) require every merchant to be rated and the
high-risk ones to be watched harder. The rating is computed by ``merchants/risk/rating/``; these
rows are what it reads and writes.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models.merchant import Merchant
from portal.common.regions import PROVINCES
from portal.common.validators import validate_mcc


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    PROHIBITED = "prohibited", _("Prohibited")


LEVEL_RANK = {
    RiskLevel.LOW: 0,
    RiskLevel.MEDIUM: 1,
    RiskLevel.HIGH: 2,
    RiskLevel.PROHIBITED: 3,
}


class RiskLevelPolicy(models.Model):
    """One level: the band of scores that gives it and what a merchant at it may do.

    A merchant's level is the highest whose ``min_score`` its score reaches. The limits are
    enforced at report time by the screening check ``level_limits``; no limit is left empty.
    """

    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices, unique=True)
    min_score = models.PositiveIntegerField(
        _("from score"), help_text=_("The lowest score that gives this level.")
    )
    per_transaction_limit = models.DecimalField(
        _("per-sale limit (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A larger sale is held or reviewed at report time. Empty: no limit."),
    )
    daily_limit = models.DecimalField(
        _("daily limit (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "A sale that takes the day's sales over it is held or reviewed. Empty: no limit."
        ),
    )
    terminal_approval_required = models.BooleanField(
        _("new terminals need a lead's approval"), default=False
    )
    # The acquiring rules want every merchant with premises inspected on site at least once a year.
    inspection_every_months = models.PositiveSmallIntegerField(
        _("inspect every (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "How often a merchant at this level is inspected on site (or asked for photos of its "
            "business when it has no fixed premises): 12 months at most."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk level")
        verbose_name_plural = _("risk levels")
        ordering = ["min_score"]

    def __str__(self) -> str:
        return str(self.get_level_display())


class HighRiskMcc(models.Model):
    """A merchant category prone to cash-out (套现) or fraud, and the points it adds."""

    mcc = models.CharField(_("MCC"), max_length=4, unique=True, validators=[validate_mcc])
    category = models.CharField(_("why it is listed"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("high-risk MCC")
        verbose_name_plural = _("high-risk MCCs")
        ordering = ["mcc"]

    def __str__(self) -> str:
        return f"{self.mcc} · {self.category}"


class HighRiskRegion(models.Model):
    """A province (or one city of it) where card fraud or cash-out is known to concentrate."""

    province = models.CharField(_("province"), max_length=2, choices=PROVINCES)
    city = models.CharField(
        _("city"), max_length=60, blank=True, help_text=_("Empty: the whole province.")
    )
    reason = models.CharField(_("why it is listed"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("high-risk region")
        verbose_name_plural = _("high-risk regions")
        ordering = ["province", "city"]
        constraints = [
            models.UniqueConstraint(fields=["province", "city"], name="risk_region_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_province_display()} {self.city}".strip()


def override_live(now: datetime) -> Q:
    """An override that still applies at ``now``: expired overrides stop applying at once."""
    return Q(override_level__gt="", override_expires_at__gt=now)


class MerchantRiskQuerySet(models.QuerySet["MerchantRisk"]):
    def with_level(self, now: datetime | None = None) -> MerchantRiskQuerySet:
        """Annotate ``level``: the live override's level, else the computed one."""
        live = override_live(now or timezone.now())
        return self.annotate(
            level=Case(When(live, then=F("override_level")), default=F("computed_level"))
        )


class MerchantRisk(models.Model):
    """A merchant's rating: the score, each factor's share of it, and a staff override if any.

    ``factors`` is a list of ``{code, name, value, points, message, params}``: ``name`` and
    ``message`` are English msgids, read in each reader's language.
    """

    merchant = models.OneToOneField(
        Merchant, on_delete=models.CASCADE, related_name="risk", verbose_name=_("merchant")
    )
    score = models.PositiveIntegerField(_("score"))
    computed_level = models.CharField(
        _("computed level"), max_length=10, choices=RiskLevel.choices, db_index=True
    )
    factors = models.JSONField(_("factors"), default=list)
    computed_at = models.DateTimeField(_("rated"))
    override_level = models.CharField(
        _("override level"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    override_reason = models.TextField(_("override reason"), blank=True)
    override_expires_at = models.DateTimeField(_("override expires"), null=True, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("overridden by"),
    )
    override_at = models.DateTimeField(_("overridden"), null=True, blank=True)

    objects = MerchantRiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant risk rating")
        verbose_name_plural = _("merchant risk ratings")
        ordering = ["-score"]
        permissions = [("override_risk_level", _("Can override a merchant's risk level"))]

    def __str__(self) -> str:
        return f"{self.merchant} · {self.level_at()}"

    def override_applies(self, now: datetime | None = None) -> bool:
        return bool(
            self.override_level
            and self.override_expires_at
            and self.override_expires_at > (now or timezone.now())
        )

    def level_at(self, now: datetime | None = None) -> str:
        """The level in force: a live override's, else the computed one."""
        return self.override_level if self.override_applies(now) else self.computed_level

    def get_level_display(self) -> str:
        return str(RiskLevel(self.level_at()).label)


class ChangeCause(models.TextChoices):
    RATING = "rating", _("Rating")
    OVERRIDE = "override", _("Override set")
    OVERRIDE_CLEARED = "override_cleared", _("Override cleared")
    OVERRIDE_EXPIRED = "override_expired", _("Override expired")


class RiskLevelChange(models.Model):
    """A change of a merchant's level in force, or an override set or cleared: who or what,
    from which level to which, why, and the factors as they were."""

    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="risk_changes",
        verbose_name=_("merchant"),
    )
    from_level = models.CharField(_("from"), max_length=10, choices=RiskLevel.choices, blank=True)
    to_level = models.CharField(_("to"), max_length=10, choices=RiskLevel.choices)
    cause = models.CharField(_("cause"), max_length=20, choices=ChangeCause.choices)
    trigger = models.CharField(
        _("trigger"), max_length=100, blank=True, help_text=_("What asked for the rating.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    score = models.PositiveIntegerField(_("score"))
    factors = models.JSONField(_("factors"), default=list)
    expires_at = models.DateTimeField(_("override expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("risk level change")
        verbose_name_plural = _("risk level changes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "-created_at"], name="risk_change_merchant")]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.from_level or '—'} → {self.to_level}"
