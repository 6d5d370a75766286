"""The audit trail: every change is kept with who made it, and admin never edits or deletes it.

Merchants, terminals, memberships, alerts, holds, complaints, settings, audit rules, acquirers,
beat schedules, staff accounts, groups and second-factor devices keep every version (who, when,
what); admin can read the history but never revert it, and refuses to delete reviewed records.
"""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client, RequestFactory
from django.urls import reverse
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from merchants.models import (
    Membership,
    Merchant,
    ReportingSettings,
    Role,
    Terminal,
    TerminalKey,
)
from merchants.terminals.services import terminal_key_issue, terminal_key_revoke
from tests.factories import (
    MembershipFactory,
    MerchantFactory,
    StaffFactory,
    TerminalFactory,
    UserFactory,
)
from tests.reliability.scoreboard import record
from tests.transactions.alert_factories import raised_alert
from tests.transactions.complaint_factories import ComplaintFactory, reviewer
from tests.transactions.reconciliation.factories import AcquirerFactory
from transactions.alerts.services import alert_transition
from transactions.audit.rules import REGISTRY
from transactions.complaints.services import complaint_transition
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
from transactions.reports.holds import hold_place

pytestmark = pytest.mark.django_db

AUDITED = [
    Merchant,
    Membership,
    Terminal,
    TerminalKey,
    ReportingSettings,
    Alert,
    Hold,
    Complaint,
    AuditRule,
    ComplaintReason,
    Acquirer,
    PeriodicTask,
    CrontabSchedule,
    IntervalSchedule,
    ClockedSchedule,
    SolarSchedule,
    User,
    Group,
    TOTPDevice,
    StaticDevice,
]


def test_every_audited_model_keeps_its_history():
    missing = [model.__name__ for model in AUDITED if not hasattr(model, "history")]
    assert not missing
    record(
        "audit trail",
        "models with a history",
        len(AUDITED),
        note=", ".join(model.__name__ for model in AUDITED),
    )


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


def _superuser_client() -> Client:
    from tests.conftest import SecondFactorClient

    client = SecondFactorClient()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_reviewed_records_cannot_be_deleted_in_admin_even_by_superusers():
    """Merchants, terminals (their reports point at them), alerts, holds and complaints stay:
    they are rejected, retired, closed or released instead, through their workflows."""
    alert = raised_alert()
    [hold] = hold_place(
        alert=alert, actor=StaffFactory(groups=["compliance lead"]), reason="Card testing"
    )
    kept = [MerchantFactory(), TerminalFactory(), alert, hold, ComplaintFactory()]
    client = _superuser_client()
    refused = 0
    for obj in kept:
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert client.get(url).status_code == 403, opts.model_name
        assert client.post(url, {"post": "yes"}).status_code == 403, opts.model_name
        assert type(obj).objects.filter(pk=obj.pk).exists(), opts.model_name
        refused += 2
    changelist = reverse("admin:merchants_terminal_changelist")
    response = client.get(changelist)
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)
    record(
        "audit trail",
        "admin delete attempts refused (superuser)",
        refused,
        note=", ".join(sorted(type(obj).__name__ for obj in kept)) + ": delete page and POST",
    )


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


# --- a change, with who made it ---------------------------------------------------------------


