"""The audit trail: every change to merchants, terminals, alerts, complaints and settings is kept
(who, when, what), and admin can read it but never edit, revert or delete it.
"""

import json

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from merchants.models import (
    Membership,
    Merchant,
    ReportingSettings,
    Terminal,
    TerminalKey,
)
from merchants.services.terminals import terminal_key_issue, terminal_key_revoke
from tests.factories import MerchantFactory, StaffFactory, TerminalFactory, UserFactory
from tests.transactions.alert_factories import raised_alert
from tests.transactions.complaint_factories import ComplaintFactory, reviewer
from transactions.models import (
    Acquirer,
    Alert,
    AlertTransition,
    AuditRule,
    Complaint,
    ComplaintReason,
    ComplaintTransition,
    Hold,
)
from transactions.services.alerts import alert_transition
from transactions.services.complaints import complaint_transition

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        Merchant,
        Membership,
        Terminal,
        TerminalKey,
        ReportingSettings,
        Alert,
        Hold,
        Complaint,
        AuditRule,
        PeriodicTask,
        CrontabSchedule,
        IntervalSchedule,
        ComplaintReason,
        Acquirer,
    ],
)
def test_every_audited_model_keeps_its_history(model):
    assert hasattr(model, "history")


def test_no_history_or_trail_model_can_be_opened_in_admin():
    names = [model.__name__ for model in admin.site._registry]
    assert not [name for name in names if name.startswith("Historical")]
    assert not [name for name in names if name.endswith("Transition")]


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


def test_trail_inlines_offer_no_add_change_or_delete_even_to_superusers():
    request = _superuser_request()
    trails = [
        inline(model_admin.model, admin.site)
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if inline.model.__name__.endswith("Transition")
    ]
    assert {trail.model.__name__ for trail in trails} >= {
        "ApplicationTransition",
        "TerminalTransition",
        "AlertTransition",
        "ComplaintTransition",
    }
    for trail in trails:
        assert not trail.has_add_permission(request, None), trail
        assert not trail.has_change_permission(request, None), trail
        assert not trail.can_delete, trail


def test_a_merchants_history_is_readable_but_cannot_be_reverted(client):
    merchant = MerchantFactory(approved=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert (
        client.get(reverse("admin:merchants_merchant_history", args=[merchant.pk])).status_code
        == 200
    )
    version = merchant.history.first()
    url = reverse("admin:merchants_merchant_simple_history", args=[merchant.pk, version.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"short_name": "Rewritten"}).status_code == 403
    merchant.refresh_from_db()
    assert merchant.short_name != "Rewritten"


def test_merchants_cannot_be_deleted_in_admin_even_by_superusers(client):
    merchant = MerchantFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:merchants_merchant_delete", args=[merchant.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Merchant.objects.filter(pk=merchant.pk).exists()


def test_an_audit_rule_change_in_admin_is_on_record_with_who_and_what(client):
    lead = StaffFactory(groups=["compliance lead"])
    rule = AuditRule.objects.order_by("pk").first()
    rule.enabled = True
    rule.save()
    client.force_login(lead)
    client.post(
        reverse("admin:transactions_auditrule_change", args=[rule.pk]),
        {"severity": rule.severity, "parameters": json.dumps(rule.parameters)},
    )
    latest, before = rule.history.all()[:2]
    assert latest.history_user == lead
    assert [change.field for change in latest.diff_against(before).changes] == ["enabled"]


def test_a_terminal_key_issued_and_revoked_is_on_record_without_its_secret():
    terminal = TerminalFactory()
    key, _secret = terminal_key_issue(terminal=terminal)
    terminal_key_revoke(key=key)
    kinds = list(key.history.order_by("history_id").values_list("history_type", flat=True))
    assert kinds == ["+", "~"]
    assert key.history.first().revoked_at is not None
    assert "secret" not in {field.name for field in key.history.model._meta.fields}


def test_an_alerts_steps_are_on_record_with_who_and_why():
    alert = raised_alert()  # raised by an audit run, which the alert points at
    staff = StaffFactory(groups=["compliance reviewer"])
    alert_transition(alert=alert, name="take", actor=staff)
    step = AlertTransition.objects.get(alert=alert)
    assert (step.actor, step.to_status) == (staff, "in_review")
    version = alert.history.first()
    assert (version.status, version.history_change_reason) == ("in_review", "take")


def test_a_complaints_steps_are_on_record_with_who_and_why():
    complaint = ComplaintFactory()
    staff = reviewer()
    complaint_transition(complaint=complaint, name="ask_merchant", actor=staff, reason="Slip?")
    step = ComplaintTransition.objects.get(complaint=complaint)
    assert (step.actor, step.reason) == (staff, "Slip?")
    assert complaint.history.count() >= 2


def _periodic_task() -> PeriodicTask:
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.create(
        name="audit", task="transactions.tasks.x", interval=every_hour
    )


def test_a_periodic_task_change_is_on_record():
    task = _periodic_task()
    task.enabled = False
    task.save()
    assert list(task.history.values_list("enabled", flat=True)) == [False, True]


def test_celery_beats_run_bookkeeping_is_not_recorded_as_a_change():
    from django.utils import timezone

    task = _periodic_task()
    task.last_run_at = timezone.now()
    task.total_run_count += 1
    task.save()
    assert task.history.count() == 1
