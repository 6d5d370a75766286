"""The states of a change request and who may move it.

Reviewed like the application, with one rule more: maker–checker. Whoever asked for the change
(or handed it in again) cannot approve it, and approval is reached only through a review: there
is no step from a merchant's state straight to approved. The services in
:mod:`merchants.risk.changes.services` take the steps and record each one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from merchants.models import ChangeRequest, ChangeRequestTransition, Membership, Role
from merchants.models import ChangeStatus as C
from portal.common.statemachine import StateMachine, Transition, all_guards


def is_owner(change: ChangeRequest, actor: Any) -> bool | str:
    """Key information is the owner's to change: staff and viewers of the merchant read only."""
    owner = bool(actor) and (
        Membership.objects.filter(
            user_id=actor.pk, merchant_id=change.merchant_id, role=Role.OWNER
        ).exists()
    )
    return True if owner else _("Only the merchant's owner can do this.")


def makers(change: ChangeRequest) -> set[int]:
    """The users who asked for the change or handed it in: none of them may approve it."""
    handed_in = change.transitions.filter(
        to_status__in=[C.SUBMITTED, C.RESUBMITTED], actor__isnull=False
    ).values_list("actor_id", flat=True)
    return {pk for pk in (change.requested_by_id, *handed_in) if pk is not None}


def not_a_maker(change: ChangeRequest, actor: Any) -> bool | str:
    if actor is None or actor.pk in makers(change):
        return _("Whoever asked for a change cannot approve it: another reviewer must.")
    return True


def merchant_approved(change: ChangeRequest, actor: Any) -> bool | str:
    if not change.merchant.is_approved:
        return _("Only an approved merchant's information is changed by a change request.")
    return True


REVIEW = "merchants.review_changerequest"

CHANGE = StateMachine(
    [
        Transition(
            "submit",
            _("Submit"),
            frozenset({C.DRAFT}),
            C.SUBMITTED,
            guard=all_guards(is_owner, merchant_approved),
        ),
        Transition(
            "resubmit",
            _("Resubmit"),
            frozenset({C.INFO_REQUESTED}),
            C.RESUBMITTED,
            guard=is_owner,
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            frozenset({C.SUBMITTED, C.UNDER_REVIEW, C.INFO_REQUESTED, C.RESUBMITTED}),
            C.WITHDRAWN,
            guard=is_owner,
        ),
        Transition(
            "start_review",
            _("Start review"),
            frozenset({C.SUBMITTED, C.RESUBMITTED}),
            C.UNDER_REVIEW,
            permission=REVIEW,
        ),
        Transition(
            "approve",
            _("Approve and apply"),
            frozenset({C.UNDER_REVIEW}),
            C.APPROVED,
            permission="merchants.approve_changerequest",
            guard=all_guards(not_a_maker, merchant_approved),
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({C.UNDER_REVIEW}),
            C.REJECTED,
            permission=REVIEW,
            reason_required=True,
        ),
        Transition(
            "request_info",
            _("Ask for more information"),
            frozenset({C.UNDER_REVIEW}),
            C.INFO_REQUESTED,
            permission=REVIEW,
            reason_required=True,
        ),
    ],
    record=ChangeRequestTransition,
)

# Steps after which the merchant is told by e-mail.
DECISIONS = frozenset({"approve", "reject", "request_info"})
