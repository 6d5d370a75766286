"""What a decision does: a hold or a review goes into the alert queue (a hold also holds the
report, in the same transaction), shadow and disabled checks, a check that fails, resends,
batches, the report read back, and the language of the reasons."""

import json
from dataclasses import replace

import pytest
from django.db import connection
from django.utils import translation

from tests.factories import StaffFactory
from tests.transactions.decisions.helpers import codes, decide, set_check
from tests.transactions.helpers import BATCH, REPORTS, report
from transactions.decisions.checks import REGISTRY
from transactions.models import Alert, Decision, Hold, Report
from transactions.reports.holds import hold_release

pytestmark = pytest.mark.django_db

OTHER_MCC = "5812"  # mcc_mismatch: hold
ROUND_AMOUNT = "5000.00"  # round_amount: review


def stored(decision: dict) -> Decision:
    return Decision.objects.get(decision_id=decision["decision_id"])


def test_a_hold_puts_an_open_alert_in_the_queue_and_holds_the_report(api):
    row = stored(decide(api, mcc=OTHER_MCC))
    alert = row.alert
    assert list(Alert.objects.unresolved()) == [alert]
    assert (alert.status, alert.rule.code, alert.severity) == (
        "open",
        "realtime_mcc_mismatch",
        "high",
    )
    assert list(alert.reports.all()) == [row.report]
    [hold] = Hold.objects.all()
    assert (hold.report, hold.alert, hold.is_active) == (row.report, alert, True)


@pytest.mark.django_db(transaction=True)
def test_a_hold_is_committed_with_its_report(api):
    row = stored(decide(api, mcc=OTHER_MCC))  # no test transaction around it: all committed
    assert Hold.objects.get(report=row.report).alert == row.alert


def test_a_hold_that_cannot_be_written_leaves_no_report_behind(api, monkeypatch):
    def refuse(holds, model, **kwargs):
        raise RuntimeError("hold refused")

    monkeypatch.setattr("transactions.decisions.alerts.bulk_create_with_history", refuse)
    with pytest.raises(RuntimeError):
        api.post(REPORTS, report(api.terminal, mcc=OTHER_MCC))
    assert not (Report.objects.exists() or Decision.objects.exists() or Alert.objects.exists())


def test_a_review_raises_an_alert_and_holds_nothing(api):
    row = stored(decide(api, amount=ROUND_AMOUNT))
    assert (row.outcome, row.alert.status, row.alert.severity) == ("review", "open", "medium")
    assert row.alert.rule.code == "realtime_round_amount"
    assert not Hold.objects.exists()


def test_an_accepted_report_raises_no_alert(api):
    assert stored(decide(api)).alert is None
    assert not Alert.objects.exists()


def test_a_shadow_checks_hit_is_recorded_but_not_acted_on(api):
    set_check("mcc_mismatch", shadow=True)
    decision = decide(api, mcc=OTHER_MCC)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])
    [run] = [c for c in stored(decision).checks if c["code"] == "mcc_mismatch"]
    assert (run["hit"], run["shadow"]) == (True, True)
    assert run["figures"] == {"mcc": OTHER_MCC, "registered": "5411"}
    assert not (Alert.objects.exists() or Hold.objects.exists())


def test_a_disabled_check_does_not_run(api):
    set_check("mcc_mismatch", enabled=False)
    decision = decide(api, mcc=OTHER_MCC)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])
    ran = [c["code"] for c in stored(decision).checks]
    assert "mcc_mismatch" not in ran and len(ran) == len(REGISTRY) - 1


def test_a_check_that_fails_is_a_review_not_an_error(api, monkeypatch):
    def broken(report, ctx):
        raise ValueError("no MCC table")

    monkeypatch.setitem(REGISTRY, "mcc_mismatch", replace(REGISTRY["mcc_mismatch"], run=broken))
    response = api.post(REPORTS, report(api.terminal, mcc=OTHER_MCC))
    assert response.status_code == 201
    decision = response.json()["decision"]
    assert decision["outcome"] == "review"  # not the check's hold: it did not decide anything
    assert decision["reasons"] == [
        {
            "code": "check_failed",
            "message": "The check mcc_mismatch could not run; a reviewer will look at this sale.",
            "figures": {"check": "mcc_mismatch"},
        }
    ]
    row = stored(decision)
    [run] = [c for c in row.checks if c["code"] == "mcc_mismatch"]
    assert run["error"] == "ValueError: no MCC table"
    assert row.alert.rule.code == "realtime_check_failed"


def test_a_resend_repeats_the_first_decision(api):
    payload = report(api.terminal, mcc=OTHER_MCC)
    first = api.post(REPORTS, payload).json()["decision"]
    response = api.post(REPORTS, payload)
    assert response.status_code == 200
    assert response.json()["decision"] == first
    assert Decision.objects.count() == 1 and Alert.objects.count() == 1


def test_the_batch_lists_only_the_reports_not_accepted(api):
    rows = [
        report(api.terminal, card_token="tok_a"),
        report(api.terminal, card_token="tok_b", mcc=OTHER_MCC),
        report(api.terminal, card_token="tok_c"),
        report(api.terminal, card_token="tok_d", amount=ROUND_AMOUNT),
    ]
    body = api.post(BATCH, {"reports": rows}).json()
    assert body["accepted"] == 4
    listed = [(d["index"], d["report_id"], d["outcome"], codes(d)) for d in body["decisions"]]
    assert listed == [
        (1, rows[1]["report_id"], "hold", ["mcc_mismatch"]),
        (3, rows[3]["report_id"], "review", ["round_amount"]),
    ]
    assert set(body["decisions"][0]) == {"index", "report_id", "decision_id", "outcome", "reasons"}
    ids = {d["decision_id"] for d in body["decisions"]}
    assert ids == {str(d.decision_id) for d in Decision.objects.exclude(outcome="accept")}


