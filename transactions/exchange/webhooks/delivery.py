"""Sending a delivery: claim it, POST the signed event, record the attempt, retry or give up.

At least once, with a stable event id, so that a receiver deduplicating on the id sees each event
once: a delivery is claimed under a lease before it is sent (one sender at a time), and a worker
killed mid-send leaves the lease to expire; the beat task ``dispatch_webhooks`` then sends it again,
with the same id. No database transaction is open while the receiver is called.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from transactions.exchange.webhooks import addresses, notifications, signing
from transactions.exchange.webhooks.addresses import Target
from transactions.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

USER_AGENT = "merchant-reporting-portal-webhooks/1"
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
RESPONSE_READ = 64 * 1024  # read (and drop) at most this much of an answer
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number ``attempt``: 30 s, doubling, at most 2 h."""
    return min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_WAIT)


def lease() -> timedelta:
    # Longer than any send can take (the connect and the read are each bounded by the timeout).
    return timedelta(seconds=3 * settings.WEBHOOK_TIMEOUT_SECONDS + 10)


def body_of(event: WebhookEvent) -> bytes:
    """The request body: the same bytes for every attempt of every delivery of the event."""
    payload = {
        "id": event.public_id,
        "type": event.event_type,
        "time": event.occurred_at.isoformat(),
        "data": event.data,
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()


@dataclass
class Answer:
    status_code: int | None
    elapsed_ms: int
    error: str
    retry: bool

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the host name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate and SNI for the host name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url`` (checked again against SSRF); never follows a redirect."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = addresses.resolve(url)
    except ValidationError as exc:
        # A name that does not resolve may come back; a private address will not.
        return Answer(None, elapsed(), " ".join(exc.messages)[:300], exc.code == "dns")
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_READ)
        code = response.status
    except TimeoutError:
        return Answer(None, elapsed(), f"Timed out after {timeout} s", True)
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, elapsed(), f"{type(exc).__name__}: {exc}"[:300], True)
    finally:
        connection.close()
    retry = code >= 500 or code == 429
    error = "" if 200 <= code < 300 else f"HTTP {code}"
    return Answer(code, elapsed(), error, retry)


def delivery_claim(
    *, delivery_id: int, manual: bool = False, now: datetime | None = None
) -> tuple[WebhookDelivery, WebhookAttempt] | None:
    """Take a due delivery for sending (one sender at a time); None when there is nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id, status__in=OPEN, next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .first()
        )
        if delivery is None:
            return None
        lost = delivery.attempt_log.filter(succeeded__isnull=True)
        lost.update(succeeded=False, error="The worker sending it was lost; sent again.")
        if delivery.endpoint.status != EndpointStatus.ACTIVE:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = "The endpoint is disabled."
            delivery.leased_until = None
            delivery.save(update_fields=["status", "last_error", "leased_until"])
            return None
        delivery.attempts += 1
        delivery.leased_until = now + lease()
        delivery.save(update_fields=["attempts", "leased_until"])
        attempt = WebhookAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, started_at=now, manual=manual
        )
    return delivery, attempt


def headers_for(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.EVENT_ID_HEADER: delivery.event.public_id,
        signing.EVENT_TYPE_HEADER: delivery.event.event_type,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(
            secret=delivery.endpoint.secret, timestamp=timestamp, body=body
        ),
    }


def delivery_attempt(*, delivery_id: int, manual: bool = False) -> str | None:
    """Claim, send and record one attempt of the delivery; its status afterwards (None: not due)."""
    claimed = delivery_claim(delivery_id=delivery_id, manual=manual)
    if claimed is None:
        return None
    delivery, attempt = claimed
    body = body_of(delivery.event)
    answer = post(url=delivery.endpoint.url, body=body, headers=headers_for(delivery, body))
    return delivery_finish(delivery=delivery, attempt=attempt, answer=answer).status


@transaction.atomic
def delivery_finish(
    *,
    delivery: WebhookDelivery,
    attempt: WebhookAttempt,
    answer: Answer,
    now: datetime | None = None,
) -> WebhookDelivery:
    """Record the attempt; on failure, schedule the next one while the 24-hour window lasts."""
    now = now or timezone.now()
    locked = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
    if locked is None:
        return delivery  # its endpoint was deleted while the request was out: nothing to record
    delivery = locked
    attempt.status_code = answer.status_code
    attempt.response_ms = answer.elapsed_ms
    attempt.error = answer.error[:300]
    attempt.succeeded = answer.ok
    attempt.save(update_fields=["status_code", "response_ms", "error", "succeeded"])
    delivery.last_status_code = answer.status_code
    delivery.last_error = answer.error[:300]
    delivery.leased_until = None
    if answer.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
            consecutive_failures=0, failing_since=None
        )
    else:
        wait = backoff(delivery.attempts)
        if answer.retry and now + wait <= delivery.retry_until:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = now + wait
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
    delivery.save()
    if not answer.ok:
        # After the save: disabling the endpoint fails its open deliveries, this one included.
        endpoint_failed(endpoint_id=delivery.endpoint_id, now=now)
        delivery.refresh_from_db()
    return delivery


def endpoint_failed(*, endpoint_id: int, now: datetime) -> bool:
    """Count a failed attempt; disable the endpoint once it keeps failing. True if disabled now.

    Disabled after ``WEBHOOK_DISABLE_AFTER_FAILURES`` failed attempts in a row *and* no success for
    ``WEBHOOK_DISABLE_AFTER`` (24 h): a busy endpoint down for an hour fails ten attempts in
    minutes, and the deliveries' own 24-hour retries are there to carry it over such an outage.
    """
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since__isnull=True).update(
        failing_since=now
    )
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if not (
        endpoint.status == EndpointStatus.ACTIVE
        and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
        and endpoint.failing_since is not None
        and now - endpoint.failing_since >= settings.WEBHOOK_DISABLE_AFTER
    ):
        return False
    endpoint.status = EndpointStatus.DISABLED
    endpoint.disabled_at = now
    endpoint.disabled_reason = (
        f"{endpoint.consecutive_failures} failed attempts in a row since "
        f"{endpoint.failing_since.isoformat()}"
    )
    endpoint._change_reason = "disabled after repeated failures"  # type: ignore[attr-defined]
    endpoint.save()
    endpoint.deliveries.filter(status__in=OPEN).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="The endpoint was disabled."
    )
    transaction.on_commit(lambda: notifications.endpoint_disabled(endpoint), robust=True)
    return True


def deliveries_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Deliveries to send now: retries that are due, and new ones whose message was lost.

    A new delivery is queued when its event commits; the sweep leaves it a minute for that before
    sending it again, and takes any whose sender's lease ran out (a worker killed mid-send).
    """
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - timedelta(minutes=1))
        | Q(status__in=OPEN, leased_until__lt=now)
    ).filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
