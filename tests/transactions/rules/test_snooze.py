"""Snoozing a rule from an alert: on record, findings marked and out of the queues, ended by a lead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import TerminalFactory
from tests.transactions.audit.helpers import audit, only_rule, plant, shanghai
from tests.transactions.decisions.helpers import codes, decide
from tests.transactions.helpers import TerminalAPI, reporting_terminal
from tests.transactions.rules.helpers import BIG_UNVERIFIED, lead, live, make_rule, reviewer
from transactions.models import Alert, Decision, RuleSnooze
from transactions.rules.snooze import snooze_create, snooze_end

pytestmark = pytest.mark.django_db


def _week() -> str:
    return (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")


def _first_alert(terminal=None, **fields):
    terminal = terminal or reporting_terminal()
    live(make_rule())
    plant(terminal, at=shanghai(1, 10), amount="6000.00", cvm="none", **fields)
    audit()
    return Alert.objects.get(rule__code="data_big_unverified")


def _again(terminal, **fields) -> Alert:
    """A new matching report received now, audited: the rule's newest alert."""
    now = timezone.now()
    plant(
        terminal,
        at=now - timedelta(minutes=5),
        received=now,
        amount="7000.00",
        cvm="none",
        **fields,
    )
    audit()
    return Alert.objects.filter(rule__code="data_big_unverified").latest("pk")


def _snooze(alert, target="merchant", **kwargs):
    return snooze_create(
        alert=alert,
        target=target,
        ends_at=kwargs.pop("ends_at", timezone.now() + timedelta(days=7)),
        reason=kwargs.pop("reason", "Hotel deposits, explained by the merchant."),
        actor=kwargs.pop("actor", reviewer()),
    )


def test_findings_during_a_snooze_are_kept_marked_and_out_of_the_queues():
    first = _first_alert()
    snooze = _snooze(first)
    later = _again(first.terminal)
    assert later.pk != first.pk and later.snooze == snooze
    assert later not in Alert.objects.unresolved() and later not in Alert.objects.live()
    assert later not in Alert.objects.for_merchant(first.merchant)
    assert first in Alert.objects.unresolved()  # the alert it came from is still worked


def test_the_rule_fires_again_once_a_lead_ends_the_snooze():
    first = _first_alert()
    snooze = _snooze(first)
    snooze_end(snooze=snooze, reason="The merchant changed hands.", actor=lead())
    later = _again(first.terminal)
    assert later.snooze is None and later in Alert.objects.unresolved()
    assert [h.end_reason for h in snooze.history.order_by("history_date")] == [
        "",
        "The merchant changed hands.",
    ]


def test_the_rule_fires_again_when_the_snooze_runs_out():
    first = _first_alert()
    snooze = _snooze(first)
    RuleSnooze.objects.filter(pk=snooze.pk).update(ends_at=timezone.now())
    assert _again(first.terminal).snooze is None


def test_a_terminal_snooze_leaves_the_merchants_other_terminals_firing():
    first = _first_alert()
    _snooze(first, target="terminal")
    assert _again(first.terminal).snooze is not None
    other = TerminalFactory(merchant=first.merchant, active=True)
    assert _again(other).snooze is None


def test_a_card_snooze_quietens_that_card_only():
    first = _first_alert(card_token="tok-hotel-guest-1")
    snooze = _snooze(first, target="card")
    assert snooze.card_token == "tok-hotel-guest-1"
    assert _again(first.terminal, card_token="tok-hotel-guest-1").snooze == snooze
    assert _again(first.terminal, card_token="tok-someone-else").snooze is None


def test_a_built_in_audit_rule_can_be_snoozed_too():
    only_rule("unverified_high_value")
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), amount="6000.00", cvm="none", method="debit_card")
    audit()
    first = Alert.objects.get(rule__code="unverified_high_value")
    snooze = _snooze(first)
    now = timezone.now()
    plant(
        terminal,
        at=now - timedelta(minutes=5),
        received=now,
        amount="8000.00",
        cvm="none",
        method="debit_card",
    )
    audit()
    assert Alert.objects.filter(rule__code="unverified_high_value").latest("pk").snooze == snooze


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"ends_at": timezone.now() - timedelta(hours=1)}, "ends_at"),
        ({"ends_at": timezone.now() + timedelta(days=91)}, "ends_at"),
        ({"target": "card"}, "target"),  # the alert's report has no card token
    ],
)
def test_bad_snoozes_are_refused_with_field_errors(kwargs, field):
    first = _first_alert(card_token="")
    with pytest.raises(ValidationError) as caught:
        _snooze(first, **kwargs)
    assert field in caught.value.message_dict
    assert not RuleSnooze.objects.exists()