def _latest(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


def _owner_client(client, merchant=None):
    membership = MembershipFactory(
        merchant=merchant or MerchantFactory(approved=True), role=Role.OWNER
    )
    client.force_login(membership.user)
    return membership


def test_a_terminal_change_in_admin_is_on_record_with_who(client):
    terminal = TerminalFactory()
    lead = StaffFactory(groups=["compliance lead"])
    client.force_login(lead)
    client.post(
        reverse("admin:merchants_terminal_changelist"),
        {"action": "assign_tid", "_selected_action": [terminal.pk]},
    )
    terminal.refresh_from_db()
    latest = _latest(terminal)
    assert (latest.history_user, latest.tid) == (lead, terminal.tid)
    assert terminal.tid


def test_reporting_settings_changed_in_the_portal_are_on_record_with_who(client):
    owner = _owner_client(client)
    client.post(
        reverse("merchants:reporting_settings"),
        {"enabled": "on", "method": "file", "frequency": "daily", "deadline_hours": "12"},
    )
    latest = _latest(ReportingSettings.objects.get(merchant=owner.merchant))
    assert (latest.history_user, latest.deadline_hours) == (owner.user, 12)


def test_a_role_changed_in_the_portal_is_on_record_with_who(client):
    owner = _owner_client(client)
    colleague = MembershipFactory(merchant=owner.merchant, role=Role.VIEWER)
    client.post(reverse("merchants:member_role", args=[colleague.pk]), {"role": Role.STAFF})
    latest = _latest(colleague)
    assert (latest.history_user, latest.role) == (owner.user, Role.STAFF)


def test_a_hold_released_in_admin_is_on_record_with_who(client):
    lead = StaffFactory(groups=["compliance lead"])
    [hold] = hold_place(alert=raised_alert(), actor=lead, reason="Card testing")
    client.force_login(lead)
    client.post(
        reverse("admin:transactions_hold_changelist"),
        {"action": "release", "_selected_action": [hold.pk], "apply": "1", "reason": "Cleared"},
    )
    latest = _latest(hold)
    assert latest.released_at is not None
    assert (latest.history_user, latest.release_reason) == (lead, "Cleared")


def test_an_acquirer_change_in_admin_is_on_record_with_who():
    acquirer = AcquirerFactory()
    client = _superuser_client()
    user = client.session["_auth_user_id"]
    client.post(
        reverse("admin:transactions_acquirer_change", args=[acquirer.pk]),
        {
            "name": acquirer.name,
            "code": acquirer.code,
            "column_mapping": json.dumps(acquirer.column_mapping),
            "type_values": json.dumps(acquirer.type_values),
            "date_format": acquirer.date_format,
            "time_format": acquirer.time_format,
            "amount_tolerance": "1.50",
            "time_window_seconds": acquirer.time_window_seconds,
        },
    )
    latest = _latest(acquirer)
    assert (str(latest.history_user_id), str(latest.amount_tolerance)) == (user, "1.50")


def test_an_audit_rules_thresholds_changed_in_admin_are_on_record_with_who_and_what(client):
    lead = StaffFactory(groups=["compliance lead"])
    rule = next(
        rule
        for rule in AuditRule.objects.filter(code__in=REGISTRY).order_by("pk")
        if any(isinstance(value, int) for value in rule.parameters.values())
    )
    rule.save()  # the rules come from a data migration: a first version to compare with
    name = next(key for key, value in rule.parameters.items() if isinstance(value, int))
    raised = {**rule.parameters, name: rule.parameters[name] + 1}
    client.force_login(lead)
    client.post(
        reverse("admin:transactions_auditrule_change", args=[rule.pk]),
        {
            "severity": rule.severity,
            "enabled": "on" if rule.enabled else "",
            "parameters": json.dumps(raised),
        },
    )
    latest, before = rule.history.all()[:2]
    assert latest.history_user == lead
    assert latest.parameters[name] == raised[name]
    assert [change.field for change in latest.diff_against(before).changes] == ["parameters"]


def test_periodic_tasks_disabled_from_the_admin_list_are_on_record_with_who():
    """django-celery-beat's own action uses ``queryset.update()``, which no history sees."""
    task = _periodic_task()
    client = _superuser_client()
    client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "disable_tasks", "_selected_action": [task.pk]},
    )
    task.refresh_from_db()
    assert not task.enabled
    latest = _latest(task)
    assert (latest.enabled, str(latest.history_user_id)) == (
        False,
        client.session["_auth_user_id"],
    )


@pytest.mark.parametrize("action", ["enable_tasks", "toggle_tasks"])
def test_periodic_tasks_enabled_or_toggled_from_the_admin_list_are_on_record(action):
    task = _periodic_task()
    task.enabled = False
    task.save()
    client = _superuser_client()
    client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": action, "_selected_action": [task.pk]},
    )
    assert list(task.history.values_list("enabled", flat=True)) == [True, False, True]


def test_a_schedule_changed_in_admin_is_on_record_with_who():
    schedule = CrontabSchedule.objects.create(minute="0", hour="3")
    client = _superuser_client()
    client.post(
        reverse("admin:django_celery_beat_crontabschedule_change", args=[schedule.pk]),
        {
            "minute": "30",
            "hour": "3",
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "*",
            "timezone": "Asia/Shanghai",
            "periodictask_set-TOTAL_FORMS": "0",
            "periodictask_set-INITIAL_FORMS": "0",
        },
    )
    latest = _latest(schedule)
    assert (latest.minute, str(latest.history_user_id)) == ("30", client.session["_auth_user_id"])
