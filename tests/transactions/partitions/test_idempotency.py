"""(terminal, report_id) stays exact across partitions: a resend with another time is the same id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.common.beijing import month_of
from tests.transactions.helpers import BATCH, REPORTS, TerminalAPI, report, reporting_terminal
from tests.transactions.partitions.helpers import keys, partitioned_only, table_of
from tests.transactions.report_factories import make_report
from transactions.models import Report
from transactions.partitions.ddl import DEFAULT
from transactions.partitions.months import partition_name

pytestmark = [pytest.mark.django_db, partitioned_only]

LONG_AGO = "2019-06-15T10:00:00+08:00"  # no partition: the default one


@pytest.fixture
def api(client):
    return TerminalAPI(client)


def _now() -> str:
    return (timezone.now() - timedelta(minutes=1)).isoformat()


def test_a_resend_with_another_time_is_a_conflict_not_a_second_row(api):
    payload = report(api.terminal, occurred_at=LONG_AGO)
    assert api.post(REPORTS, payload).status_code == 201
    response = api.post(REPORTS, {**payload, "occurred_at": _now()})
    assert response.status_code == 409
    assert "report_id" in response.json()["errors"]
    assert Report.objects.count() == 1


def test_an_identical_resend_of_a_report_in_a_month_partition_is_a_duplicate(api):
    payload = report(api.terminal, occurred_at=_now())
    api.post(REPORTS, payload)
    stored = Report.objects.get()
    assert table_of(stored.pk) == partition_name(month_of(timezone.now()))
    response = api.post(REPORTS, payload)
    assert (response.status_code, response.json()["status"]) == (200, "duplicate")
    assert Report.objects.count() == 1


def test_a_batch_with_one_report_at_two_times_stores_it_once(api):
    row = report(api.terminal, occurred_at=_now())
    body = api.post(BATCH, {"reports": [row, {**row, "occurred_at": LONG_AGO}]}).json()
    assert body["accepted"] == 1
    assert body["rejected"][0]["index"] == 1 and "report_id" in body["rejected"][0]["errors"]
    assert Report.objects.count() == 1


def test_a_batch_over_several_months_is_copied_with_one_key_each(api):
    rows = [report(api.terminal, occurred_at=at) for at in (LONG_AGO, _now(), _now())]
    assert api.post(BATCH, {"reports": rows}).json()["accepted"] == 3
    assert keys(terminal_id=api.terminal.pk) == 3
    tables = sorted(table_of(pk) for pk in Report.objects.values_list("pk", flat=True))
    assert tables == [DEFAULT] + [partition_name(month_of(timezone.now()))] * 2
    again = api.post(BATCH, {"reports": rows}).json()
    assert (again["accepted"], again["duplicates"]) == (0, 3)


def test_the_database_refuses_a_second_row_with_the_same_key_in_another_partition():
    # Whatever writes reports (a fixture, a script's COPY), not only ingestion with its locks.
    terminal = reporting_terminal()
    first = make_report(terminal)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(
            terminal, report_id=first.report_id, occurred_at=timezone.now() - timedelta(days=2000)
        )
    assert Report.objects.count() == 1


def test_the_same_report_id_on_another_terminal_is_another_report():
    first = make_report(reporting_terminal())
    make_report(reporting_terminal(), report_id=first.report_id)
    assert Report.objects.count() == 2 and keys(report_id=first.report_id) == 2


def test_a_deleted_report_takes_its_key_along():
    terminal = reporting_terminal()
    gone = make_report(terminal)
    Report.objects.filter(pk=gone.pk).delete()
    assert keys(report_id=gone.report_id) == 0
    make_report(terminal, report_id=gone.report_id)
    assert keys(report_id=gone.report_id) == 1
