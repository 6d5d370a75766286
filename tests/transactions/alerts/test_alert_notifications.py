"""E-mails about alerts: staff hear of new serious findings, merchants of questions, reviewers of answers."""

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from merchants.accounts.mail import preferences_set
from merchants.models import Role
from tests.factories import MembershipFactory, StaffFactory, UserFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import audit, only_rule, plant, reporting_terminal
from transactions.alerts.services import alert_answer, alert_transition
from transactions.models import AlertStatus, AuditRule, RunStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return StaffFactory(groups=["compliance reviewer"])


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


def _audit_committed(capture):
    with capture(execute=True):
        return audit()


def test_staff_get_one_email_listing_the_new_high_severity_alerts_of_a_run(
    reviewer, lead, mailoutbox, django_capture_on_commit_callbacks
):
    for user in (reviewer, lead):
        preferences_set(user=user, language="en")
    only_rule("mcc_jump")
    for _ in range(2):
        plant(reporting_terminal(), mcc="5812")
    _audit_committed(django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert sorted(mail.to) == sorted([reviewer.email, lead.email])
    assert mail.subject == "2 new high-severity alerts"
    assert mail.body.count("MCC jumping") == 2 and "5812" in mail.body


def test_only_active_reviewers_with_an_address_are_emailed(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    StaffFactory(groups=["compliance reviewer"], email="")
    StaffFactory(groups=["compliance reviewer"], is_active=False)
    StaffFactory()  # staff, but not a reviewer
    terminal = reporting_terminal()
    owner = MembershipFactory(merchant=terminal.merchant).user
    only_rule("mcc_jump")
    plant(terminal, mcc="5812")
    _audit_committed(django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert mail.to == [reviewer.email] and owner.email not in mail.to


def test_a_reviewer_holding_the_permission_on_their_own_is_emailed_and_can_be_assigned(
    mailoutbox, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Permission

    from transactions.alerts.services import reviewers

    direct = StaffFactory()
    direct.user_permissions.add(Permission.objects.get(codename="review_alert"))
    StaffFactory()  # staff without it
    only_rule("mcc_jump")
    plant(reporting_terminal(), mcc="5812")
    _audit_committed(django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert mail.to == [direct.email]
    assert list(reviewers()) == [direct]


def test_no_email_for_medium_alerts(reviewer, mailoutbox, django_capture_on_commit_callbacks):
    only_rule("mcc_jump")
    AuditRule.objects.filter(code="mcc_jump").update(severity="medium")
    plant(reporting_terminal(), mcc="5812")
    run = _audit_committed(django_capture_on_commit_callbacks)
    assert run.alerts_created == 1 and mailoutbox == []


def test_no_email_again_when_a_run_finds_the_same_alerts(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, mcc="5812")
    _audit_committed(django_capture_on_commit_callbacks)
    plant(terminal, mcc="5812", received=timezone.now())  # a new report of the same finding
    run = _audit_committed(django_capture_on_commit_callbacks)
    assert run.alerts_updated == 1 and len(mailoutbox) == 1


def test_no_email_before_the_alerts_are_committed(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    only_rule("mcc_jump")
    plant(reporting_terminal(), mcc="5812")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        audit()
    assert callbacks and mailoutbox == []


def test_two_high_severity_rules_in_one_run_make_one_email(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    AuditRule.objects.exclude(code__in=["mcc_jump", "unverified_high_value"]).update(enabled=False)
    terminal = reporting_terminal()
    plant(terminal, mcc="5812")
    plant(terminal, amount="8000.00", cvm="contactless")
    _audit_committed(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_owner_and_staff_are_emailed_when_asked(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    alert = AlertFactory(status=AlertStatus.IN_REVIEW, assignee=reviewer)
    owner = MembershipFactory(merchant=alert.merchant, role=Role.OWNER).user
    staff = MembershipFactory(merchant=alert.merchant, role=Role.STAFF).user
    MembershipFactory(merchant=alert.merchant, role=Role.VIEWER)
    MembershipFactory(role=Role.OWNER)  # another merchant
    with django_capture_on_commit_callbacks(execute=True):
        alert_transition(
            alert=alert, name="ask_merchant", actor=reviewer, reason="Whose card is this?"
        )
    [mail] = mailoutbox
    assert sorted(mail.to) == sorted([owner.email, staff.email])
    assert f"#{alert.pk}" in mail.subject
    assert "Whose card is this?" in mail.body and f"/merchant/alerts/{alert.pk}/" in mail.body


def test_no_email_to_the_merchant_for_other_steps(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    alert = AlertFactory()
    MembershipFactory(merchant=alert.merchant, role=Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_transition(alert=alert, name="take", actor=reviewer)
        alert_transition(alert=alert, name="clear", actor=reviewer, reason="Fine.")
    assert mailoutbox == []


def test_the_assignee_is_emailed_when_the_merchant_answers(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    alert = AlertFactory(status=AlertStatus.AWAITING_MERCHANT, assignee=reviewer)
    owner = MembershipFactory(merchant=alert.merchant).user
    with django_capture_on_commit_callbacks(execute=True):
        alert_answer(alert=alert, actor=owner, text="It was a refund.")
    [mail] = mailoutbox
    assert mail.to == [reviewer.email] and f"#{alert.pk}" in mail.subject


def test_an_answer_to_an_unassigned_alert_emails_nobody(
    mailoutbox, django_capture_on_commit_callbacks
):
    alert = AlertFactory()
    owner = MembershipFactory(merchant=alert.merchant).user
    with django_capture_on_commit_callbacks(execute=True):
        alert_answer(alert=alert, actor=owner, text="We noticed this too.")
    assert mailoutbox == []


def test_an_assignee_without_an_address_is_not_emailed(
    mailoutbox, django_capture_on_commit_callbacks
):
    assignee = StaffFactory(groups=["compliance reviewer"], email="")
    alert = AlertFactory(status=AlertStatus.AWAITING_MERCHANT, assignee=assignee)
    owner = UserFactory()
    MembershipFactory(merchant=alert.merchant, user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        alert_answer(alert=alert, actor=owner, text="It was a refund.")
    assert mailoutbox == []


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_mail_server_that_is_down_does_not_fail_the_audit(
    reviewer, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    only_rule("mcc_jump")
    plant(reporting_terminal(), mcc="5812")
    run = _audit_committed(django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.alerts_created == 1


def test_a_run_split_into_parts_makes_one_email(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    preferences_set(user=reviewer, language="en")
    only_rule("mcc_jump")
    for _ in range(3):
        plant(reporting_terminal(), mcc="5812")
    with django_capture_on_commit_callbacks(execute=True):
        run = audit(merchants_per_part=1)
    assert run.parts_total >= 3
    [mail] = mailoutbox
    assert mail.subject == "3 new high-severity alerts"


def test_critical_alerts_are_emailed_too(reviewer, mailoutbox, django_capture_on_commit_callbacks):
    only_rule("mcc_jump")
    AuditRule.objects.filter(code="mcc_jump").update(severity="critical")
    plant(reporting_terminal(), mcc="5812")
    _audit_committed(django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert "MCC jumping" in mail.body