def test_a_second_snooze_of_the_same_thing_is_refused():
    first = _first_alert()
    _snooze(first)
    with pytest.raises(ValidationError):
        _snooze(first)


def test_a_reviewer_cannot_end_a_snooze():
    snooze = _snooze(_first_alert())
    with pytest.raises(PermissionDenied):
        snooze_end(snooze=snooze, reason="no", actor=reviewer())


def test_a_screening_checks_alert_cannot_snooze_its_check():
    first = _first_alert()
    Alert.objects.filter(pk=first.pk).update(fingerprint="decision:x", rule_version=None)
    first.refresh_from_db()
    with pytest.raises(ValidationError):
        _snooze(first)


def test_a_snoozed_hold_rule_lets_the_merchants_sales_through_at_report_time(client):
    api = TerminalAPI(client)
    live(make_rule({**BIG_UNVERIFIED, "action": "hold"}))
    decide(api, amount="6000.00", cvm="none", method="debit_card")
    first = Alert.objects.get(rule__code="data_big_unverified")
    snooze = _snooze(first)
    decision = decide(api, amount="6500.00", cvm="none", method="debit_card")
    assert decision["outcome"] != "hold" and "rule:big_unverified" not in codes(decision)
    ran = [
        c
        for c in Decision.objects.latest("created_at").checks
        if c["code"] == "rule:big_unverified"
    ]
    assert ran[0]["hit"] and ran[0]["snooze_id"] == snooze.pk


# -- admin -------------------------------------------------------------------------------------


def _snooze_url(alert):
    return reverse("admin:transactions_alert_snooze", args=[alert.pk])


def test_a_reviewer_snoozes_from_the_alert_page_and_later_findings_show_it(client):
    first = _first_alert()
    client.force_login(reviewer())
    page = client.get(reverse("admin:transactions_alert_change", args=[first.pk])).content.decode()
    assert _snooze_url(first) in page
    response = client.post(
        _snooze_url(first), {"target": "merchant", "ends_at": _week(), "reason": "Hotel deposits."}
    )
    assert response.status_code == 302
    later = _again(first.terminal)
    page = client.get(reverse("admin:transactions_alert_change", args=[later.pk])).content.decode()
    assert "Raised while the rule was snoozed" in page and "Hotel deposits." in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"target": "merchant", "ends_at": _week(), "reason": ""}, "This field is required."),
        (
            {"target": "merchant", "ends_at": "2020-01-01 10:00", "reason": "x"},
            "A snooze ends in the future.",
        ),
        ({"target": "merchant", "ends_at": "soon", "reason": "x"}, "Enter a valid date/time."),
        ({"target": "card", "ends_at": _week(), "reason": "x"}, "Select a valid choice."),
    ],
)
def test_the_snooze_form_says_what_is_wrong(client, data, error):
    first = _first_alert(card_token="")
    client.force_login(reviewer())
    response = client.post(_snooze_url(first), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not RuleSnooze.objects.exists()


def test_only_a_lead_ends_a_snooze_in_admin(client):
    snooze = _snooze(_first_alert())
    end = reverse("admin:transactions_rulesnooze_end", args=[snooze.pk])
    page = reverse("admin:transactions_rulesnooze_change", args=[snooze.pk])
    client.force_login(reviewer())
    assert end not in client.get(page).content.decode()
    assert client.post(end, {"reason": "done"}).status_code == 403
    client.force_login(lead())
    assert end in client.get(page).content.decode()
    assert client.post(end, {"reason": ""}).status_code == 400
    assert client.post(end, {"reason": "The merchant changed hands."}).status_code == 302
    snooze.refresh_from_db()
    assert snooze.ended_by.username == "rule-lead"
    assert client.post(end, {"reason": "again"}).status_code == 400  # over already


def test_staff_without_the_permission_cannot_snooze(client):
    from tests.factories import StaffFactory

    first = _first_alert()
    client.force_login(StaffFactory(username="viewer", groups=[]))
    assert client.get(_snooze_url(first)).status_code == 403


def test_snoozed_alerts_are_out_of_the_alert_list_unless_asked_for(client):
    first = _first_alert()
    _snooze(first)
    later = _again(first.terminal)
    client.force_login(lead())
    changelist = reverse("admin:transactions_alert_changelist")
    assert later not in client.get(changelist).context["cl"].result_list
    asked = client.get(changelist + "?snoozed=snoozed")
    assert list(asked.context["cl"].result_list) == [later]
