"""The merchant: the tenant of the portal, and the onboarding application it fills in."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.common.fields import EncryptedTextField
from portal.common.masking import mask_account_number
from portal.common.regions import PROVINCES
from portal.common.validators import validate_mcc, validate_mid, validate_uscc


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("More information needed")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MerchantQuerySet(models.QuerySet["Merchant"]):
    def approved(self) -> MerchantQuerySet:
        return self.filter(status=ApplicationStatus.APPROVED)

    def awaiting_review(self) -> MerchantQuerySet:
        return self.filter(
            status__in=[
                ApplicationStatus.SUBMITTED,
                ApplicationStatus.RESUBMITTED,
                ApplicationStatus.UNDER_REVIEW,
            ]
        )


class Merchant(models.Model):
    """A merchant and its onboarding application.

    The application data lives on the merchant itself: it is editable while the application is a
    draft or more information was asked for, and frozen for review otherwise. ``status`` moves only
    through :mod:`merchants.onboarding.workflow`.
    """

    # Application identity
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18 characters, as printed on the business licence."),
    )
    mcc = models.CharField(
        _("MCC"),
        max_length=4,
        blank=True,
        validators=[validate_mcc],
        help_text=_("Merchant category code (ISO 18245), e.g. 5411 for supermarkets."),
    )
    # Legal representative: the ID number is stored masked and as a keyed hash, never in clear.
    legal_rep_name = models.CharField(_("legal representative"), max_length=100, blank=True)
    legal_rep_id_masked = models.CharField(
        _("legal representative ID number"), max_length=18, blank=True
    )
    # Its keyed hash (portal.common.crypto.id_number_digest): the risk list is matched on it.
    # Empty for merchants whose ID number was entered before the hash was kept.
    legal_rep_id_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Addresses
    registered_province = models.CharField(
        _("registered province"), max_length=2, choices=PROVINCES, blank=True
    )
    registered_city = models.CharField(_("registered city"), max_length=60, blank=True)
    registered_district = models.CharField(_("registered district"), max_length=60, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    business_province = models.CharField(
        _("business province"), max_length=2, choices=PROVINCES, blank=True
    )
    business_city = models.CharField(_("business city"), max_length=60, blank=True)
    business_district = models.CharField(_("business district"), max_length=60, blank=True)
    business_address = models.CharField(_("business address"), max_length=200, blank=True)
    # The business premises as inspected: whether the merchant has a fixed place of business (one
    # without is asked for photos of its business instead of on-site inspections), and where it is
    # (set by staff, or from the first inspection's check-in).
    fixed_premises = models.BooleanField(
        _("fixed premises"),
        default=True,
        help_text=_(
            "A merchant without a fixed place of business uploads photos of it on schedule "
            "instead of being inspected on site."
        ),
    )
    premises_latitude = models.DecimalField(
        _("premises latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    premises_longitude = models.DecimalField(
        _("premises longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Contact: the phone and e-mail are a person's, so encrypted at rest (history rows too: the
    # historical model copies the field). Nothing searches on them; the form keeps their checks.
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    contact_email = EncryptedTextField(_("contact e-mail"), blank=True)
    # Settlement account: the number is encrypted at rest, the last four digits kept for display.
    bank_name = models.CharField(_("settlement bank"), max_length=100, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    bank_account_number = EncryptedTextField(_("account number"), blank=True)
    bank_account_last4 = models.CharField(_("account last four digits"), max_length=4, blank=True)
    # The provider (服务商) that signed the merchant up, if one did; fixed once the merchant is approved.
    service_provider = models.ForeignKey(
        "merchants.ServiceProvider",
        verbose_name=_("service provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merchants",
    )
    # Declared scale: what the merchant expects to sell in a month (the risk rating compares it
    # with what it reports).
    declared_monthly_sales = models.DecimalField(
        _("expected monthly sales (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Roughly what you expect to take by card and QR in a month."),
    )

    # Review outcome
    status = models.CharField(
        _("application status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    mid = models.CharField(
        _("acquirer merchant ID (MID)"),
        max_length=15,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_mid],
    )
    submitted_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_merchants",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["bank_account_number"])
    # Set by a service before a save: django-simple-history keeps it as the record's reason.
    _change_reason: str
    objects = MerchantQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["-created_at"]
        permissions = [
            ("review_application", _("Can review merchant applications")),
            ("approve_application", _("Can approve merchant applications")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~models.Q(uscc=""),
                name="merchant_unique_uscc",
            )
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return self.short_name or self.legal_name or _("Merchant #%(pk)s") % {"pk": self.pk}

    @property
    def is_approved(self) -> bool:
        return self.status == ApplicationStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        """The merchant may change its application only before it is handed in or when asked."""
        return self.status in (ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED)

    def clean(self) -> None:
        super().clean()
        if (self.premises_latitude is None) != (self.premises_longitude is None):
            raise ValidationError(
                {"premises_longitude": _("Give both the latitude and the longitude, or neither.")}
            )

    @property
    def premises_located(self) -> bool:
        return self.premises_latitude is not None and self.premises_longitude is not None

    @property
    def bank_account_masked(self) -> str:
        return mask_account_number(self.bank_account_last4)
