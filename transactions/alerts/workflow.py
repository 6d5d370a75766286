"""The states of an alert and who may move it (see portal/common/statemachine.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from merchants.models import Membership, Role
from portal.common.statemachine import StateMachine, Transition
from transactions.models import AlertStatus as S
from transactions.models import AlertTransition


def merchant_answerer(obj: Any, actor: Any) -> bool | str:
    """Guard: the actor is an owner or staff of ``obj``'s merchant (alerts, complaints)."""
    if (
        actor
        and Membership.objects.filter(
            user=actor, merchant_id=obj.merchant_id, role__in=[Role.OWNER, Role.STAFF]
        ).exists()
    ):
        return True
    return _("Only the merchant's owner or staff can answer.")


REVIEW = "transactions.review_alert"
DECIDE_ESCALATED = "transactions.decide_escalated_alert"
REVIEWABLE = frozenset({S.IN_REVIEW, S.MERCHANT_ANSWERED})

ALERT = StateMachine(
    [
        Transition(
            "take",
            _("Take for review"),
            frozenset({S.OPEN, S.MERCHANT_ANSWERED}),
            S.IN_REVIEW,
            permission=REVIEW,
        ),
        Transition(
            "ask_merchant",
            _("Ask the merchant"),
            frozenset({S.IN_REVIEW}),
            S.AWAITING_MERCHANT,
            permission=REVIEW,
            reason_required=True,
        ),
        Transition(
            "merchant_answer",
            _("Answer"),
            frozenset({S.OPEN, S.IN_REVIEW, S.AWAITING_MERCHANT}),
            S.MERCHANT_ANSWERED,
            guard=merchant_answerer,
        ),
        Transition(
            "clear", _("Clear"), REVIEWABLE, S.CLEARED, permission=REVIEW, reason_required=True
        ),
        Transition(
            "confirm",
            _("Confirm"),
            REVIEWABLE,
            S.CONFIRMED,
            permission=REVIEW,
            reason_required=True,
        ),
        Transition(
            "escalate",
            _("Escalate"),
            REVIEWABLE,
            S.ESCALATED,
            permission=REVIEW,
            reason_required=True,
        ),
        Transition(
            "clear_escalated",
            _("Clear (escalated)"),
            frozenset({S.ESCALATED}),
            S.CLEARED,
            permission=DECIDE_ESCALATED,
            reason_required=True,
        ),
        Transition(
            "confirm_escalated",
            _("Confirm (escalated)"),
            frozenset({S.ESCALATED}),
            S.CONFIRMED,
            permission=DECIDE_ESCALATED,
            reason_required=True,
        ),
    ],
    record=AlertTransition,
)
