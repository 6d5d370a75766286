"""POS terminals, their lifecycle and their upload-API credentials."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models.merchant import Merchant
from portal.common.fields import EncryptedTextField
from portal.common.regions import PROVINCES
from portal.common.transitions import TransitionRecord
from portal.common.validators import validate_tid


class TerminalStatus(models.TextChoices):
    # A new terminal of a merchant whose risk level asks for it waits for a lead's approval.
    AWAITING = "awaiting", _("Awaiting approval")
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")


class TerminalQuerySet(models.QuerySet["Terminal"]):
    def for_merchant(self, merchant: Merchant) -> TerminalQuerySet:
        return self.filter(merchant=merchant)

    def active(self) -> TerminalQuerySet:
        return self.filter(status=TerminalStatus.ACTIVE)


class Terminal(models.Model):
    """A POS terminal bound to one merchant; ``status`` moves only through the workflow."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="terminals", verbose_name=_("merchant")
    )
    serial_number = models.CharField(_("serial number"), max_length=40, unique=True)
    model_name = models.CharField(_("model"), max_length=60)
    tid = models.CharField(
        _("terminal ID (TID)"),
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_tid],
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TerminalStatus.choices,
        default=TerminalStatus.PENDING,
        db_index=True,
    )
    province = models.CharField(_("province"), max_length=2, choices=PROVINCES)
    city = models.CharField(_("city"), max_length=60)
    district = models.CharField(_("district"), max_length=60, blank=True)
    address = models.CharField(_("installed at (address)"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["last_seen_at"])
    # Set by a service before a save: django-simple-history keeps it as the record's reason.
    _change_reason: str
    objects = TerminalQuerySet.as_manager()

    class Meta:
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")
        ordering = ["merchant", "serial_number"]
        permissions = [
            ("manage_terminal", _("Can assign TIDs and change terminal status")),
            ("approve_terminal", _("Can approve new terminals of high-risk merchants")),
        ]

    def __str__(self) -> str:
        return self.tid or self.serial_number


class TerminalTransition(TransitionRecord):
    subject_field = "terminal"

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=10, choices=TerminalStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=TerminalStatus.choices)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("terminal step")
        verbose_name_plural = _("terminal steps")

    def __str__(self) -> str:
        return f"{self.terminal}: {self.from_status} → {self.to_status}"


class TerminalKeyQuerySet(models.QuerySet["TerminalKey"]):
    def usable(self) -> TerminalKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class TerminalKey(models.Model):
    """A terminal's credential for the upload API.

    The secret signs requests with HMAC-SHA256, so the server needs it back: it is kept encrypted
    at rest (never hashed) and shown to a person once, when issued. Issuing a key revokes the
    terminal's previous one.
    """

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(_("key id"), max_length=40, unique=True)
    secret = EncryptedTextField(_("secret"))
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = TerminalKeyQuerySet.as_manager()
    # Who issued and who revoked each key; never the secret.
    history = HistoricalRecords(excluded_fields=["secret", "last_used_at"])

    class Meta:
        verbose_name = _("terminal key")
        verbose_name_plural = _("terminal keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key_id

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None and self.revoked_at <= timezone.now()
