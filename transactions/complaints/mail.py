"""E-mails about complaints, through Django's mail backend (console in development).

Never the complainant's name or contact: these go to the merchant and to staff mailboxes. Each in
its reader's language (``merchants.accounts.mail``), with times in Beijing time.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.accounts.groups import staff_holding
from merchants.accounts.mail import (
    Recipient,
    merchant_people,
    recipients_of,
    send_in_their_language,
)


def staff() -> list[Recipient]:
    """Everyone who handles complaints (and superusers)."""
    return recipients_of(staff_holding("handle_complaint"))


def _beijing(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _summary(complaint: Any) -> str:
    report = complaint.report
    return _(
        "#%(number)d %(reason)s: TID %(tid)s, RRN %(rrn)s, %(amount)s %(currency)s, %(when)s"
    ) % {
        "number": complaint.pk,
        "reason": _(complaint.reason.name),
        "tid": report.tid,
        "rrn": report.rrn,
        "amount": report.amount,
        "currency": report.currency,
        "when": _beijing(report.occurred_at),
    }


def merchant_asked(complaint: Any, question: str) -> None:
    def compose() -> tuple[str, str]:
        subject = _("Complaint #%(number)d needs your answer") % {"number": complaint.pk}
        body = _(
            "%(summary)s\n\n%(question)s\n\nAnswer by %(due)s (Beijing time) in the portal: "
            "%(link)s"
        ) % {
            "summary": _summary(complaint),
            "question": question,
            "due": _beijing(complaint.due_at),
            "link": f"/merchant/complaints/{complaint.pk}/",
        }
        return subject, body

    send_in_their_language(recipients=merchant_people(complaint.merchant_id), compose=compose)


def merchant_answered(complaint: Any) -> None:
    def compose() -> tuple[str, str]:
        subject = _("The merchant answered complaint #%(number)d") % {"number": complaint.pk}
        body = _("%(merchant)s answered: %(summary)s") % {
            "merchant": complaint.merchant,
            "summary": _summary(complaint),
        }
        return subject, body

    send_in_their_language(recipients=staff(), compose=compose)


def overdue(complaint: Any) -> None:
    """Tell staff and the merchant, separately (neither sees the other's addresses)."""

    def compose() -> tuple[str, str]:
        subject = _("Complaint #%(number)d is overdue") % {"number": complaint.pk}
        body = _(
            "%(summary)s\n\nThe answer was due %(due)s (Beijing time) and the complaint is still "
            "“%(status)s”."
        ) % {
            "summary": _summary(complaint),
            "due": _beijing(complaint.due_at),
            "status": complaint.get_status_display(),
        }
        return subject, body

    for recipients in (staff(), merchant_people(complaint.merchant_id)):
        send_in_their_language(recipients=recipients, compose=compose)
