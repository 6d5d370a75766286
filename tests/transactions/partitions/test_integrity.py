"""References to reports hold without database constraints: reports are never deleted under them.

A partitioned table's ``id`` alone is not unique, so PostgreSQL cannot enforce a foreign key to it
(docs/partitions.md); the portal keeps the references whole itself: reports are immutable, and a
report that anything refers to cannot be deleted through the ORM (PROTECT).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import ProtectedError

from tests.transactions.alert_factories import AlertFactory
from tests.transactions.helpers import REPORTS, TerminalAPI, report, reporting_terminal
from tests.transactions.partitions.helpers import partitioned_only
from tests.transactions.report_factories import make_report
from transactions.models import AlertReport, ImmutableError, Report, ReportAmendment

pytestmark = pytest.mark.django_db


def test_every_reference_to_a_report_is_without_a_database_constraint():
    relations = [
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete
        and field.is_relation
        and field.related_model is Report
        and getattr(field, "db_constraint", False)
    ]
    assert relations == []


@partitioned_only
def test_no_foreign_key_constraint_points_at_the_partitioned_reports():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = 'transactions_report'::regclass"
        )
        assert cursor.fetchall() == []


def test_a_report_in_an_alert_cannot_be_deleted():
    stored = make_report(reporting_terminal())
    AlertReport.objects.create(alert=AlertFactory(merchant=stored.merchant), report=stored)
    with pytest.raises(ProtectedError):
        stored.delete()
    assert Report.objects.filter(pk=stored.pk).exists()


def test_an_amended_report_cannot_be_deleted():
    stored = make_report(reporting_terminal())
    ReportAmendment.objects.create(report=stored, changes={"amount": "1.00"}, reason="typo")
    with pytest.raises(ProtectedError):
        Report.objects.filter(pk=stored.pk).delete()


def test_a_screened_report_cannot_be_deleted_under_its_decision(client):
    api = TerminalAPI(client)
    api.post(REPORTS, report(api.terminal))
    with pytest.raises(ProtectedError):
        Report.objects.get().delete()


def test_a_stored_report_is_never_changed():
    stored = make_report(reporting_terminal())
    with pytest.raises(ImmutableError):
        Report.objects.filter(pk=stored.pk).update(amount=1)
    with pytest.raises(ImmutableError):
        stored.save()
