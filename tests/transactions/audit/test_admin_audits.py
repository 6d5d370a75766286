"""Audit rules' thresholds edited in admin, and audit runs listed and started from admin."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, StaffFactory, UserFactory
from tests.transactions.audit.helpers import only_rule, plant, reporting_terminal
from transactions.models import Alert, AuditRule, AuditRun, RunStatus

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:transactions_auditrun_changelist")
START = reverse("admin:transactions_auditrun_start")


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def reviewer_client(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    return client


def _rule_url(code):
    return reverse(
        "admin:transactions_auditrule_change", args=[AuditRule.objects.get(code=code).pk]
    )


def _save(client, code, parameters, **fields):
    rule = AuditRule.objects.get(code=code)
    data = {"severity": rule.severity, "enabled": "on", "parameters": parameters, **fields}
    return client.post(_rule_url(code), data)


def _parameters(code):
    return AuditRule.objects.get(code=code).parameters


# -- rules ---------------------------------------------------------------------------------------


def test_rule_list_loads(reviewer_client):
    assert (
        reviewer_client.get(reverse("admin:transactions_auditrule_changelist")).status_code == 200
    )


def test_a_lead_changes_a_threshold(lead_client):
    response = _save(lead_client, "unverified_high_value", '{"min_amount": "8000.00"}')
    assert response.status_code == 302
    assert _parameters("unverified_high_value") == {"min_amount": "8000.00"}


def test_a_money_threshold_given_as_a_number_is_kept_as_a_decimal_string(lead_client):
    _save(lead_client, "unverified_high_value", '{"min_amount": 8000}')
    assert _parameters("unverified_high_value") == {"min_amount": "8000"}


def test_a_numeric_threshold_given_as_a_string_is_stored_as_a_number(lead_client):
    _save(lead_client, "relocation", '{"max_km": "2.5", "travel_km": 50, "travel_minutes": "30"}')
    assert _parameters("relocation") == {"max_km": 2.5, "travel_km": 50, "travel_minutes": 30}


def test_a_lead_changes_severity_and_switches_a_rule_off(lead_client):
    _save(lead_client, "duplicate", '{"seconds": 30}', severity="high", enabled="")
    rule = AuditRule.objects.get(code="duplicate")
    assert (rule.severity, rule.enabled, rule.parameters) == ("high", False, {"seconds": 30})


def test_a_rule_raised_outside_the_registry_keeps_severity_and_switch_editable(lead_client):
    AuditRule.objects.create(code="recon_amount_mismatch", name="Settled amount", severity="medium")
    response = _save(lead_client, "recon_amount_mismatch", "{}", severity="high", enabled="")
    assert response.status_code == 302
    rule = AuditRule.objects.get(code="recon_amount_mismatch")
    assert (rule.severity, rule.enabled, rule.parameters) == ("high", False, {})


def test_a_rule_outside_the_registry_takes_no_thresholds(lead_client):
    AuditRule.objects.create(code="recon_amount_mismatch", name="Settled amount", severity="medium")
    response = _save(lead_client, "recon_amount_mismatch", '{"tolerance": 5}', severity="high")
    assert response.status_code == 200
    assert "cannot be changed" in response.content.decode()
    assert AuditRule.objects.get(code="recon_amount_mismatch").severity == "medium"


def test_a_list_of_limits_can_be_changed(lead_client):
    _save(lead_client, "cashout_below_limit", '{"limits": ["30000", 8000], "margin_percent": 1.5}')
    assert _parameters("cashout_below_limit") == {
        "limits": ["30000", "8000"],
        "margin_percent": 1.5,
    }


def test_a_threshold_change_is_kept_in_the_rules_history(lead_client, lead):
    _save(lead_client, "duplicate", '{"seconds": 30}')
    latest = AuditRule.objects.get(code="duplicate").history.latest()
    assert (latest.parameters, latest.history_user) == ({"seconds": 30}, lead)


@pytest.mark.parametrize(
    ("code", "parameters", "message"),
    [
        ("unverified_high_value", '{"min_amount": "lots"}', "must be a number"),
        ("unverified_high_value", '{"min_amount": -5}', "must be zero or more"),
        ("unverified_high_value", '{"min_amount": true}', "must be a number"),
        ("unverified_high_value", '{"min_amount": "NaN"}', "must be zero or more"),
        ("unverified_high_value", "{}", "Missing: min_amount"),
        (
            "unverified_high_value",
            '{"min_amount": 1, "max": 2}',
            "Not a threshold of this rule: max",
        ),
        ("unverified_high_value", '["min_amount"]', "must be an object"),
        ("unverified_high_value", '{"min_amount": ', "Enter a valid JSON"),
        ("cashout_below_limit", '{"limits": [], "margin_percent": 2}', "must be a list of numbers"),
        ("cashout_below_limit", '{"limits": ["x"], "margin_percent": 2}', "must be a number"),
        ("late_report", '{"hours": 24}', "Not a threshold of this rule: hours"),
    ],
)
def test_a_bad_threshold_is_a_form_error_and_nothing_changes(
    lead_client, code, parameters, message
):
    before = _parameters(code)
    response = _save(lead_client, code, parameters)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _parameters(code) == before


def test_a_reviewer_cannot_change_a_rule(reviewer_client):
    before = _parameters("duplicate")
    assert _save(reviewer_client, "duplicate", '{"seconds": 1}').status_code == 403
    assert _parameters("duplicate") == before


def test_a_reviewer_sees_a_rule_read_only(reviewer_client):
    html = reviewer_client.get(_rule_url("duplicate")).content.decode()
    assert 'name="parameters"' not in html and "seconds" in html


def test_rules_cannot_be_added_or_deleted(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    rule = AuditRule.objects.get(code="duplicate")
    assert client.get(reverse("admin:transactions_auditrule_add")).status_code == 403
    delete = reverse("admin:transactions_auditrule_delete", args=[rule.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


# -- runs ----------------------------------------------------------------------------------------


def test_the_start_button_runs_an_audit_and_its_alerts_appear(lead_client, lead):
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, mcc="5812")
    response = lead_client.post(START, follow=True)  # tasks run eagerly in the tests
    assert "An audit run was queued" in response.content.decode()
    run = AuditRun.objects.get()
    assert (run.trigger, run.status, run.parts_done) == (
        f"admin:{lead.username}",
        RunStatus.DONE,
        1,
    )
    assert Alert.objects.get(terminal=terminal).run == run


def test_the_run_is_listed_with_its_parts_and_findings(lead_client):
    only_rule("mcc_jump")
    plant(reporting_terminal(), mcc="5812")
    lead_client.post(START)
    html = lead_client.get(RUNS).content.decode()
    assert "1/1" in html and "mcc_jump: 1" in html


def test_a_long_username_is_kept_whole_in_the_runs_trigger(client):
    user = StaffFactory(username="a-very-long-compliance-username", groups=["compliance lead"])
    client.force_login(user)
    client.post(START)
    assert AuditRun.objects.get().trigger == "admin:a-very-long-compliance-username"


def test_a_username_longer_than_the_trigger_is_cut_not_refused(client):
    user = StaffFactory(username="u" * 150, groups=["compliance lead"])
    client.force_login(user)
    client.post(START)
    assert AuditRun.objects.get().trigger == ("admin:" + "u" * 150)[:100]


def test_the_start_button_is_shown_to_a_lead(lead_client):
    assert START in lead_client.get(RUNS).content.decode()


def test_the_start_button_is_not_shown_to_a_reviewer(reviewer_client):
    page = reviewer_client.get(RUNS)
    assert page.status_code == 200 and START not in page.content.decode()


def test_a_reviewer_cannot_start_a_run(reviewer_client):
    assert reviewer_client.post(START).status_code == 403
    assert not AuditRun.objects.exists()


def test_starting_a_run_needs_a_post(lead_client):
    assert lead_client.get(START).status_code == 405
    assert not AuditRun.objects.exists()


def test_merchant_users_are_sent_to_the_admin_login(client):
    client.force_login(MembershipFactory().user)
    for url in (RUNS, START, reverse("admin:transactions_auditrule_changelist")):
        response = client.post(url) if url == START else client.get(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert not AuditRun.objects.exists()


def test_staff_without_a_group_cannot_see_runs_or_rules(client):
    client.force_login(StaffFactory())
    assert client.get(RUNS).status_code == 403
    assert client.get(reverse("admin:transactions_auditrule_changelist")).status_code == 403
    assert client.post(START).status_code == 403
