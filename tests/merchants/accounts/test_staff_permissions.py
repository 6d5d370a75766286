"""What each staff group may open and change in admin (merchants/accounts/groups.py), by status code.

One row per (group, page): reviewers read and review; leads also decide, approve and change the
settings; staff with no group see nothing; nobody edits the trails.
"""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from merchants.models import ApplicationStatus, ReportingSettings
from tests.factories import MerchantFactory, StaffFactory, TerminalFactory
from tests.transactions.alert_factories import raised_alert
from tests.transactions.complaint_factories import ComplaintFactory, reason
from transactions.models import Acquirer, AuditRule

pytestmark = pytest.mark.django_db

REVIEWER, LEAD, NO_GROUP = "compliance reviewer", "compliance lead", None


def _login(client, group):
    client.force_login(StaffFactory(groups=[group] if group else None))
    return client


@pytest.fixture
def objects():
    merchant = MerchantFactory(approved=True)
    alert = raised_alert()  # runs one rule only, switching the others off
    AuditRule.objects.update(enabled=True)
    return {
        "merchant": merchant,
        "terminal": TerminalFactory(merchant=merchant),
        "alert": alert,
        "complaint": ComplaintFactory(),
        "rule": AuditRule.objects.order_by("pk").first(),
        "reason": reason(),
        "settings": ReportingSettings.objects.get_or_create(merchant=merchant)[0],
        "acquirer": Acquirer.objects.create(name="Test acquirer", code="test-acq"),
    }


PAGES = {
    "merchant queue": lambda o: reverse("admin:merchants_merchant_changelist"),
    "merchant page": lambda o: reverse("admin:merchants_merchant_change", args=[o["merchant"].pk]),
    "merchant history": lambda o: reverse(
        "admin:merchants_merchant_history", args=[o["merchant"].pk]
    ),
    "terminals": lambda o: reverse("admin:merchants_terminal_changelist"),
    "terminal page": lambda o: reverse("admin:merchants_terminal_change", args=[o["terminal"].pk]),
    "terminal keys": lambda o: reverse("admin:merchants_terminalkey_changelist"),
    "reporting settings": lambda o: reverse(
        "admin:merchants_reportingsettings_change", args=[o["settings"].pk]
    ),
    "alert queue": lambda o: reverse("admin:transactions_alert_changelist"),
    "alert page": lambda o: reverse("admin:transactions_alert_change", args=[o["alert"].pk]),
    "complaints": lambda o: reverse("admin:transactions_complaint_changelist"),
    "complaint page": lambda o: reverse(
        "admin:transactions_complaint_change", args=[o["complaint"].pk]
    ),
    "record a complaint": lambda o: reverse("admin:transactions_complaint_add"),
    "audit rules": lambda o: reverse("admin:transactions_auditrule_changelist"),
    "audit rule page": lambda o: reverse(
        "admin:transactions_auditrule_change", args=[o["rule"].pk]
    ),
    "complaint reasons": lambda o: reverse("admin:transactions_complaintreason_changelist"),
    "acquirers": lambda o: reverse("admin:transactions_acquirer_changelist"),
    "add an acquirer": lambda o: reverse("admin:transactions_acquirer_add"),
    "regulator reports": lambda o: reverse("admin:transactions_regulatorreport_changelist"),
    "generate a regulator report": lambda o: reverse("admin:transactions_regulatorreport_add"),
    "periodic tasks": lambda o: reverse("admin:django_celery_beat_periodictask_changelist"),
    "users": lambda o: reverse("admin:auth_user_changelist"),
}

# page: (reviewer, lead, staff with no group)
MATRIX = {
    "merchant queue": (200, 200, 403),
    "merchant page": (200, 200, 403),
    "merchant history": (200, 200, 403),
    "terminals": (200, 200, 403),
    "terminal page": (200, 200, 403),
    "terminal keys": (403, 200, 403),
    "reporting settings": (200, 200, 403),
    "alert queue": (200, 200, 403),
    "alert page": (200, 200, 403),
    "complaints": (200, 200, 403),
    "complaint page": (200, 200, 403),
    "record a complaint": (200, 200, 403),
    "audit rules": (200, 200, 403),
    "audit rule page": (200, 200, 403),
    "complaint reasons": (200, 200, 403),
    "acquirers": (200, 200, 403),
    "add an acquirer": (403, 200, 403),
    "regulator reports": (403, 200, 403),
    "generate a regulator report": (403, 200, 403),
    "periodic tasks": (403, 403, 403),
    "users": (403, 403, 403),
}


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("column,group", [(0, REVIEWER), (1, LEAD), (2, NO_GROUP)])
def test_each_group_opens_exactly_its_pages(client, objects, page, column, group):
    _login(client, group)
    assert client.get(PAGES[page](objects)).status_code == MATRIX[page][column]


