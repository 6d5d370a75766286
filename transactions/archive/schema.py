"""The archive's columns: every column of a report, typed for Parquet, and its decision.

Money and coordinates are decimal128 with the model's precision (never float); times are UTC
timestamps in microseconds; ids users see (MID, TID, RRN) are strings. The card appears only as
stored: the masked PAN and the token. The real-time decision, deleted with the hot row, is kept
as a JSON text column so that nothing of the report is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

# Raise when a column is added, removed or retyped; the manifest records it and readers check it.
SCHEMA_VERSION = 1

TIMESTAMP = pa.timestamp("us", tz="UTC")

# (column, Arrow type, the Report field read for it: None when filled otherwise)
COLUMNS: list[tuple[str, pa.DataType, str | None]] = [
    ("id", pa.int64(), "id"),
    ("report_id", pa.string(), "report_id"),
    ("merchant_id", pa.int64(), "merchant_id"),
    ("merchant_mid", pa.string(), None),
    ("terminal_id", pa.int64(), "terminal_id"),
    ("occurred_at", TIMESTAMP, "occurred_at"),
    ("received_at", TIMESTAMP, "received_at"),
    ("amount", pa.decimal128(10, 2), "amount"),
    ("currency", pa.string(), "currency"),
    ("type", pa.string(), "type"),
    ("method", pa.string(), "method"),
    ("masked_pan", pa.string(), "masked_pan"),
    ("card_token", pa.string(), "card_token"),
    ("rrn", pa.string(), "rrn"),
    ("trace_no", pa.string(), "trace_no"),
    ("batch_no", pa.string(), "batch_no"),
    ("auth_code", pa.string(), "auth_code"),
    ("mcc", pa.string(), "mcc"),
    ("acquirer_mid", pa.string(), "acquirer_mid"),
    ("tid", pa.string(), "tid"),
    ("lat", pa.decimal128(9, 6), "lat"),
    ("lng", pa.decimal128(9, 6), "lng"),
    ("cvm", pa.string(), "cvm"),
    ("original_report_id", pa.string(), "original_report_id"),
    ("source", pa.string(), "source"),
    ("content_hash", pa.string(), "content_hash"),
    ("upload_id", pa.int64(), "upload_id"),
    ("decision", pa.string(), None),
]

SCHEMA = pa.schema([pa.field(name, kind) for name, kind, _field in COLUMNS])
REPORT_FIELDS = [field for _name, _kind, field in COLUMNS if field is not None]
DECISION_FIELDS = (
    "report_id",
    "decision_id",
    "outcome",
    "reasons",
    "checks",
    "state_source",
    "duration_us",
    "alert_id",
    "created_at",
)


def schema_description() -> dict[str, str]:
    """Column name → Arrow type, as the manifest records it."""
    return {field.name: str(field.type) for field in SCHEMA}


def decision_json(decision: dict[str, Any] | None) -> str | None:
    if decision is None:
        return None
    values = {k: v for k, v in decision.items() if k != "report_id"}
    values["decision_id"] = str(values["decision_id"])
    values["created_at"] = values["created_at"].isoformat()
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def to_batch(
    rows: Sequence[tuple[Any, ...]], *, merchant_mid: str, decisions: dict[int, dict[str, Any]]
) -> pa.RecordBatch:
    """Rows of ``REPORT_FIELDS`` (``values_list``) as one record batch of ``SCHEMA``."""
    columns: dict[str, list[Any]] = {name: [] for name, _kind, _field in COLUMNS}
    positions = {field: i for i, field in enumerate(REPORT_FIELDS)}
    for row in rows:
        for name, _kind, field in COLUMNS:
            if field is None:
                continue
            value = row[positions[field]]
            if name in ("report_id", "original_report_id") and value is not None:
                value = str(value)
            columns[name].append(value)
        columns["merchant_mid"].append(merchant_mid)
        columns["decision"].append(decision_json(decisions.get(row[positions["id"]])))
    return pa.RecordBatch.from_arrays(
        [pa.array(columns[f.name], type=f.type) for f in SCHEMA], schema=SCHEMA
    )


def rows_as_dicts(table: pa.Table) -> Iterable[dict[str, Any]]:
    """The table's rows as Python values (Decimal amounts, aware UTC datetimes)."""
    return table.to_pylist()
