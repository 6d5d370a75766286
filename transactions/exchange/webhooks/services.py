"""Registering endpoints, their secrets, and sending deliveries again: what owners and staff do.

A merchant's endpoints are managed by the merchant's owners; the acquirer's (no merchant) and any
merchant's by staff with the model permissions. The URL is checked against SSRF here (and again
before every attempt, in ``delivery.post``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant, Role
from portal.common.events import EVENT_TYPES
from portal.common.queue import enqueue_on_commit
from transactions.exchange.webhooks import addresses, signing
from transactions.exchange.webhooks.delivery import OPEN
from transactions.exchange.webhooks.outbox import DELIVER_TASK, ping_record
from transactions.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
)

CHANGE = "transactions.change_webhookendpoint"


def may_manage(*, actor: Any, merchant_id: int | None, perm: str = CHANGE) -> bool:
    """Owners manage their merchant's endpoints; staff need the permission ``perm``."""
    if actor.is_staff and actor.has_perm(perm):
        return True
    membership = getattr(actor, "membership", None)
    return (
        merchant_id is not None
        and membership is not None
        and membership.merchant_id == merchant_id
        and membership.role == Role.OWNER
    )


def _require(actor: Any, merchant_id: int | None, perm: str = CHANGE) -> None:
    if not may_manage(actor=actor, merchant_id=merchant_id, perm=perm):
        raise PermissionDenied(_("Only the merchant's owners manage its webhooks."))


def clean_events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown:
        raise ValidationError(_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)})
    if not chosen:
        raise ValidationError(_("Choose at least one event."))
    return chosen


def clean_url(url: str) -> str:
    """The URL, checked now, with its host resolved (registration refuses private addresses)."""
    addresses.resolve(url)
    return url.strip()


def _clean(url: str, events: Iterable[str]) -> tuple[str, list[str]]:
    """Both fields checked, every error at once (a form shows each under its field)."""
    errors: dict[str, list[str]] = {}
    cleaned_url, chosen = url, []
    try:
        cleaned_url = clean_url(url)
    except ValidationError as exc:
        errors["url"] = exc.messages
    try:
        chosen = clean_events(events)
    except ValidationError as exc:
        errors["events"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned_url, chosen


@transaction.atomic
def endpoint_create(
    *,
    merchant: Merchant | None,
    url: str,
    events: Iterable[str],
    actor: Any,
    description: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret, which is shown this once."""
    _require(actor, merchant.pk if merchant else None, "transactions.add_webhookendpoint")
    url, chosen = _clean(url, events)
    secret = signing.secret_new()
    endpoint = WebhookEndpoint(
        merchant=merchant,
        url=url,
        events=chosen,
        description=description.strip(),
        secret=secret,
        secret_rotated_at=timezone.now(),
        created_by=actor,
    )
    endpoint._change_reason = "registered"  # type: ignore[attr-defined]
    endpoint.save()
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str,
    events: Iterable[str],
    actor: Any,
    description: str = "",
) -> WebhookEndpoint:
    """Change the URL, the events or the description; the secret stays."""
    _require(actor, endpoint.merchant_id)
    endpoint.url, endpoint.events = _clean(url, events)
    endpoint.description = description.strip()
    endpoint._change_reason = f"changed by {actor}"  # type: ignore[attr-defined]
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: Any) -> str:
    """A new secret, effective at once (the old one stops signing); returned to be shown once."""
    _require(actor, endpoint.merchant_id)
    secret = signing.secret_new()
    endpoint.secret = secret
    endpoint.secret_rotated_at = timezone.now()
    endpoint._change_reason = f"secret rotated by {actor}"  # type: ignore[attr-defined]
    endpoint.save()
    return secret


@transaction.atomic
def endpoint_enable(*, endpoint: WebhookEndpoint, actor: Any) -> WebhookEndpoint:
    """Enable a disabled endpoint again, with a clean failure count."""
    _require(actor, endpoint.merchant_id)
    endpoint.status = EndpointStatus.ACTIVE
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.consecutive_failures = 0
    endpoint.failing_since = None
    endpoint._change_reason = f"enabled by {actor}"  # type: ignore[attr-defined]
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, actor: Any) -> WebhookEndpoint:
    """Stop sending to an endpoint (a receiver taken down for maintenance) without deleting its
    log: new events skip it, and what it was still to receive fails, to be sent again by hand."""
    _require(actor, endpoint.merchant_id)
    if not endpoint.is_active:
        raise ValidationError(_("The endpoint is already disabled."))
    endpoint.status = EndpointStatus.DISABLED
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = f"disabled by {actor}"
    endpoint._change_reason = f"disabled by {actor}"  # type: ignore[attr-defined]
    endpoint.save()
    endpoint.deliveries.filter(status__in=OPEN).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="The endpoint was disabled."
    )
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: Any) -> None:
    _require(actor, endpoint.merchant_id, "transactions.delete_webhookendpoint")
    endpoint._change_reason = f"deleted by {actor}"  # type: ignore[attr-defined]
    endpoint.delete()


@transaction.atomic
def endpoint_ping(*, endpoint: WebhookEndpoint, actor: Any) -> WebhookDelivery:
    """Send a test event (``webhook.ping``) to this endpoint only, to try the receiver."""
    _require(actor, endpoint.merchant_id)
    if not endpoint.is_active:
        raise ValidationError(_("Enable the endpoint first."))
    return ping_record(endpoint=endpoint, data={"endpoint": endpoint.pk, "ping": True})


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor: Any) -> WebhookDelivery:
    """Send a delivery again, with the same event id, and retry it for another 24 hours."""
    _require(actor, delivery.endpoint.merchant_id, "transactions.redeliver_webhook")
    delivery = (
        WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    )
    if not delivery.endpoint.is_active:
        raise ValidationError(_("Enable the endpoint before sending deliveries again."))
    now = timezone.now()
    if delivery.leased_until is not None and delivery.leased_until > now:
        # Its sender would overwrite the request with its own result: ask again once it is done.
        raise ValidationError(_("This delivery is being sent right now; try again in a minute."))
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.retry_until = now + settings.WEBHOOK_RETRY_FOR
    delivery.save(update_fields=["status", "next_attempt_at", "retry_until"])
    enqueue_on_commit(DELIVER_TASK, delivery.pk, manual=True)
    return delivery
