"""The reports' transaction time has its BRIN index on PostgreSQL (made by a migration)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="BRIN is a PostgreSQL index")
def test_reports_have_a_brin_index_on_their_transaction_time():
    # Its effect on the audit rules' plans is measured in bench/audit_rules.py; an empty test
    # table tells nothing about which index the planner would choose.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'report_occurred_brin'")
        [(definition,)] = cursor.fetchall()
    assert "USING brin (occurred_at)" in definition
    assert "pages_per_range='16'" in definition
