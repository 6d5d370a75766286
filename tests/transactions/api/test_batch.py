"""POST /api/v1/terminal/reports/batch/: every valid row stored, every bad row reported."""

import pytest

from tests.transactions.helpers import BATCH, REPORTS, TerminalAPI, report
from transactions.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return TerminalAPI(client)


def test_mixed_batch_stores_the_valid_rows_and_lists_the_bad_ones(api):
    good = [report(api.terminal) for _ in range(3)]
    bad_amount = report(api.terminal, amount="1.234")
    bad_time = report(api.terminal, occurred_at="2026-11-25 10:00")
    response = api.post(BATCH, {"reports": [good[0], bad_amount, good[1], bad_time, good[2]]})
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (3, 0)
    assert [(r["index"], r["report_id"], list(r["errors"])) for r in body["rejected"]] == [
        (1, bad_amount["report_id"], ["amount"]),
        (3, bad_time["report_id"], ["occurred_at"]),
    ]
    assert Report.objects.count() == 3


def test_batch_resent_is_all_duplicates(api):
    rows = [report(api.terminal) for _ in range(4)]
    api.post(BATCH, {"reports": rows})
    body = api.post(BATCH, {"reports": rows}).json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (0, 4, [])
    assert Report.objects.count() == 4


def test_duplicate_inside_one_batch_is_stored_once(api):
    row = report(api.terminal)
    body = api.post(BATCH, {"reports": [row, row]}).json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert Report.objects.count() == 1


def test_conflicting_row_is_rejected_with_its_index(api):
    row = report(api.terminal)
    api.post(REPORTS, row)
    body = api.post(BATCH, {"reports": [report(api.terminal), {**row, "amount": "1.00"}]}).json()
    assert body["accepted"] == 1
    assert body["rejected"][0]["index"] == 1 and "report_id" in body["rejected"][0]["errors"]


def test_row_that_is_not_an_object_is_rejected(api):
    body = api.post(BATCH, {"reports": [report(api.terminal), "nonsense"]}).json()
    assert body["accepted"] == 1 and body["rejected"][0]["index"] == 1


def test_more_than_5000_rows_is_413(api):
    response = api.post(BATCH, {"reports": [{}] * 5001})
    assert response.status_code == 413
    assert not Report.objects.exists()


def test_5000_rows_are_accepted(api):
    rows = [report(api.terminal, rrn=f"{i:012d}") for i in range(5000)]
    body = api.post(BATCH, {"reports": rows}).json()
    assert body["accepted"] == 5000
    assert Report.objects.count() == 5000


@pytest.mark.parametrize(
    "payload", [{"rows": []}, [], {"reports": "x"}, {"reports": [], "extra": 1}]
)
def test_wrong_envelope_is_400(api, payload):
    response = api.post(BATCH, payload)
    assert response.status_code == 400
    assert response.json()["errors"]
