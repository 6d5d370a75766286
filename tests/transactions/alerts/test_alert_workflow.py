"""The alert review workflow and holds at the service level: every step, who may take it, what is kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from merchants.models import Role
from portal.common.statemachine import TransitionNotAllowed
from tests.factories import MembershipFactory, StaffFactory, png_upload
from tests.transactions.alert_factories import AlertFactory, raised_alert
from transactions.alerts.services import alert_answer, alert_transition, alerts_assign
from transactions.models import Alert, AlertResponse, AlertStatus, Hold
from transactions.reports.holds import hold_place, hold_release

pytestmark = pytest.mark.django_db

S = AlertStatus


@pytest.fixture
def reviewer():
    return StaffFactory(groups=["compliance reviewer"])


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


def _member(alert, role=Role.OWNER):
    return MembershipFactory(merchant=alert.merchant, role=role).user


def _steps(alert):
    return list(alert.transitions.values_list("from_status", "to_status", "actor", "reason"))


# --- the happy paths -------------------------------------------------------------------------


def test_take_moves_an_open_alert_into_review_and_assigns_the_reviewer(reviewer):
    alert = alert_transition(alert=AlertFactory(), name="take", actor=reviewer)
    assert alert.status == S.IN_REVIEW and alert.assignee == reviewer
    assert _steps(alert) == [(S.OPEN, S.IN_REVIEW, reviewer.pk, "")]


def test_take_keeps_the_reviewer_the_alert_was_assigned_to(reviewer, lead):
    alert = AlertFactory(assignee=reviewer)
    alert = alert_transition(alert=alert, name="take", actor=lead)
    assert alert.assignee == reviewer


def test_full_path_ask_answer_take_confirm_records_every_step(reviewer):
    alert = alert_transition(alert=AlertFactory(), name="take", actor=reviewer)
    alert = alert_transition(
        alert=alert, name="ask_merchant", actor=reviewer, reason="  Whose card is it?  "
    )
    owner = _member(alert)
    alert_answer(alert=alert, actor=owner, text="Our manager's own card.")
    alert = alert_transition(alert=alert, name="take", actor=reviewer)
    alert = alert_transition(alert=alert, name="confirm", actor=reviewer, reason="Cash-out.")
    assert alert.status == S.CONFIRMED and alert.is_resolved
    assert _steps(alert) == [
        (S.OPEN, S.IN_REVIEW, reviewer.pk, ""),
        (S.IN_REVIEW, S.AWAITING_MERCHANT, reviewer.pk, "Whose card is it?"),
        (S.AWAITING_MERCHANT, S.MERCHANT_ANSWERED, owner.pk, ""),
        (S.MERCHANT_ANSWERED, S.IN_REVIEW, reviewer.pk, ""),
        (S.IN_REVIEW, S.CONFIRMED, reviewer.pk, "Cash-out."),
    ]
    assert all(t.created_at for t in alert.transitions.all())


@pytest.mark.parametrize(
    ("name", "target"), [("clear", S.CLEARED), ("confirm", S.CONFIRMED), ("escalate", S.ESCALATED)]
)
@pytest.mark.parametrize("source", [S.IN_REVIEW, S.MERCHANT_ANSWERED])
def test_reviewer_decides_from_review_or_after_the_answer(reviewer, source, name, target):
    alert = AlertFactory(status=source, assignee=reviewer)
    alert = alert_transition(alert=alert, name=name, actor=reviewer, reason="Checked the receipts.")
    assert alert.status == target
    assert _steps(alert) == [(source, target, reviewer.pk, "Checked the receipts.")]


@pytest.mark.parametrize(
    ("name", "target"), [("clear_escalated", S.CLEARED), ("confirm_escalated", S.CONFIRMED)]
)
def test_lead_decides_escalated_alerts(lead, name, target):
    alert = alert_transition(
        alert=AlertFactory(status=S.ESCALATED), name=name, actor=lead, reason="Decided."
    )
    assert alert.status == target


def test_each_step_is_in_the_alerts_history_with_its_reason(reviewer):
    alert = alert_transition(alert=AlertFactory(), name="take", actor=reviewer)
    alert_transition(alert=alert, name="clear", actor=reviewer, reason="Refund explained.")
    latest = alert.history.latest()
    assert latest.status == S.CLEARED and latest.history_change_reason == "clear: Refund explained."


# --- refused transitions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "name"),
    [
        (S.OPEN, "ask_merchant"),
        (S.OPEN, "clear"),
        (S.OPEN, "confirm"),
        (S.AWAITING_MERCHANT, "confirm"),
        (S.IN_REVIEW, "take"),
        (S.IN_REVIEW, "clear_escalated"),
        (S.CLEARED, "take"),
        (S.CONFIRMED, "escalate"),
    ],
)
def test_transition_from_the_wrong_state_is_refused(lead, source, name):
    alert = AlertFactory(status=source)
    with pytest.raises(TransitionNotAllowed) as refused:
        alert_transition(alert=alert, name=name, actor=lead, reason="Because.")
    assert refused.value.code == "invalid_state"
    alert.refresh_from_db()
    assert alert.status == source and not alert.transitions.exists()


@pytest.mark.parametrize("name", ["ask_merchant", "clear", "confirm", "escalate"])
def test_decisions_and_questions_need_a_reason(reviewer, name):
    alert = AlertFactory(status=S.IN_REVIEW)
    with pytest.raises(TransitionNotAllowed) as refused:
        alert_transition(alert=alert, name=name, actor=reviewer, reason="   ")
    assert refused.value.code == "reason_required"


def test_staff_without_the_reviewer_group_cannot_take_alerts():
    with pytest.raises(PermissionDenied):
        alert_transition(alert=AlertFactory(), name="take", actor=StaffFactory())


def test_a_reviewer_cannot_decide_an_escalated_alert(reviewer):
    alert = AlertFactory(status=S.ESCALATED)
    with pytest.raises(PermissionDenied):
        alert_transition(alert=alert, name="confirm_escalated", actor=reviewer, reason="Sure.")


def test_the_merchant_cannot_take_transitions_meant_for_staff():
    alert = AlertFactory(status=S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        alert_transition(alert=alert, name="clear", actor=_member(alert), reason="All fine.")


def test_unknown_transition_is_refused(reviewer):
    with pytest.raises(TransitionNotAllowed, match="Unknown action"):
        alert_transition(alert=AlertFactory(), name="delete", actor=reviewer)


# --- the merchant's answer -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.STAFF])
def test_owner_or_staff_answer_with_evidence(role):
    alert = AlertFactory(status=S.AWAITING_MERCHANT)
    user = _member(alert, role)
    response = alert_answer(
        alert=alert, actor=user, text=" A refund, see receipt. ", attachment=png_upload("r.png")
    )
    alert.refresh_from_db()
    assert alert.status == S.MERCHANT_ANSWERED
    assert response.author == user and response.text == "A refund, see receipt."
    assert response.attachment_name == "r.png" and response.attachment.read().startswith(b"\x89PNG")


def test_a_viewer_cannot_answer():
    alert = AlertFactory(status=S.AWAITING_MERCHANT)
    with pytest.raises(TransitionNotAllowed, match="owner or staff"):
        alert_answer(alert=alert, actor=_member(alert, Role.VIEWER), text="It was us.")
    assert not AlertResponse.objects.exists()


def test_another_merchants_owner_cannot_answer():
    alert = AlertFactory(status=S.AWAITING_MERCHANT)
    stranger = MembershipFactory(role=Role.OWNER).user
    with pytest.raises(TransitionNotAllowed):
        alert_answer(alert=alert, actor=stranger, text="It was us.")
    alert.refresh_from_db()
    assert alert.status == S.AWAITING_MERCHANT


def test_staff_cannot_answer_for_the_merchant(lead):
    alert = AlertFactory(status=S.AWAITING_MERCHANT)
    with pytest.raises(TransitionNotAllowed):
        alert_answer(alert=alert, actor=lead, text="Answering for them.")


def test_an_empty_answer_is_refused():
    alert = AlertFactory(status=S.AWAITING_MERCHANT)
    with pytest.raises(TransitionNotAllowed, match="Write your answer"):
        alert_answer(alert=alert, actor=_member(alert), text="  ")


def test_evidence_that_is_not_a_document_is_refused():
    alert = AlertFactory(status=S.AWAITING_MERCHANT)
    fake = SimpleUploadedFile("receipt.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        alert_answer(alert=alert, actor=_member(alert), text="See receipt.", attachment=fake)
    alert.refresh_from_db()
    assert alert.status == S.AWAITING_MERCHANT and not AlertResponse.objects.exists()


def test_a_resolved_alert_cannot_be_answered():
    alert = AlertFactory(status=S.CLEARED)
    with pytest.raises(TransitionNotAllowed):
        alert_answer(alert=alert, actor=_member(alert), text="Late answer.")


# --- assigning -------------------------------------------------------------------------------


def test_assigning_takes_open_alerts_into_review_for_the_assignee(lead, reviewer):
    alerts = [AlertFactory(), AlertFactory(status=S.IN_REVIEW)]
    assert alerts_assign(alerts=alerts, assignee=reviewer, actor=lead) == 2
    for alert in alerts:
        alert.refresh_from_db()
        assert alert.assignee == reviewer and alert.status == S.IN_REVIEW
    [step] = alerts[0].transitions.all()
    assert step.actor == lead and str(reviewer) in step.reason


def test_resolved_alerts_are_not_reassigned(lead, reviewer):
    cleared = AlertFactory(status=S.CLEARED, assignee=lead)
    assert alerts_assign(alerts=[cleared], assignee=reviewer, actor=lead) == 0
    cleared.refresh_from_db()
    assert cleared.assignee == lead


def test_only_reviewers_assign(reviewer):
    with pytest.raises(PermissionDenied):
        alerts_assign(alerts=[AlertFactory()], assignee=reviewer, actor=StaffFactory())


def test_alerts_are_assigned_only_to_reviewers(lead):
    alert = AlertFactory()
    with pytest.raises(PermissionDenied):
        alerts_assign(alerts=[alert], assignee=_member(alert), actor=lead)
    alert.refresh_from_db()
    assert alert.assignee is None and alert.status == S.OPEN


# --- holds -----------------------------------------------------------------------------------


@pytest.fixture
def high_alert():
    """A high-severity MCC-jumping alert raised by a real audit, with its report and terminal."""
    return raised_alert()


def _medium(alert, status=S.OPEN):
    Alert.objects.filter(pk=alert.pk).update(severity="medium", status=status)
    alert.refresh_from_db()
    return alert


def test_a_high_severity_alert_holds_its_reports_with_who_and_why(high_alert, lead):
    [hold] = hold_place(alert=high_alert, actor=lead, reason=" Suspected MCC jumping. ")
    assert hold.report == high_alert.reports.get() and hold.terminal is None
    assert hold.placed_by == lead and hold.reason == "Suspected MCC jumping."
    assert hold.is_active and hold.history.count() == 1


def test_a_confirmed_medium_alert_can_hold_its_reports(high_alert, lead):
    alert = _medium(high_alert, S.CONFIRMED)
    assert len(hold_place(alert=alert, actor=lead, reason="Confirmed.")) == 1


def test_an_unconfirmed_medium_alert_cannot_hold(high_alert, lead):
    alert = _medium(high_alert, S.IN_REVIEW)
    with pytest.raises(ValidationError, match="confirmed or high-severity"):
        hold_place(alert=alert, actor=lead, reason="Just in case.")
    assert not Hold.objects.exists()


def test_a_cleared_alert_cannot_hold_even_if_high(high_alert, lead):
    Alert.objects.filter(pk=high_alert.pk).update(status=S.CLEARED)
    high_alert.refresh_from_db()
    with pytest.raises(ValidationError, match="cleared"):
        hold_place(alert=high_alert, actor=lead, reason="Still suspicious.")
    assert not Hold.objects.exists()


def test_a_hold_needs_a_reason(high_alert, lead):
    with pytest.raises(ValidationError, match="reason"):
        hold_place(alert=high_alert, actor=lead, reason=" ")


def test_a_reviewer_without_the_hold_permission_cannot_hold(high_alert, reviewer):
    with pytest.raises(PermissionDenied):
        hold_place(alert=high_alert, actor=reviewer, reason="Suspected.")


def test_the_merchant_cannot_hold(high_alert):
    with pytest.raises(PermissionDenied):
        hold_place(alert=high_alert, actor=_member(high_alert), reason="Hold us.")


def test_a_report_held_already_is_not_held_twice(high_alert, lead):
    hold_place(alert=high_alert, actor=lead, reason="First.")
    assert hold_place(alert=high_alert, actor=lead, reason="Second.") == []
    assert Hold.objects.filter(released_at__isnull=True).count() == 1


def test_the_alerts_terminal_is_held_once(high_alert, lead):
    [hold] = hold_place(alert=high_alert, actor=lead, reason="Relocated.", terminal=True)
    assert hold.terminal == high_alert.terminal and hold.report is None
    assert hold_place(alert=high_alert, actor=lead, reason="Again.", terminal=True) == []


def test_an_alert_about_no_terminal_cannot_hold_one(high_alert, lead):
    Alert.objects.filter(pk=high_alert.pk).update(terminal=None)
    high_alert.refresh_from_db()
    with pytest.raises(ValidationError, match="not about one terminal"):
        hold_place(alert=high_alert, actor=lead, reason="Relocated.", terminal=True)


def test_release_records_who_when_and_why(high_alert, lead):
    [hold] = hold_place(alert=high_alert, actor=lead, reason="Suspected.")
    hold = hold_release(hold=hold, actor=lead, reason=" Merchant explained. ")
    assert not hold.is_active and hold.released_at is not None
    assert hold.released_by == lead and hold.release_reason == "Merchant explained."
    assert hold.history.count() == 2


def test_release_needs_a_reason(high_alert, lead):
    [hold] = hold_place(alert=high_alert, actor=lead, reason="Suspected.")
    with pytest.raises(ValidationError, match="reason"):
        hold_release(hold=hold, actor=lead, reason="")
    hold.refresh_from_db()
    assert hold.is_active


def test_only_staff_with_the_hold_permission_release(high_alert, lead, reviewer):
    [hold] = hold_place(alert=high_alert, actor=lead, reason="Suspected.")
    for user in (reviewer, _member(high_alert)):
        with pytest.raises(PermissionDenied):
            hold_release(hold=hold, actor=user, reason="Let it go.")
    hold.refresh_from_db()
    assert hold.is_active


def test_a_released_hold_cannot_be_released_again(high_alert, lead):
    [hold] = hold_place(alert=high_alert, actor=lead, reason="Suspected.")
    hold_release(hold=hold, actor=lead, reason="Explained.")
    with pytest.raises(ValidationError, match="already released"):
        hold_release(hold=hold, actor=lead, reason="Explained again.")


def test_after_release_the_report_can_be_held_again(high_alert, lead):
    [hold] = hold_place(alert=high_alert, actor=lead, reason="Suspected.")
    hold_release(hold=hold, actor=lead, reason="Explained.")
    assert len(hold_place(alert=high_alert, actor=lead, reason="It happened again.")) == 1
    assert Hold.objects.count() == 2
