"""The e-mail telling an endpoint's owner that it was disabled after failing for a day."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from merchants.models import Membership, Role
from portal.common.beijing import SHANGHAI
from transactions.models import WebhookEndpoint


def owners_of(endpoint: WebhookEndpoint) -> list[str]:
    """A merchant's endpoint: its owners; the acquirer's: the staff member who registered it."""
    if endpoint.merchant_id is None:
        user = endpoint.created_by
        return [user.email] if user is not None and user.email else []
    owners = Membership.objects.filter(
        merchant_id=endpoint.merchant_id, role=Role.OWNER, user__is_active=True
    ).select_related("user")
    return sorted({m.user.email for m in owners if m.user.email})


def _beijing(endpoint: WebhookEndpoint) -> str:
    since = endpoint.failing_since
    return since.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if since else "-"


def endpoint_disabled(endpoint: WebhookEndpoint) -> None:
    """Users have no language of their own here: the portal's language (settings.LANGUAGE_CODE)."""
    recipients = owners_of(endpoint)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
        message = _(
            "We stopped sending events to %(url)s: %(count)s attempts in a row failed since "
            "%(since)s.\n\nFix the receiver, then enable the endpoint again and send the failed "
            "deliveries again from its delivery log in the portal (Webhooks)."
        ) % {
            "url": endpoint.url,
            "count": endpoint.consecutive_failures,
            "since": _beijing(endpoint),
        }
    send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
