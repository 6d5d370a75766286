"""Maker–checker, who may do what, and that a request cannot skip its review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from merchants.models import (
    ChangeKind,
    ChangeRequestTransition,
    ChangeStatus,
    Membership,
    Role,
)
from merchants.risk.changes.services import change_document_add, change_request_transition
from tests.factories import MembershipFactory, MerchantFactory, png_upload
from tests.merchants.risk.changes.helpers import (
    approve,
    ask,
    lead,
    owned_merchant,
    review,
    reviewer,
)

pytestmark = pytest.mark.django_db


def test_whoever_asked_cannot_approve():
    merchant, _owner = owned_merchant()
    maker = lead()  # a compliance lead who also owns the merchant
    Membership.objects.create(user=maker, merchant=merchant, role=Role.OWNER)
    change = review(ask(merchant, maker))
    with pytest.raises(ValidationError, match="cannot approve"):
        approve(change, by=maker)
    change.refresh_from_db()
    merchant.refresh_from_db()
    assert change.status == ChangeStatus.UNDER_REVIEW
    assert merchant.legal_name != change.new_values["legal_name"]
    assert approve(change).status == ChangeStatus.APPROVED  # another lead may


def test_whoever_handed_it_in_again_cannot_approve():
    merchant, owner = owned_merchant()
    second = lead()  # a second owner of the merchant, who is also a compliance lead
    Membership.objects.create(user=second, merchant=merchant, role=Role.OWNER)
    change = review(ask(merchant, owner))
    change = change_request_transition(
        change=change, name="request_info", actor=reviewer(), reason="?"
    )
    change = review(change_request_transition(change=change, name="resubmit", actor=second))
    with pytest.raises(ValidationError, match="cannot approve"):
        approve(change, by=second)


@pytest.mark.parametrize("state", ["submit", "resubmit"])
def test_no_step_leads_straight_from_the_merchant_to_approved(state):
    merchant, owner = owned_merchant()
    change = ask(merchant, owner)
    if state == "resubmit":
        change = review(change)
        change = change_request_transition(
            change=change, name="request_info", actor=lead(), reason="?"
        )
        change = change_request_transition(change=change, name="resubmit", actor=owner)
    with pytest.raises(ValidationError, match="Cannot approve"):
        approve(change)


def test_a_reviewer_without_the_approval_right_cannot_approve():
    merchant, owner = owned_merchant()
    change = review(ask(merchant, owner))
    with pytest.raises(PermissionDenied):
        approve(change, by=reviewer())


def test_the_merchant_cannot_review_its_own_request():
    merchant, owner = owned_merchant()
    change = ask(merchant, owner)
    with pytest.raises(PermissionDenied):
        review(change, by=owner)


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_only_the_owner_asks(role):
    merchant, _owner = owned_merchant()
    colleague = MembershipFactory(merchant=merchant, role=role).user
    with pytest.raises(PermissionDenied):
        ask(merchant, colleague)


def test_an_owner_of_another_merchant_cannot_ask():
    merchant, _owner = owned_merchant()
    _other, intruder = owned_merchant()
    with pytest.raises(PermissionDenied):
        ask(merchant, intruder)


def test_staff_cannot_ask_for_a_merchant():
    merchant, _owner = owned_merchant()
    with pytest.raises(PermissionDenied):
        ask(merchant, lead())


def test_before_approval_the_application_is_changed_instead():
    membership = MembershipFactory(merchant=MerchantFactory(), role=Role.OWNER)
    with pytest.raises(ValidationError) as caught:
        ask(membership.merchant, membership.user)
    assert caught.value.code == "not_approved"


def test_reject_and_ask_for_more_need_a_reason():
    merchant, owner = owned_merchant()
    change = review(ask(merchant, owner))
    for name in ("reject", "request_info"):
        with pytest.raises(ValidationError, match="reason is required"):
            change_request_transition(change=change, name=name, actor=lead(), reason=" ")


def test_documents_are_added_only_when_asked_for():
    merchant, owner = owned_merchant()
    change = ask(merchant, owner)
    with pytest.raises(ValidationError):
        change_document_add(change=change, actor=owner, upload=png_upload())


def test_another_user_cannot_withdraw():
    merchant, owner = owned_merchant()
    change = ask(merchant, owner)
    viewer = MembershipFactory(merchant=merchant, role=Role.VIEWER).user
    with pytest.raises(ValidationError, match="owner"):
        change_request_transition(change=change, name="withdraw", actor=viewer)


def test_every_step_is_recorded_with_who_and_why():
    merchant, owner = owned_merchant()
    the_reviewer, the_lead = reviewer(), lead()
    change = review(ask(merchant, owner), by=the_reviewer)
    change = approve(change, by=the_lead, reason="licence checked")
    steps = list(
        ChangeRequestTransition.objects.filter(change=change).values_list(
            "from_status", "to_status", "actor", "reason"
        )
    )
    assert steps == [
        ("draft", "submitted", owner.pk, ""),
        ("submitted", "under_review", the_reviewer.pk, ""),
        ("under_review", "approved", the_lead.pk, "licence checked"),
    ]
    assert change.requested_by == owner and change.decided_by == the_lead
    assert change.reason == "公司更名 / renamed"


def test_the_merchant_history_records_the_change_and_its_request():
    merchant, owner = owned_merchant()
    old_name = merchant.legal_name
    change = approve(review(ask(merchant, owner)))
    latest = merchant.history.order_by("-history_date", "-history_id").first()
    assert latest.legal_name == change.new_values["legal_name"]
    assert latest.history_change_reason == f"change request #{change.pk} (legal_name) approved"
    assert latest.prev_record.legal_name == old_name


def test_the_request_has_its_own_history():
    merchant, owner = owned_merchant()
    change = approve(review(ask(merchant, owner)))
    statuses = [h.status for h in change.history.order_by("history_date", "history_id")]
    assert statuses == ["draft", "submitted", "under_review", "approved"]


def test_a_uscc_taken_meanwhile_refuses_the_approval_and_changes_nothing():
    merchant, owner = owned_merchant()
    change = review(ask(merchant, owner, ChangeKind.USCC))
    MerchantFactory(uscc=change.new_values["uscc"])
    with pytest.raises(ValidationError):
        approve(change)
    change.refresh_from_db()
    assert change.status == ChangeStatus.UNDER_REVIEW
