"""Long id lists as one array parameter (``one_of``) and rows updated by key (``update_rows``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from merchants.models import Terminal
from portal.common.database import one_of, update_rows
from tests.factories import TerminalFactory
from tests.transactions.audit.helpers import audit, plant
from tests.transactions.helpers import reporting_terminal
from transactions.models import Alert

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("wanted", [[], [0], [0, 2], [0, 1, 2, 3]])
def test_one_of_finds_what_in_finds(wanted):
    terminals = [TerminalFactory() for _ in range(4)]
    ids = [terminals[i].pk for i in wanted] + [10**12]  # and one that does not exist
    found = set(Terminal.objects.filter(one_of("id", ids)).values_list("id", flat=True))
    assert found == set(Terminal.objects.filter(id__in=ids).values_list("id", flat=True))
    assert found == {terminals[i].pk for i in wanted}


def test_one_of_binds_a_long_list_as_one_parameter_on_postgresql():
    ids = list(range(1, 3001))
    with CaptureQueriesContext(connection) as queries:
        list(Terminal.objects.filter(one_of("merchant_id", ids)).values_list("id"))
    [query] = queries.captured_queries
    if connection.vendor == "postgresql":
        assert "= ANY(" in query["sql"] and " IN (" not in query["sql"]
    else:
        assert " IN (" in query["sql"]


def test_update_rows_writes_the_fields_of_each_row_and_nothing_else():
    terminal = reporting_terminal()
    plant(terminal, mcc="5812")
    plant(reporting_terminal(), mcc="5812")
    audit()
    first, second = Alert.objects.order_by("pk")
    untouched = second.explanation
    first.report_count = 7
    first.explanation = "更新后的说明 / explanation updated"
    first.explanation_params = {"count": "7", "day": "2026-12-07"}
    first.explain = [{"field": "amount", "value": "9.99"}]
    update_rows([first], ["report_count", "explanation", "explanation_params", "explain"])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.report_count == 7 and first.explanation.startswith("更新后的说明")
    assert first.explanation_params == {"count": "7", "day": "2026-12-07"}
    assert first.explain == [{"field": "amount", "value": "9.99"}]
    assert second.explanation == untouched


def test_update_rows_of_nothing_runs_no_query():
    with CaptureQueriesContext(connection) as queries:
        update_rows([], ["report_count"])
    assert queries.captured_queries == []


def test_update_rows_refuses_what_is_not_a_column():
    terminal = TerminalFactory()
    with pytest.raises(ValueError, match="days is not a column"):
        update_rows([terminal], ["days"])  # the terminal's daily rollups, a reverse relation
