"""Every transition of an onboarding application, allowed and refused."""

import pytest
from django.core.exceptions import PermissionDenied

from merchants.models import ApplicationStatus, ApplicationTransition, Merchant, Role
from merchants.onboarding.services import application_transition
from portal.common.statemachine import TransitionNotAllowed
from tests.factories import MembershipFactory, MerchantFactory, StaffFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus


@pytest.fixture
def owner():
    merchant = MerchantFactory(with_documents=True)
    return MembershipFactory(merchant=merchant, role=Role.OWNER).user


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def reviewer():
    return StaffFactory(groups=["compliance reviewer"])


def _merchant(user):
    return user.membership.merchant


def _set(merchant, status):
    Merchant.objects.filter(pk=merchant.pk).update(status=status)
    merchant.refresh_from_db()
    return merchant


def test_owner_submits_a_complete_draft(owner):
    merchant = application_transition(merchant=_merchant(owner), name="submit", actor=owner)
    assert merchant.status == S.SUBMITTED
    assert merchant.submitted_at is not None
    step = ApplicationTransition.objects.get(merchant=merchant)
    assert (step.from_status, step.to_status, step.actor) == (S.DRAFT, S.SUBMITTED, owner)


def test_incomplete_application_cannot_be_submitted():
    merchant = MerchantFactory(uscc="")  # no documents, no USCC
    owner = MembershipFactory(merchant=merchant).user
    with pytest.raises(TransitionNotAllowed) as exc:
        application_transition(merchant=merchant, name="submit", actor=owner)
    assert "unified social credit code" in str(exc.value)
    assert "Business licence" in str(exc.value)
    assert Merchant.objects.get(pk=merchant.pk).status == S.DRAFT


def test_viewer_cannot_submit():
    merchant = MerchantFactory(with_documents=True)
    viewer = MembershipFactory(merchant=merchant, role=Role.VIEWER).user
    with pytest.raises(TransitionNotAllowed):
        application_transition(merchant=merchant, name="submit", actor=viewer)


def test_user_of_another_merchant_cannot_submit(owner):
    stranger = MembershipFactory().user
    with pytest.raises(TransitionNotAllowed):
        application_transition(merchant=_merchant(owner), name="submit", actor=stranger)


def test_reviewer_starts_review_and_becomes_reviewer(owner, reviewer):
    merchant = _set(_merchant(owner), S.SUBMITTED)
    merchant = application_transition(merchant=merchant, name="start_review", actor=reviewer)
    assert merchant.status == S.UNDER_REVIEW
    assert merchant.reviewer == reviewer


def test_lead_approves_and_a_mid_is_assigned(owner, lead):
    merchant = _set(_merchant(owner), S.UNDER_REVIEW)
    merchant = application_transition(merchant=merchant, name="approve", actor=lead)
    assert merchant.status == S.APPROVED
    assert merchant.approved_at is not None
    # acquirer 898 + Shanghai 3100 + MCC 5411 + sequence 0001
    assert merchant.mid == "898310054110001"


def test_mids_are_unique_and_sequential_per_region_and_mcc(lead):
    mids = []
    for _ in range(3):
        merchant = MerchantFactory(status=S.UNDER_REVIEW)
        mids.append(application_transition(merchant=merchant, name="approve", actor=lead).mid)
    assert mids == ["898310054110001", "898310054110002", "898310054110003"]


def test_reviewer_without_approve_permission_cannot_approve(owner, reviewer):
    merchant = _set(_merchant(owner), S.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        application_transition(merchant=merchant, name="approve", actor=reviewer)
    assert Merchant.objects.get(pk=merchant.pk).mid is None


def test_merchant_user_cannot_approve_itself(owner):
    merchant = _set(_merchant(owner), S.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        application_transition(merchant=merchant, name="approve", actor=owner)


@pytest.mark.parametrize("name", ["reject", "request_info"])
def test_reject_and_request_info_need_a_reason(owner, reviewer, name):
    merchant = _set(_merchant(owner), S.UNDER_REVIEW)
    with pytest.raises(TransitionNotAllowed):
        application_transition(merchant=merchant, name=name, actor=reviewer, reason="  ")
    assert Merchant.objects.get(pk=merchant.pk).status == S.UNDER_REVIEW


def test_request_info_then_resubmit_then_review_again(owner, reviewer):
    merchant = _set(_merchant(owner), S.UNDER_REVIEW)
    merchant = application_transition(
        merchant=merchant, name="request_info", actor=reviewer, reason="Licence scan is blurred"
    )
    assert merchant.status == S.INFO_REQUESTED
    assert merchant.is_editable
    merchant = application_transition(merchant=merchant, name="resubmit", actor=owner)
    assert merchant.status == S.RESUBMITTED
    merchant = application_transition(merchant=merchant, name="start_review", actor=reviewer)
    assert merchant.status == S.UNDER_REVIEW
    reasons = list(merchant.transitions.values_list("reason", flat=True))
    assert reasons == ["Licence scan is blurred", "", ""]


def test_reject_records_the_reason(owner, reviewer):
    merchant = _set(_merchant(owner), S.UNDER_REVIEW)
    application_transition(merchant=merchant, name="reject", actor=reviewer, reason="Fake licence")
    step = merchant.transitions.get()
    assert (step.to_status, step.reason, step.actor) == (S.REJECTED, "Fake licence", reviewer)


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (S.DRAFT, "start_review"),
        (S.DRAFT, "approve"),
        (S.DRAFT, "resubmit"),
        (S.SUBMITTED, "approve"),
        (S.SUBMITTED, "submit"),
        (S.SUBMITTED, "reject"),
        (S.APPROVED, "submit"),
        (S.APPROVED, "reject"),
        (S.APPROVED, "start_review"),
        (S.REJECTED, "approve"),
        (S.REJECTED, "submit"),
        (S.INFO_REQUESTED, "approve"),
        (S.RESUBMITTED, "approve"),
        (S.UNDER_REVIEW, "submit"),
    ],
)
def test_illegal_transitions_are_refused(owner, lead, status, name):
    lead.is_superuser = True  # every permission: only the state may refuse
    lead.save()
    merchant = _set(_merchant(owner), status)
    actor = owner if name in ("submit", "resubmit") else lead
    with pytest.raises(TransitionNotAllowed):
        application_transition(merchant=merchant, name=name, actor=actor, reason="why")
    assert Merchant.objects.get(pk=merchant.pk).status == status
    assert not ApplicationTransition.objects.exists()


def test_unknown_transition_is_refused(owner):
    with pytest.raises(TransitionNotAllowed):
        application_transition(merchant=_merchant(owner), name="teleport", actor=owner)


def test_every_change_to_the_merchant_is_on_record(owner, lead):
    merchant = _set(_merchant(owner), S.UNDER_REVIEW)
    application_transition(merchant=merchant, name="approve", actor=lead)
    latest = merchant.history.latest()
    assert latest.status == S.APPROVED
    assert latest.history_change_reason == "approve"
