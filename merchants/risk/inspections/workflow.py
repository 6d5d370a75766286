"""The states of an inspection and who may move it.

An on-site inspection is scheduled (generated), assigned to an inspector, checked in by that
inspector at the premises, and completed with an outcome. A photo request (a merchant without
fixed premises) is scheduled, the merchant hands photos in, and staff accept them or ask again.
Either may be cancelled by a lead with a reason. The services in
:mod:`merchants.risk.inspections.services` take the steps and record each one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from merchants.models import Inspection, InspectionKind, InspectionTransition, Membership, Role
from merchants.models import InspectionStatus as S
from portal.common.statemachine import StateMachine, Transition, all_guards

CONDUCT = "merchants.conduct_inspection"
ASSIGN = "merchants.assign_inspection"


def on_site(inspection: Inspection, actor: Any) -> bool | str:
    if inspection.kind != InspectionKind.ON_SITE:
        return _("This is a photo request, not an on-site inspection.")
    return True


def photo_request(inspection: Inspection, actor: Any) -> bool | str:
    if inspection.kind != InspectionKind.PHOTOS:
        return _("This is an on-site inspection, not a photo request.")
    return True


def the_inspector(inspection: Inspection, actor: Any) -> bool | str:
    """The inspector assigned checks in and decides: the record says who was there."""
    if actor is None or inspection.assignee_id != actor.pk:
        return _("Only the inspector assigned to this inspection can do this.")
    return True


def merchant_member(inspection: Inspection, actor: Any) -> bool | str:
    """The merchant's owner or staff hand in its photos (a viewer reads only)."""
    member = bool(actor) and (
        Membership.objects.filter(
            user_id=actor.pk,
            merchant_id=inspection.merchant_id,
            role__in=[Role.OWNER, Role.STAFF],
        ).exists()
    )
    return True if member else _("Only the merchant's owner or staff can hand in its photos.")


def has_photos(inspection: Inspection, actor: Any) -> bool | str:
    if not inspection.photos.filter(by_merchant=True).exists():
        return _("Add at least one photo of the business.")
    return True


INSPECTION = StateMachine(
    [
        Transition(
            "assign",
            _("Assign"),
            frozenset({S.SCHEDULED, S.ASSIGNED}),
            S.ASSIGNED,
            permission=ASSIGN,
            guard=on_site,
        ),
        Transition(
            "check_in",
            _("Check in"),
            frozenset({S.ASSIGNED}),
            S.CHECKED_IN,
            permission=CONDUCT,
            guard=all_guards(on_site, the_inspector),
        ),
        Transition(
            "complete",
            _("Record the outcome"),
            frozenset({S.CHECKED_IN}),
            S.COMPLETED,
            permission=CONDUCT,
            guard=all_guards(on_site, the_inspector),
        ),
        Transition(
            "submit_photos",
            _("Hand in the photos"),
            frozenset({S.SCHEDULED}),
            S.PHOTOS_SUBMITTED,
            guard=all_guards(photo_request, merchant_member, has_photos),
        ),
        Transition(
            "accept_photos",
            _("Accept the photos"),
            frozenset({S.PHOTOS_SUBMITTED}),
            S.COMPLETED,
            permission=CONDUCT,
            guard=photo_request,
        ),
        Transition(
            "ask_again",
            _("Ask for photos again"),
            frozenset({S.PHOTOS_SUBMITTED}),
            S.SCHEDULED,
            permission=CONDUCT,
            reason_required=True,
            guard=photo_request,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            frozenset({S.SCHEDULED, S.ASSIGNED, S.CHECKED_IN, S.PHOTOS_SUBMITTED}),
            S.CANCELLED,
            permission=ASSIGN,
            reason_required=True,
        ),
    ],
    record=InspectionTransition,
)
