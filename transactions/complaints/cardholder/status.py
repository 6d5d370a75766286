"""A complaint's state in plain words for the cardholder (not the workflow's staff labels)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transactions.models import Complaint, ComplaintOutcome, ComplaintStatus

STATUS_WORDS: dict[str, Promise] = {
    ComplaintStatus.RECEIVED: gettext_lazy("Received: we will look into it."),
    ComplaintStatus.AWAITING_MERCHANT: gettext_lazy(
        "We have asked the merchant to explain the charge."
    ),
    ComplaintStatus.MERCHANT_ANSWERED: gettext_lazy(
        "The merchant has answered; we are checking it."
    ),
    ComplaintStatus.UNDER_REVIEW: gettext_lazy("Our compliance team is deciding."),
    ComplaintStatus.UPHELD: gettext_lazy("Decided in your favour."),
    ComplaintStatus.REJECTED: gettext_lazy("Decided: not upheld."),
    ComplaintStatus.WITHDRAWN: gettext_lazy("Withdrawn."),
}


@dataclass(frozen=True)
class PlainStatus:
    number: int
    status: str
    words: Promise | str
    is_open: bool
    deadline: datetime | None
    outcome: str
    received_at: datetime


def _outcome(complaint: Complaint) -> str:
    if complaint.status == ComplaintStatus.UPHELD:
        if complaint.outcome == ComplaintOutcome.REFUND and complaint.refund_amount:
            return _("The merchant refunds CNY %(amount)s to your card or account.") % {
                "amount": complaint.refund_amount
            }
        return _("The whole charge is reversed: the money goes back to your card or account.")
    if complaint.status == ComplaintStatus.REJECTED:
        return _(
            "After checking the merchant's records we found the charge correct. If you still "
            "disagree, contact the bank that issued your card."
        )
    if complaint.status == ComplaintStatus.WITHDRAWN:
        return _("The complaint was withdrawn; nothing more will be done about it.")
    return ""


def plain_status(complaint: Complaint) -> PlainStatus:
    is_open = not complaint.is_resolved
    return PlainStatus(
        number=complaint.pk,
        status=complaint.status,
        words=STATUS_WORDS[complaint.status],
        is_open=is_open,
        deadline=complaint.due_at if is_open else None,
        outcome=_outcome(complaint),
        received_at=complaint.created_at,
    )
