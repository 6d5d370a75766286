"""The states of an onboarding application and who may move it.

This table is the only place that says which transitions exist; the services in
:mod:`merchants.onboarding.services` take them and record each step (a terminal's states are in
:mod:`merchants.terminals.workflow`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from merchants.models import ApplicationStatus as A
from merchants.models import ApplicationTransition, Membership, Merchant, Role
from merchants.onboarding.selectors import completeness_guard
from merchants.risk.providers.selectors import provider_guard
from merchants.risk.risklist.selectors import risk_list_guard
from portal.common.statemachine import StateMachine, Transition, all_guards


def _is_merchant_editor(merchant: Merchant, actor: Any) -> bool | str:
    membership = Membership.objects.filter(user=actor, merchant=merchant).first() if actor else None
    if membership is None or membership.role not in (Role.OWNER, Role.STAFF):
        return _("Only the merchant's owner or staff can do this.")
    return True


APPLICATION = StateMachine(
    [
        Transition(
            "submit",
            _("Submit"),
            frozenset({A.DRAFT}),
            A.SUBMITTED,
            guard=all_guards(_is_merchant_editor, completeness_guard, provider_guard),
        ),
        Transition(
            "resubmit",
            _("Resubmit"),
            frozenset({A.INFO_REQUESTED}),
            A.RESUBMITTED,
            guard=all_guards(_is_merchant_editor, completeness_guard, provider_guard),
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
            guard=all_guards(provider_guard, risk_list_guard),
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
    ],
    record=ApplicationTransition,
)
