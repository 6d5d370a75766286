"""E-mails about alerts, through Django's mail backend (console in development).

Each in its reader's language (``merchants.accounts.mail``): the explanation, the rule's name and
every label are read under the recipient's language, not the language of whoever acted.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from merchants.accounts.groups import staff_holding
from merchants.accounts.mail import (
    Recipient,
    merchant_people,
    recipients_of,
    send_in_their_language,
)


def _staff() -> list[Recipient]:
    """Active staff who may review alerts (through a group or on their own) and superusers."""
    return recipients_of(staff_holding("review_alert"))


def new_serious_alerts(alerts: list[Any]) -> None:
    """One e-mail to compliance staff listing the new high-severity alerts of a run."""
    recipients = _staff()
    if not alerts or not recipients:
        return

    def compose() -> tuple[str, str]:
        subject = ngettext(
            "%(count)d new high-severity alert", "%(count)d new high-severity alerts", len(alerts)
        ) % {"count": len(alerts)}
        lines = [
            f"#{a.pk} [{a.get_severity_display()}] {a.rule.label} · {a.merchant}: "
            f"{a.get_explanation_display()}"
            for a in alerts
        ]
        return subject, "\n".join(lines)

    send_in_their_language(recipients=recipients, compose=compose)


def merchant_asked(alert: Any, question: str) -> None:
    def compose() -> tuple[str, str]:
        subject = _("Alert #%(number)d needs your answer") % {"number": alert.pk}
        body = _("%(explanation)s\n\n%(question)s\n\nAnswer in the portal: %(link)s") % {
            "explanation": alert.get_explanation_display(),
            "question": question,
            "link": f"/merchant/alerts/{alert.pk}/",
        }
        return subject, body

    send_in_their_language(recipients=merchant_people(alert.merchant_id), compose=compose)


def merchant_answered(alert: Any) -> None:
    assignee = alert.assignee
    if assignee is None or not assignee.email or not assignee.is_active:
        return
    recipients = recipients_of(get_user_model().objects.filter(pk=assignee.pk))

    def compose() -> tuple[str, str]:
        subject = _("The merchant answered alert #%(number)d") % {"number": alert.pk}
        body = _("%(merchant)s answered alert #%(number)d: %(explanation)s") % {
            "merchant": alert.merchant,
            "number": alert.pk,
            "explanation": alert.get_explanation_display(),
        }
        return subject, body

    send_in_their_language(recipients=recipients, compose=compose)
