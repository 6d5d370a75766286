"""The e-mail telling an endpoint's owner that it was disabled after failing for a day."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from merchants.accounts.mail import Recipient, recipients_of, send_in_their_language
from merchants.models import Role
from portal.common.beijing import SHANGHAI
from transactions.models import WebhookEndpoint


def owners_of(endpoint: WebhookEndpoint) -> list[Recipient]:
    """A merchant's endpoint: its active owners; the acquirer's: the staff member who registered it."""
    users = get_user_model().objects.filter(is_active=True)
    if endpoint.merchant_id is None:
        users = users.filter(pk=endpoint.created_by_id)
    else:
        users = users.filter(
            membership__merchant_id=endpoint.merchant_id, membership__role=Role.OWNER
        )
    return recipients_of(users)


def _beijing(endpoint: WebhookEndpoint) -> str:
    since = endpoint.failing_since
    return since.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if since else "-"


def endpoint_disabled(endpoint: WebhookEndpoint) -> None:
    """Tell the endpoint's owners, each in the language they chose for their e-mails."""

    def compose() -> tuple[str, str]:
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
        return subject, message

    send_in_their_language(recipients=owners_of(endpoint), compose=compose)
