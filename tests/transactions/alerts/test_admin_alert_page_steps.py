"""The alert's admin page: a button for each step the user may take, through the workflow."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import StaffFactory
from tests.transactions.alert_factories import AlertFactory
from transactions.models import Alert, AlertStatus, AlertTransition

pytestmark = pytest.mark.django_db

S = AlertStatus


@pytest.fixture
def reviewer():
    return StaffFactory(groups=["compliance reviewer"])


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def _page(client, alert):
    return client.get(reverse("admin:transactions_alert_change", args=[alert.pk]))


def _step_url(alert, name):
    return reverse("admin:transactions_alert_step", args=[alert.pk, name])


def _offered(client, alert):
    return {step["url"] for step in _page(client, alert).context["alert_steps"]}


def _status(alert):
    return Alert.objects.get(pk=alert.pk).status


def test_the_page_offers_the_steps_the_reviewer_may_take_now(reviewer_client):
    alert = AlertFactory(status=S.IN_REVIEW)
    offered = _offered(reviewer_client, alert)
    wanted = {"ask_merchant", "clear", "confirm", "escalate"}
    assert offered == {_step_url(alert, name) for name in wanted}
    assert f'action="{_step_url(alert, "clear")}"' in _page(reviewer_client, alert).content.decode()


def test_the_page_of_a_resolved_alert_offers_no_steps(reviewer_client):
    assert _offered(reviewer_client, AlertFactory(status=S.CLEARED)) == set()


def test_staff_who_only_view_alerts_are_offered_no_steps(client):
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_alert"))
    client.force_login(viewer)
    assert _offered(client, AlertFactory()) == set()


def test_a_step_asks_for_its_reason_then_is_taken_and_returns_to_the_alert(
    reviewer_client, reviewer
):
    alert = AlertFactory(status=S.IN_REVIEW)
    asked = reviewer_client.post(_step_url(alert, "clear"))
    assert 'name="reason"' in asked.content.decode() and _status(alert) == S.IN_REVIEW
    done = reviewer_client.post(
        _step_url(alert, "clear"), {"apply": "1", "reason": "Refund explained by the invoice"}
    )
    assert done.url == reverse("admin:transactions_alert_change", args=[alert.pk])
    step = AlertTransition.objects.get(alert=alert)
    assert (step.to_status, step.actor, step.reason) == (
        S.CLEARED,
        reviewer,
        "Refund explained by the invoice",
    )


def test_take_from_the_page_needs_no_reason_and_assigns_the_taker(reviewer_client, reviewer):
    alert = AlertFactory()
    reviewer_client.post(_step_url(alert, "take"))
    alert.refresh_from_db()
    assert (alert.status, alert.assignee) == (S.IN_REVIEW, reviewer)


def test_an_empty_reason_is_asked_for_again(reviewer_client):
    alert = AlertFactory(status=S.IN_REVIEW)
    response = reviewer_client.post(_step_url(alert, "confirm"), {"apply": "1", "reason": " "})
    assert "A reason is required." in response.content.decode()
    assert _status(alert) == S.IN_REVIEW


def test_a_reviewer_posting_an_escalated_decision_is_refused_with_a_message(reviewer_client):
    alert = AlertFactory(status=S.ESCALATED)
    response = reviewer_client.post(
        _step_url(alert, "confirm_escalated"),
        {"apply": "1", "reason": "Card testing"},
        follow=True,
    )
    assert "You are not allowed to do this." in response.content.decode()
    assert _status(alert) == S.ESCALATED
    assert not AlertTransition.objects.filter(alert=alert).exists()


def test_a_step_from_the_wrong_state_is_refused(reviewer_client):
    alert = AlertFactory(status=S.OPEN)
    reviewer_client.post(_step_url(alert, "clear"), {"apply": "1", "reason": "Fine"})
    assert _status(alert) == S.OPEN


def test_the_merchants_own_step_cannot_be_taken_from_admin(reviewer_client):
    alert = AlertFactory(status=S.AWAITING_MERCHANT)
    response = reviewer_client.post(_step_url(alert, "merchant_answer"))
    assert response.status_code == 404 and _status(alert) == S.AWAITING_MERCHANT


def test_opening_a_step_without_posting_goes_back_to_the_alert(reviewer_client):
    alert = AlertFactory(status=S.IN_REVIEW)
    response = reviewer_client.get(_step_url(alert, "clear"))
    assert response.url == reverse("admin:transactions_alert_change", args=[alert.pk])
    assert _status(alert) == S.IN_REVIEW