def test_a_batchs_decisions_record_every_check_and_differ_only_where_one_fired(api):
    rows = [
        report(api.terminal, card_token="tok_a"),
        report(api.terminal, card_token="tok_b", mcc=OTHER_MCC),
        report(api.terminal, card_token="tok_c"),
    ]
    assert api.post(BATCH, {"reports": rows}).json()["accepted"] == 3
    decisions = [Decision.objects.get(report__report_id=row["report_id"]) for row in rows]
    reports = [Report.objects.get(report_id=row["report_id"]) for row in rows]
    assert [(d.report_id, d.merchant_id, d.terminal_id) for d in decisions] == [
        (r.pk, r.merchant_id, r.terminal_id) for r in reports
    ]
    assert [(d.outcome, d.alert_id is None) for d in decisions] == [
        ("accept", True),
        ("hold", False),
        ("accept", True),
    ]
    assert decisions[0].reasons == decisions[2].reasons == []
    assert len({d.decision_id for d in decisions}) == 3
    assert {d.decision_id.version for d in decisions} == {7}  # time-ordered: appended to the index
    if connection.vendor == "postgresql":  # the accepted ones share one row of records
        assert decisions[0].checks == decisions[2].checks == []
        assert decisions[0].shared_checks_id == decisions[2].shared_checks_id is not None
        assert decisions[1].shared_checks_id is None and decisions[1].checks
    first, held, last = (d.checks_run for d in decisions)
    assert [c["code"] for c in first] == list(REGISTRY)  # every check, in order
    assert first == last  # accepted: the same records, each check's time shared out
    differs = [(a["code"], a, b) for a, b in zip(first, held, strict=True) if a != b]
    [(code, passed, fired)] = differs
    assert code == "mcc_mismatch"
    assert passed | {"hit": True, "figures": {"mcc": OTHER_MCC, "registered": "5411"}} == fired


def test_a_check_that_fails_on_one_report_of_a_batch_leaves_the_others_accepted(api, monkeypatch):
    def broken(report, ctx):
        if report.mcc == OTHER_MCC:
            raise ValueError("no MCC table")
        return None

    monkeypatch.setitem(REGISTRY, "mcc_mismatch", replace(REGISTRY["mcc_mismatch"], run=broken))
    rows = [report(api.terminal, card_token="tok_a", mcc=OTHER_MCC), report(api.terminal)]
    body = api.post(BATCH, {"reports": rows}).json()
    assert body["accepted"] == 2
    assert [(d["index"], d["outcome"], codes(d)) for d in body["decisions"]] == [
        (0, "review", ["check_failed"])
    ]
    fine = Decision.objects.get(report__report_id=rows[1]["report_id"])
    assert fine.outcome == "accept" and not any(c.get("error") for c in fine.checks)


def test_a_duplicate_in_a_later_batch_repeats_its_first_decision(api):
    held = report(api.terminal, card_token="tok_a", mcc=OTHER_MCC)
    [first] = api.post(BATCH, {"reports": [held]}).json()["decisions"]
    body = api.post(BATCH, {"reports": [report(api.terminal, card_token="tok_b"), held]}).json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert body["decisions"] == [{**first, "index": 1}]
    assert Decision.objects.count() == 2


def test_the_report_reads_back_held_until_a_lead_releases_it(api):
    payload = report(api.terminal, mcc=OTHER_MCC)
    decision = api.post(REPORTS, payload).json()["decision"]
    url = f"{REPORTS}{payload['report_id']}/"
    body = api.get(url).json()
    assert (body["decision"], body["held"]) == (decision, True)
    lead = StaffFactory(groups=["compliance lead"])
    hold_release(hold=Hold.objects.get(), actor=lead, reason="Merchant's second MCC, on file")
    body = api.get(url).json()
    assert (body["decision"], body["held"]) == (decision, False)


def test_an_accepted_report_reads_back_not_held(api):
    payload = report(api.terminal)
    api.post(REPORTS, payload)
    body = api.get(f"{REPORTS}{payload['report_id']}/").json()
    assert (body["decision"]["outcome"], body["held"]) == ("accept", False)


def post_in(api, language: str, payload: dict):
    body = json.dumps(payload).encode()
    headers = api.headers("POST", REPORTS, body)
    return api.client.post(
        REPORTS, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language, **headers
    )


def test_the_reasons_are_in_english_for_an_english_terminal(api):
    response = post_in(api, "en", report(api.terminal, mcc=OTHER_MCC))
    [reason] = response.json()["decision"]["reasons"]
    assert reason["message"] == "Acquired under MCC 5812; the merchant is registered under 5411."


def test_the_reasons_follow_the_terminals_language(api):
    response = post_in(api, "zh-hans", report(api.terminal, mcc=OTHER_MCC))
    assert response["Content-Language"] == "zh-hans"
    [reason] = response.json()["decision"]["reasons"]
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "Acquired under MCC %(mcc)s; the merchant is registered under %(registered)s."
        ) % {"mcc": OTHER_MCC, "registered": "5411"}
    assert reason["message"] == expected


def test_with_screening_switched_off_reports_are_stored_without_a_decision(api, settings):
    settings.DECISIONS_SCREENING = False
    response = api.post(REPORTS, report(api.terminal, mcc="0000"))
    assert response.status_code == 201
    assert "decision" not in response.json()
    assert Report.objects.count() == 1 and not Decision.objects.exists()
