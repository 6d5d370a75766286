"""The states of an onboarding application and of a terminal, and who may move them.

These tables are the only place that says which transitions exist; services in
:mod:`merchants.services` take them and record each step.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import ApplicationStatus as A
from .models import Membership, Merchant, Role
from .models import TerminalStatus as T
from .selectors import completeness_guard
from .statemachine import StateMachine, Transition


def _is_merchant_editor(merchant: Merchant, actor: Any) -> bool | str:
    membership = Membership.objects.filter(user=actor, merchant=merchant).first() if actor else None
    if membership is None or membership.role not in (Role.OWNER, Role.STAFF):
        return _("Only the merchant's owner or staff can do this.")
    return True


def _has_tid(terminal: Any, actor: Any) -> bool | str:
    return True if terminal.tid else _("Assign a TID before activating the terminal.")


def _merchant_approved(terminal: Any, actor: Any) -> bool | str:
    return True if terminal.merchant.is_approved else _("The merchant is not approved.")


def _both(*guards: Any) -> Any:
    def guard(obj: Any, actor: Any) -> bool | str:
        for g in guards:
            verdict = g(obj, actor)
            if verdict is not True:
                return verdict
        return True

    return guard


APPLICATION = StateMachine(
    [
        Transition(
            "submit",
            _("Submit"),
            frozenset({A.DRAFT}),
            A.SUBMITTED,
            guard=_both(_is_merchant_editor, completeness_guard),
        ),
        Transition(
            "resubmit",
            _("Resubmit"),
            frozenset({A.INFO_REQUESTED}),
            A.RESUBMITTED,
            guard=_both(_is_merchant_editor, completeness_guard),
        ),
        Transition(
            "start_review",
            _("Start review"),
            frozenset({A.SUBMITTED, A.RESUBMITTED}),
            A.UNDER_REVIEW,
            permission="merchants.review_application",
        ),
        Transition(
            "approve",
            _("Approve"),
            frozenset({A.UNDER_REVIEW}),
            A.APPROVED,
            permission="merchants.approve_application",
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({A.UNDER_REVIEW}),
            A.REJECTED,
            permission="merchants.review_application",
            reason_required=True,
        ),
        Transition(
            "request_info",
            _("Ask for more information"),
            frozenset({A.UNDER_REVIEW}),
            A.INFO_REQUESTED,
            permission="merchants.review_application",
            reason_required=True,
        ),
    ]
)

TERMINAL = StateMachine(
    [
        Transition(
            "activate",
            _("Activate"),
            frozenset({T.PENDING, T.SUSPENDED}),
            T.ACTIVE,
            permission="merchants.manage_terminal",
            guard=_both(_has_tid, _merchant_approved),
        ),
        Transition(
            "suspend",
            _("Suspend"),
            frozenset({T.ACTIVE}),
            T.SUSPENDED,
            permission="merchants.manage_terminal",
            reason_required=True,
        ),
        Transition(
            "retire",
            _("Retire"),
            frozenset({T.PENDING, T.ACTIVE, T.SUSPENDED}),
            T.RETIRED,
            permission="merchants.manage_terminal",
            reason_required=True,
        ),
    ]
)
