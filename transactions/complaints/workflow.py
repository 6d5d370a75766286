"""The states of a cardholder complaint and who may move it (see portal/common/statemachine.py).

received → awaiting merchant → merchant answered → under review → upheld / rejected, and withdrawn
from any open state (by staff, or by the cardholder through the tracking page). Reviewers record,
forward and review; only leads decide, because upholding records a refund or reversal against the
merchant's report.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.common.statemachine import StateMachine, Transition
from transactions.alerts.workflow import merchant_answerer
from transactions.models import COMPLAINT_OPEN_STATUSES, ComplaintChannel, ComplaintTransition
from transactions.models import ComplaintStatus as S

HANDLE = "transactions.handle_complaint"
DECIDE = "transactions.decide_complaint"


def cardholder_itself(complaint: Any, actor: Any) -> bool | str:
    """The cardholder's own step: no signed-in user, on a complaint the cardholder brought.

    The tracking code is the cardholder's proof; the service checks it before taking the step.
    """
    if actor is not None or complaint.channel != ComplaintChannel.CARDHOLDER:
        return str(_("Only the cardholder can withdraw this way."))
    return True


COMPLAINT = StateMachine(
    [
        Transition(
            "ask_merchant",
            _("Ask the merchant"),
            frozenset({S.RECEIVED, S.UNDER_REVIEW}),
            S.AWAITING_MERCHANT,
            permission=HANDLE,
            reason_required=True,
        ),
        Transition(
            "merchant_answer",
            _("Answer"),
            frozenset({S.AWAITING_MERCHANT}),
            S.MERCHANT_ANSWERED,
            reason_required=True,
            guard=merchant_answerer,
        ),
        # From "awaiting the merchant" too: a merchant who never answers must not stall it.
        Transition(
            "review",
            _("Start review"),
            frozenset({S.RECEIVED, S.AWAITING_MERCHANT, S.MERCHANT_ANSWERED}),
            S.UNDER_REVIEW,
            permission=HANDLE,
        ),
        Transition(
            "uphold",
            _("Uphold"),
            frozenset({S.UNDER_REVIEW}),
            S.UPHELD,
            permission=DECIDE,
            reason_required=True,
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({S.UNDER_REVIEW}),
            S.REJECTED,
            permission=DECIDE,
            reason_required=True,
        ),
        Transition(
            "withdraw",
            _("Withdrawn by the cardholder"),
            frozenset(COMPLAINT_OPEN_STATUSES),
            S.WITHDRAWN,
            permission=HANDLE,
            reason_required=True,
        ),
        Transition(
            "cardholder_withdraw",
            _("Withdrawn by the cardholder"),
            frozenset(COMPLAINT_OPEN_STATUSES),
            S.WITHDRAWN,
            guard=cardholder_itself,
        ),
    ],
    record=ComplaintTransition,
)

# Transitions staff take in admin; ``merchant_answer`` is taken in the portal, ``uphold`` needs
# the remedy too and has its own form.
STAFF_TRANSITIONS = ("ask_merchant", "review", "reject", "withdraw")
# Steps whose reason is written for the merchant to read (the others are compliance's notes).
MERCHANT_VISIBLE = frozenset(
    {S.AWAITING_MERCHANT, S.MERCHANT_ANSWERED, S.UPHELD, S.REJECTED, S.WITHDRAWN}
)