def _change_rule(client, rule):
    """Switch the rule off, its thresholds as they are."""
    url = reverse("admin:transactions_auditrule_change", args=[rule.pk])
    data = {"severity": rule.severity, "parameters": json.dumps(rule.parameters)}
    return client.post(url, data)


def test_a_lead_changes_an_audit_rule(client, objects):
    _login(client, LEAD)
    assert _change_rule(client, objects["rule"]).status_code == 302
    objects["rule"].refresh_from_db()
    assert not objects["rule"].enabled


def test_a_reviewer_cannot_change_an_audit_rule(client, objects):
    _login(client, REVIEWER)
    assert _change_rule(client, objects["rule"]).status_code == 403
    objects["rule"].refresh_from_db()
    assert objects["rule"].enabled


def test_a_reviewer_sees_an_audit_rule_read_only(client, objects):
    _login(client, REVIEWER)
    url = reverse("admin:transactions_auditrule_change", args=[objects["rule"].pk])
    response = client.get(url)
    assert b'name="_save"' not in response.content


def _change_reason(client, complaint_reason):
    url = reverse("admin:transactions_complaintreason_change", args=[complaint_reason.pk])
    return client.post(url, {"name": complaint_reason.name, "answer_days": 20, "active": "on"})


def test_a_lead_changes_the_days_to_answer_a_complaint_reason(client, objects):
    _login(client, LEAD)
    assert _change_reason(client, objects["reason"]).status_code == 302
    objects["reason"].refresh_from_db()
    assert objects["reason"].answer_days == 20


def test_a_reviewer_cannot_change_a_complaint_reason(client, objects):
    _login(client, REVIEWER)
    assert _change_reason(client, objects["reason"]).status_code == 403


def _change_settings(client, settings_row):
    url = reverse("admin:merchants_reportingsettings_change", args=[settings_row.pk])
    return client.get(url), client.post(url, {})


def test_only_leads_may_edit_reporting_settings(client, objects):
    _login(client, REVIEWER)
    page, post = _change_settings(client, objects["settings"])
    assert b'name="_save"' not in page.content
    assert post.status_code == 403


def _approve(client, merchant):
    return client.post(
        reverse("admin:merchants_merchant_changelist"),
        {"action": "approve", "_selected_action": [merchant.pk]},
        follow=True,
    )


def test_a_lead_approves_an_application_in_review(client):
    merchant = MerchantFactory(status=ApplicationStatus.UNDER_REVIEW)
    _login(client, LEAD)
    _approve(client, merchant)
    merchant.refresh_from_db()
    assert merchant.status == ApplicationStatus.APPROVED


def test_a_reviewer_cannot_approve_an_application(client):
    merchant = MerchantFactory(status=ApplicationStatus.UNDER_REVIEW)
    _login(client, REVIEWER)
    _approve(client, merchant)
    merchant.refresh_from_db()
    assert merchant.status == ApplicationStatus.UNDER_REVIEW


def test_a_reviewer_takes_an_alert_into_review(client, objects):
    _login(client, REVIEWER)
    alert = objects["alert"]
    client.post(
        reverse("admin:transactions_alert_changelist"),
        {"action": "take", "_selected_action": [alert.pk]},
        follow=True,
    )
    alert.refresh_from_db()
    assert alert.status == "in_review"


def test_staff_with_no_group_cannot_move_an_alert(client, objects):
    _login(client, NO_GROUP)
    alert = objects["alert"]
    response = client.post(
        reverse("admin:transactions_alert_changelist"),
        {"action": "take", "_selected_action": [alert.pk]},
    )
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_reviewer_cannot_add_an_acquirer_by_posting(client):
    _login(client, REVIEWER)
    response = client.post(
        reverse("admin:transactions_acquirer_add"),
        {"name": "X", "code": "x", "column_mapping": "{}", "amount_tolerance": Decimal("0")},
    )
    assert response.status_code == 403
    assert not Acquirer.objects.filter(code="x").exists()
