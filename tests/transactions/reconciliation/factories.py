"""Acquirers, settlement files built from planted reports, and running them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from transactions.models import Acquirer, ReconciliationRun, SettlementFile
from transactions.reconciliation.mapping import EXAMPLE_MAPPING
from transactions.reconciliation.services import settlement_file_create, settlement_file_process

MAPPING = EXAMPLE_MAPPING
HEADER = list(MAPPING.values())


class AcquirerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Acquirer

    name = factory.Sequence(lambda n: f"银联商务{n}")
    code = factory.Sequence(lambda n: f"ums{n}")
    column_mapping = factory.LazyFunction(lambda: dict(MAPPING))
    type_values = factory.LazyFunction(lambda: {"消费": "sale", "退货": "refund"})
    amount_tolerance = Decimal("0.05")
    time_window_seconds = 120


def line_for(report: Any, **overrides: Any) -> dict[str, str]:
    """The settlement line an acquirer would send for ``report``."""
    from portal.common.beijing import SHANGHAI

    local = report.occurred_at.astimezone(SHANGHAI)
    row = {
        "settlement_date": local.date().isoformat(),
        "mid": report.acquirer_mid,
        "tid": report.tid,
        "rrn": report.rrn,
        "trace_no": report.trace_no,
        "batch_no": report.batch_no,
        "amount": f"{report.amount:.2f}",
        "fee": "0.38",
        "masked_pan": report.masked_pan,
        "occurred_at": local.strftime("%Y-%m-%d %H:%M:%S"),
        "type": "消费" if report.type == "sale" else "退货",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or HEADER)
    for row in rows:
        writer.writerow([row.get(field, "") for field in MAPPING])
    return out.getvalue().encode("utf-8")


def upload(
    rows: list[dict[str, str]],
    *,
    acquirer: Acquirer | None = None,
    merchant: Any = None,
    name: str = "settle.csv",
    content: bytes | None = None,
) -> SettlementFile:
    """Upload a file (its import and reconciliation run eagerly, on commit)."""
    data = content if content is not None else csv_bytes(rows)
    return settlement_file_create(
        acquirer=acquirer or AcquirerFactory(),
        upload=SimpleUploadedFile(name, data, content_type="text/csv"),
        actor=None,
        merchant=merchant,
    )


def process(settlement: SettlementFile) -> ReconciliationRun:
    """Reconcile an uploaded file now; fails the test with the file's error if it cannot be."""
    run = settlement_file_process(file_id=settlement.pk, trigger="test")
    assert run is not None, settlement.error
    return run


def reconcile(rows: list[dict[str, str]], **upload_kwargs: Any) -> ReconciliationRun:
    """Upload ``rows`` as a settlement file and reconcile it."""
    return process(upload(rows, **upload_kwargs))
