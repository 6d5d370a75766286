"""The alert review queue in Django admin: queues, assignment, transitions, the read-only alert page."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from merchants.models import Role
from tests.factories import MembershipFactory, StaffFactory, UserFactory, png_upload
from tests.transactions.alert_factories import AlertFactory, raised_alert, raised_alerts
from transactions.alerts.services import alert_answer
from transactions.models import Alert, AlertStatus, AlertTransition

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:transactions_alert_changelist")
S = AlertStatus


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def reviewer():
    return StaffFactory(groups=["compliance reviewer"])


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def _act(client, action, *alerts, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in alerts], **extra}
    return client.post(CHANGELIST, data, follow=True)


def _listed(client, **query):
    return list(client.get(CHANGELIST, query).context["cl"].result_list)


def _offered(client):
    form = client.get(CHANGELIST).context["action_form"]  # None when no action is offered
    return dict(form.fields["action"].choices) if form else {}


def _status(alert):
    return Alert.objects.get(pk=alert.pk).status


# -- queues --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"queue": "mine"},
        {"queue": "unassigned"},
        {"queue": "overdue"},
        {"queue": "unresolved"},
        {"severity__exact": "high"},
        {"status__exact": "open"},
        {"q": "测试"},
        {"q": "#1"},
    ],
)
def test_queue_loads_with_each_filter_and_search(lead_client, query):
    AlertFactory()
    assert lead_client.get(CHANGELIST, query).status_code == 200


def test_my_queue_holds_my_unresolved_alerts_only(reviewer_client, reviewer):
    mine = AlertFactory(status=S.IN_REVIEW, assignee=reviewer)
    AlertFactory(status=S.CLEARED, assignee=reviewer)
    AlertFactory(status=S.IN_REVIEW, assignee=StaffFactory(groups=["compliance reviewer"]))
    AlertFactory()
    assert _listed(reviewer_client, queue="mine") == [mine]


def test_unassigned_queue_leaves_out_assigned_and_resolved_alerts(reviewer_client, reviewer):
    waiting = AlertFactory()
    AlertFactory(status=S.IN_REVIEW, assignee=reviewer)
    AlertFactory(status=S.CLEARED)
    assert _listed(reviewer_client, queue="unassigned") == [waiting]


def test_overdue_queue_holds_unresolved_alerts_past_their_due_time(reviewer_client):
    past = timezone.now() - timedelta(hours=1)
    late = AlertFactory(due_at=past)
    AlertFactory(due_at=past, status=S.CONFIRMED)
    AlertFactory()
    assert _listed(reviewer_client, queue="overdue") == [late]


def test_overdue_alerts_are_marked_in_the_list(reviewer_client):
    AlertFactory(due_at=timezone.now() - timedelta(hours=1))
    assert 'class="overdue"' in reviewer_client.get(CHANGELIST).content.decode()


def test_alerts_due_later_are_not_marked_overdue(reviewer_client):
    AlertFactory()
    assert 'class="overdue"' not in reviewer_client.get(CHANGELIST).content.decode()


def test_search_finds_an_alert_by_the_terminals_tid(reviewer_client):
    wanted = raised_alert()
    AlertFactory()
    assert _listed(reviewer_client, q=wanted.terminal.tid) == [wanted]


def test_search_finds_alerts_by_mid(reviewer_client):
    wanted = AlertFactory()
    AlertFactory()
    assert _listed(reviewer_client, q=wanted.merchant.mid) == [wanted]


def test_search_finds_an_alert_by_its_quoted_number(reviewer_client):
    wanted = AlertFactory()
    AlertFactory()
    assert _listed(reviewer_client, q=f"#{wanted.pk}") == [wanted]


def test_list_links_each_alert_to_its_merchant(reviewer_client):
    alert = AlertFactory()
    url = reverse("admin:merchants_merchant_change", args=[alert.merchant_id])
    assert f'href="{url}"' in reviewer_client.get(CHANGELIST).content.decode()


# -- assignment ----------------------------------------------------------------------------------


def test_assign_to_me_takes_open_alerts_into_review(reviewer_client, reviewer):
    alerts = AlertFactory.create_batch(2)
    _act(reviewer_client, "assign_to_me", *alerts)
    assert set(Alert.objects.values_list("status", "assignee")) == {(S.IN_REVIEW, reviewer.pk)}


def test_assign_to_a_reviewer_first_asks_whom(lead_client, reviewer):
    alert = AlertFactory()
    html = _act(lead_client, "assign_to_reviewer", alert).content.decode()
    assert 'name="assignee"' in html and reviewer.username in html
    assert Alert.objects.get(pk=alert.pk).assignee is None


def test_assign_to_a_reviewer_records_who_assigned_it(lead_client, lead, reviewer):
    alert = AlertFactory()
    _act(lead_client, "assign_to_reviewer", alert, apply="1", assignee=reviewer.pk)
    alert.refresh_from_db()
    assert (alert.assignee, alert.status) == (reviewer, S.IN_REVIEW)
    step = AlertTransition.objects.get(alert=alert)
    assert step.actor == lead and reviewer.username in step.reason


def test_alerts_cannot_be_assigned_to_staff_who_do_not_review(lead_client):
    alert = AlertFactory()
    outsider = StaffFactory()
    response = _act(lead_client, "assign_to_reviewer", alert, apply="1", assignee=outsider.pk)
    assert "Select a valid choice" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).assignee is None


def test_assigning_leaves_resolved_alerts_alone(reviewer_client):
    done = AlertFactory(status=S.CLEARED)
    response = _act(reviewer_client, "assign_to_me", done)
    assert "1 resolved alert(s) left as they are." in response.content.decode()
    assert Alert.objects.get(pk=done.pk).assignee is None


def _viewer_client(client):
    """Staff who may look at alerts but not review them."""
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_alert"))
    client.force_login(user)
    return client


def test_staff_who_only_view_alerts_are_offered_no_actions(client):
    AlertFactory()
    viewer = _viewer_client(client)
    assert viewer.get(CHANGELIST).status_code == 200
    offered = _offered(viewer)
    assert "assign_to_me" not in offered and "take" not in offered


def test_staff_who_only_view_alerts_cannot_assign_by_posting(client):
    alert = AlertFactory()
    _act(_viewer_client(client), "assign_to_me", alert)
    assert Alert.objects.get(pk=alert.pk).assignee is None


# -- transitions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("ask_merchant", S.IN_REVIEW, S.AWAITING_MERCHANT),
        ("clear", S.IN_REVIEW, S.CLEARED),
        ("confirm", S.IN_REVIEW, S.CONFIRMED),
        ("escalate", S.IN_REVIEW, S.ESCALATED),
        ("clear", S.MERCHANT_ANSWERED, S.CLEARED),
        ("clear_escalated", S.ESCALATED, S.CLEARED),
        ("confirm_escalated", S.ESCALATED, S.CONFIRMED),
    ],
)
def test_each_transition_with_a_reason_is_recorded(lead_client, lead, action, before, after):
    alert = AlertFactory(status=before)
    _act(lead_client, action, alert, apply="1", reason="Checked the receipts")
    step = AlertTransition.objects.get(alert=alert)
    assert (step.from_status, step.to_status, step.actor, step.reason) == (
        before,
        after,
        lead,
        "Checked the receipts",
    )
    assert _status(alert) == after


def test_take_needs_no_reason_and_assigns_the_taker(reviewer_client, reviewer):
    alert = AlertFactory()
    _act(reviewer_client, "take", alert)
    alert.refresh_from_db()
    assert (alert.status, alert.assignee) == (S.IN_REVIEW, reviewer)


def test_a_transition_first_asks_for_the_reason(reviewer_client):
    alert = AlertFactory(status=S.IN_REVIEW)
    response = _act(reviewer_client, "clear", alert)
    assert 'name="reason"' in response.content.decode()
    assert _status(alert) == S.IN_REVIEW


def test_a_transition_with_an_empty_reason_is_refused(reviewer_client):
    alert = AlertFactory(status=S.IN_REVIEW)
    response = _act(reviewer_client, "confirm", alert, apply="1", reason="  ")
    assert "A reason is required." in response.content.decode()
    assert _status(alert) == S.IN_REVIEW


def test_a_transition_from_the_wrong_state_is_refused_with_a_message(reviewer_client):
    alert = AlertFactory(status=S.OPEN)
    response = _act(reviewer_client, "clear", alert, apply="1", reason="Fine")
    assert "Cannot clear from state" in response.content.decode()
    assert _status(alert) == S.OPEN
    assert not AlertTransition.objects.filter(alert=alert).exists()


def test_refusals_are_per_alert_and_the_rest_go_through(reviewer_client):
    ready, early = AlertFactory(status=S.IN_REVIEW), AlertFactory(status=S.OPEN)
    response = _act(reviewer_client, "confirm", ready, early, apply="1", reason="Card testing")
    assert "Confirm: 1 done." in response.content.decode()
    assert (_status(ready), _status(early)) == (S.CONFIRMED, S.OPEN)


def test_a_reviewer_is_not_offered_decisions_on_escalated_alerts_or_holds(reviewer_client):
    AlertFactory()
    offered = _offered(reviewer_client)
    assert {"take", "clear", "confirm", "escalate", "assign_to_me"} <= offered.keys()
    assert not {"clear_escalated", "confirm_escalated", "hold_reports", "hold_terminal"} & (
        offered.keys()
    )


def test_a_lead_is_offered_decisions_on_escalated_alerts_and_holds(lead_client):
    AlertFactory()
    offered = _offered(lead_client)
    assert {"clear_escalated", "confirm_escalated", "hold_reports", "hold_terminal"} <= (
        offered.keys()
    )


def test_a_reviewer_posting_an_escalated_decision_anyway_changes_nothing(reviewer_client):
    alert = AlertFactory(status=S.ESCALATED)
    _act(reviewer_client, "clear_escalated", alert, apply="1", reason="Looks fine")
    assert _status(alert) == S.ESCALATED


# -- the alert page ------------------------------------------------------------------------------


def _page(client, alert):
    return client.get(reverse("admin:transactions_alert_change", args=[alert.pk]))


def test_alert_page_shows_the_explanation_and_links_to_merchant_and_reports(reviewer_client):
    alert = raised_alert()
    html = _page(reviewer_client, alert).content.decode()
    assert "MCC 5812" in html
    assert reverse("admin:merchants_merchant_change", args=[alert.merchant_id]) in html
    assert reverse("admin:transactions_report_changelist") + f"?alert={alert.pk}" in html


def test_the_reports_link_lists_exactly_the_alerts_reports(reviewer_client):
    alert, _other = raised_alerts(2)
    url = reverse("admin:transactions_report_changelist")
    listed = reviewer_client.get(url, {"alert": alert.pk}).context["cl"].result_list
    assert list(listed) == list(alert.reports.all())


def test_alert_page_shows_the_trail_with_reasons(reviewer_client):
    alert = AlertFactory(status=S.IN_REVIEW)
    _act(reviewer_client, "escalate", alert, apply="1", reason="Needs the lead's eye")
    assert "Needs the lead&#x27;s eye" in _page(reviewer_client, alert).content.decode()


def test_alert_page_offers_no_editing(lead_client):
    alert = AlertFactory(status=S.IN_REVIEW)
    url = reverse("admin:transactions_alert_change", args=[alert.pk])
    assert 'name="status"' not in lead_client.get(url).content.decode()
    lead_client.post(url, {"status": S.CLEARED, "explanation": "nothing"})
    assert _status(alert) == S.IN_REVIEW


def test_alerts_cannot_be_added_or_deleted_in_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    alert = AlertFactory()
    assert client.get(reverse("admin:transactions_alert_add")).status_code == 403
    delete = reverse("admin:transactions_alert_delete", args=[alert.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Alert.objects.filter(pk=alert.pk).exists()


def _answered(alert):
    owner = MembershipFactory(merchant=alert.merchant, role=Role.OWNER).user
    return alert_answer(
        alert=alert, actor=owner, text="It was a wedding banquet", attachment=png_upload()
    )


def test_alert_page_shows_the_merchants_answer_and_links_its_attachment(reviewer_client):
    alert = AlertFactory(status=S.AWAITING_MERCHANT)
    answer = _answered(alert)
    html = _page(reviewer_client, alert).content.decode()
    url = reverse("admin:transactions_alertresponse_attachment", args=[answer.pk])
    assert "It was a wedding banquet" in html and url in html


def test_the_attachment_is_served_to_reviewers(reviewer_client):
    answer = _answered(AlertFactory(status=S.AWAITING_MERCHANT))
    url = reverse("admin:transactions_alertresponse_attachment", args=[answer.pk])
    response = reviewer_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_attachment_is_refused_to_staff_without_permission(client):
    answer = _answered(AlertFactory(status=S.AWAITING_MERCHANT))
    client.force_login(StaffFactory())
    url = reverse("admin:transactions_alertresponse_attachment", args=[answer.pk])
    assert client.get(url).status_code == 403


# -- who gets in ---------------------------------------------------------------------------------


def test_merchant_users_are_sent_to_the_admin_login(client):
    alert = AlertFactory()
    client.force_login(MembershipFactory(merchant=alert.merchant).user)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_staff_without_a_group_cannot_open_the_queue(client):
    client.force_login(StaffFactory())
    assert client.get(CHANGELIST).status_code == 403


def test_an_alerts_history_is_readable_by_reviewers(reviewer_client):
    alert = AlertFactory(status=S.IN_REVIEW)
    _act(reviewer_client, "escalate", alert, apply="1", reason="Needs the lead")
    url = reverse("admin:transactions_alert_history", args=[alert.pk])
    assert "escalate: Needs the lead" in reviewer_client.get(url).content.decode()
