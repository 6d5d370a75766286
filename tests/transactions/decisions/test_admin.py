"""Screening in admin: leads edit the checks, reviewers read them; decisions are listed, read-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import StaffFactory
from tests.transactions.helpers import (
    BATCH,
    REPORTS,
    TerminalAPI,
    report,
    reporting_terminal,
)
from tests.transactions.report_factories import make_report
from transactions.decisions.checks import REGISTRY
from transactions.decisions.inputs import ensure_checks
from transactions.models import Decision, ScreeningCheck

pytestmark = pytest.mark.django_db

CHECKS = reverse("admin:transactions_screeningcheck_changelist")
DECISIONS = reverse("admin:transactions_decision_changelist")


@pytest.fixture(autouse=True)
def _checks():
    ensure_checks()  # the rows screening makes on its first report


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


def _check_url(code: str, view: str = "change") -> str:
    pk = ScreeningCheck.objects.get(code=code).pk
    return reverse(f"admin:transactions_screeningcheck_{view}", args=[pk])


def _save(client, code: str, parameters: str, **fields: Any):
    url = _check_url(code)
    check = ScreeningCheck.objects.get(code=code)
    data = {"enabled": "on", "action": check.action, "parameters": parameters, **fields}
    return client.post(url, data)


def _parameters(code: str) -> dict[str, Any]:
    return ScreeningCheck.objects.get(code=code).parameters


VELOCITY = '{"minutes": 15, "max_count_terminal": 4, "max_count_merchant": 6, "max_amount": 80000}'


# -- checks ----------------------------------------------------------------------------------


def test_the_check_list_makes_a_row_for_every_check(reviewer_client):
    ScreeningCheck.objects.all().delete()
    assert reviewer_client.get(CHECKS).status_code == 200
    assert set(ScreeningCheck.objects.values_list("code", flat=True)) == set(REGISTRY)


def test_a_lead_changes_a_threshold(lead_client):
    response = _save(lead_client, "card_velocity", VELOCITY)
    assert response.status_code == 302
    assert _parameters("card_velocity") == {
        "minutes": 15,
        "max_count_terminal": 4,
        "max_count_merchant": 6,
        "max_amount": 80000,
    }


def test_a_lead_puts_a_check_in_shadow_and_makes_it_hold(lead_client):
    thresholds = '{"min_amount": 5000, "round_to": 1000}'
    _save(lead_client, "round_amount", thresholds, shadow="on", action="hold")
    check = ScreeningCheck.objects.get(code="round_amount")
    assert (check.enabled, check.shadow, check.action) == (True, True, "hold")


def test_a_lead_switches_a_check_off_and_into_shadow(lead_client):
    _save(lead_client, "mcc_mismatch", "{}", enabled="", shadow="on")
    check = ScreeningCheck.objects.get(code="mcc_mismatch")
    assert (check.enabled, check.shadow) == (False, True)


def test_a_change_is_kept_in_the_checks_history(lead_client, lead):
    _save(lead_client, "far_from_home", '{"max_km": 8}')
    latest = ScreeningCheck.objects.get(code="far_from_home").history.latest()
    assert (latest.parameters, latest.history_user) == ({"max_km": 8}, lead)
    assert lead_client.get(_check_url("far_from_home", "history")).status_code == 200


@pytest.mark.parametrize(
    ("code", "parameters", "message"),
    [
        ("far_from_home", '{"max_km": ', "Enter a valid JSON"),
        ("far_from_home", '{"max_km": 5, "radius": 2}', "Not a threshold of this rule: radius"),
        ("far_from_home", "{}", "Missing: max_km"),
        ("far_from_home", '{"max_km": "far"}', "must be a number"),
        ("far_from_home", '{"max_km": -1}', "must be zero or more"),
        ("far_from_home", '["max_km"]', "must be an object"),
        ("below_limit", '{"limits": [], "margin_percent": 2}', "must be a list of numbers"),
        ("mcc_mismatch", '{"tolerance": 1}', "Not a threshold of this rule: tolerance"),
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


def test_a_reviewer_reads_a_check_but_cannot_change_it(reviewer_client):
    page = reviewer_client.get(_check_url("far_from_home"))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = _save(reviewer_client, "far_from_home", '{"max_km": 50}')
    assert response.status_code == 403
    assert _parameters("far_from_home") == {"max_km": 5}


def test_no_one_adds_or_deletes_a_check(lead_client):
    assert lead_client.get(reverse("admin:transactions_screeningcheck_add")).status_code == 403
    assert lead_client.post(_check_url("far_from_home", "delete")).status_code == 403
    assert ScreeningCheck.objects.filter(code="far_from_home").exists()


# -- decisions -------------------------------------------------------------------------------


def _decision(terminal: Any = None, **fields: Any) -> Decision:
    """A decision made directly, on a report of its own (any state source, any time)."""
    terminal = terminal or reporting_terminal()
    values = {"outcome": "accept", "state_source": "database", "duration_us": 420} | fields
    return Decision.objects.create(
        report=make_report(terminal), merchant=terminal.merchant, terminal=terminal, **values
    )


def _held_through_the_api() -> Decision:
    api = TerminalAPI(Client())
    payload = report(api.terminal, mcc="5812")
    assert api.post(REPORTS, payload).status_code == 201
    return Decision.objects.get(report__report_id=payload["report_id"])


def _listed(client, query: str = "") -> set[int]:
    response = client.get(f"{DECISIONS}{query}")
    assert response.status_code == 200
    return {decision.pk for decision in response.context["cl"].result_list}


def test_the_decision_list_filters_by_state_source(reviewer_client):
    fallbacks = {_decision(state_source="fallback").pk for _ in range(2)}
    _decision(state_source="redis")
    assert _listed(reviewer_client, "?state_source__exact=fallback") == fallbacks


def test_the_decision_list_filters_by_outcome(reviewer_client):
    held = _decision(outcome="hold")
    _decision(outcome="accept")
    assert _listed(reviewer_client, "?outcome__exact=hold") == {held.pk}


def test_the_list_counts_fallbacks_in_the_last_day_and_in_all(reviewer_client):
    old = _decision(state_source="fallback")
    Decision.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    _decision(state_source="fallback")
    _decision(state_source="redis")
    page = reviewer_client.get(DECISIONS).content.decode()
    assert "1 in the last 24 hours, 2 in all." in page


@pytest.mark.parametrize("term", ["report_id", "decision_id", "mid", "short_name"])
def test_a_decision_is_found_by_the_ids_people_quote(reviewer_client, term):
    wanted, _other = _decision(), _decision()
    text = {
        "report_id": str(wanted.report.report_id),
        "decision_id": str(wanted.decision_id),
        "mid": wanted.merchant.mid,
        "short_name": wanted.merchant.short_name,
    }[term]
    assert _listed(reviewer_client, f"?q={text}") == {wanted.pk}


def test_the_list_shows_reason_codes_and_time_in_ms(reviewer_client):
    _decision(
        outcome="hold",
        duration_us=1250,
        reasons=[{"code": "mcc_mismatch", "message": "m", "figures": {}}],
    )
    page = reviewer_client.get(DECISIONS).content.decode()
    assert "mcc_mismatch" in page and "1.25 ms" in page


def test_the_decision_page_shows_its_reasons_checks_report_and_alert(reviewer_client):
    decision = _held_through_the_api()
    url = reverse("admin:transactions_decision_change", args=[decision.pk])
    page = reviewer_client.get(url).content.decode()
    assert "Acquired under MCC 5812; the merchant is registered under 5411." in page
    assert all(f"<code>{code}</code>" in page for code in REGISTRY)
    assert reverse("admin:transactions_report_change", args=[decision.report_id]) in page
    assert reverse("admin:transactions_alert_change", args=[decision.alert_id]) in page


def test_the_page_of_a_decision_sharing_its_batchs_records_shows_every_check(reviewer_client):
    api = TerminalAPI(Client())
    rows = [report(api.terminal, card_token="tok_a"), report(api.terminal, card_token="tok_b")]
    assert api.post(BATCH, {"reports": rows}).json()["accepted"] == 2
    decision = Decision.objects.get(report__report_id=rows[0]["report_id"])
    url = reverse("admin:transactions_decision_change", args=[decision.pk])
    page = reviewer_client.get(url).content.decode()
    assert all(f"<code>{code}</code>" in page for code in REGISTRY)


def test_the_decision_page_shows_a_failed_checks_error_and_a_shadow_hit(reviewer_client):
    decision = _decision(
        outcome="review",
        checks=[
            {"code": "far_from_home", "hit": False, "shadow": False, "action": "review"}
            | {"figures": {}, "us": 31, "error": "ZeroDivisionError: division by zero"},
            {"code": "round_amount", "hit": True, "shadow": True, "action": "review"}
            | {"figures": {"amount": "¥6,000.00"}, "us": 12},
        ],
    )
    url = reverse("admin:transactions_decision_change", args=[decision.pk])
    page = reviewer_client.get(url).content.decode()
    assert "ZeroDivisionError: division by zero" in page
    assert "amount=¥6,000.00" in page


def test_no_one_adds_changes_or_deletes_a_decision(lead_client):
    decision = _decision()
    change = reverse("admin:transactions_decision_change", args=[decision.pk])
    delete = reverse("admin:transactions_decision_delete", args=[decision.pk])
    assert lead_client.get(reverse("admin:transactions_decision_add")).status_code == 403
    assert lead_client.post(change, {"outcome": "hold"}).status_code == 403
    assert lead_client.post(delete, {"post": "yes"}).status_code == 403
    assert Decision.objects.get(pk=decision.pk).outcome == "accept"


def test_staff_without_a_group_see_no_decisions(client):
    client.force_login(StaffFactory())
    assert client.get(DECISIONS).status_code == 403
