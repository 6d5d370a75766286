"""Webhooks: endpoints that receive events, the outbox of events, deliveries and their attempts.

An event is written once (``WebhookEvent``, its id is what receivers deduplicate on) in the
transaction of the change it reports; each endpoint that wants it gets a ``WebhookDelivery`` in
that same transaction; every try to send it is a ``WebhookAttempt`` (the delivery log).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models import Merchant
from portal.common.fields import EncryptedTextField


class EndpointStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISABLED = "disabled", _("Disabled")


class WebhookEndpoint(models.Model):
    """An HTTPS address that receives the events it chose, signed with its own secret.

    A merchant's endpoint receives that merchant's events; an endpoint without a merchant is the
    acquirer's (registered by staff) and receives every merchant's.
    """

    merchant = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("merchant"),
        help_text=_("Empty: the acquirer's own endpoint, receiving every merchant's events."),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedTextField(_("signing secret"), editable=False)
    secret_rotated_at = models.DateTimeField(_("secret set at"), null=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EndpointStatus.choices,
        default=EndpointStatus.ACTIVE,
        editable=False,
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("why disabled"), max_length=300, blank=True, editable=False
    )
    consecutive_failures = models.PositiveIntegerField(
        _("failed attempts in a row"), default=0, editable=False
    )
    failing_since = models.DateTimeField(_("failing since"), null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]
        permissions = [("redeliver_webhook", _("Can send webhook deliveries again"))]

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.status == EndpointStatus.ACTIVE


class WebhookEvent(models.Model):
    """One event, as it is sent: the id, type, time and data never change once written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("event"), max_length=40, db_index=True)
    merchant = models.ForeignKey(
        Merchant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    data = models.JSONField(_("data"), default=dict)
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-occurred_at"]
        # The daily purge reads the oldest events first (WEBHOOK_KEEP_DAYS).
        indexes = [models.Index(fields=["occurred_at"], name="webhook_event_occurred")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.public_id}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    RETRYING = "retrying", _("Failed, will retry")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """An event on its way to one endpoint: retried with backoff until delivered or given up."""

    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # Failed attempts are retried until then: 24 hours after it was created or sent again by hand.
    retry_until = models.DateTimeField(_("retried until"))
    # A worker sending it holds it until then; a worker killed mid-send leaves it to expire.
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status__in=["pending", "retrying"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try to send a delivery: the delivery log shown to the endpoint's owner."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("sent at"))
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    succeeded = models.BooleanField(_("succeeded"), null=True)
    manual = models.BooleanField(_("sent again by hand"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.number} {self.delivery}"
