"""Storing validated reports exactly once.

Within one transaction the terminals involved are locked (in id order, so two ingests never
deadlock), the ids already stored are looked up in one query per chunk, and only new reports
are written: with ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere. A resend with the same
content is a duplicate, a resend with other content a conflict; neither writes anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from merchants.models import Terminal
from portal.common.compiled import CompiledQuery
from portal.common.database import (
    copy_rows,
    has_array_parameters,
    has_copy,
    has_planner_settings,
    insert_row,
    next_ids,
    one_of,
)
from transactions.analytics.rollups import Stored, rollup_add
from transactions.decisions.base import Decided, Screened, card_key
from transactions.decisions.inputs import SCREENED_FIELDS, screened
from transactions.decisions.services import cards_lock, screen_stored
from transactions.ingest.validate import ValidReport
from transactions.ingest.wire import FIELDS
from transactions.models import Report, ReportKey

LOOKUP_CHUNK = 900  # stays under SQLite's bound-parameter limit
CENT = Decimal("0.01")

# COPY's column order (the benchmarks' generators write their rows in it too): the ids, the two
# times, the report's other wire fields (transactions/ingest/wire.py), then what the server adds.
REPORTED = tuple(name for name in FIELDS if name not in ("report_id", "occurred_at"))
COLUMNS = (
    "terminal_id",
    "merchant_id",
    "report_id",
    "occurred_at",
    "received_at",
    *REPORTED,
    "source",
    "content_hash",
    "upload_id",
)


@dataclass(slots=True)
class Incoming:
    """A valid report bound for a terminal; ``index`` is its place in the request or file."""

    index: int
    terminal_id: int
    merchant_id: int
    report: ValidReport


@dataclass
class StoreResult:
    accepted: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)
    # Duplicates of reports this same upload stored before (a re-run after a crash).
    restored: list[int] = field(default_factory=list)
    # The decisions given to the reports stored now, by report_id (when screened).
    decisions: dict[uuid.UUID, Decided] = field(default_factory=dict)


def store_reports(
    incoming: Sequence[Incoming],
    *,
    source: str,
    upload_id: int | None = None,
    received_at: datetime | None = None,
    screen: bool = False,
) -> StoreResult:
    """Store the new reports among ``incoming`` and classify every one of them.

    With ``screen``, the reports stored now are screened in the same transaction
    (``transactions/decisions/``): their decisions, alerts and holds commit with them.
    """
    result = StoreResult()
    if not incoming:
        return result
    received_at = received_at or timezone.now()
    ready = _ready(
        incoming, screen=screen, source=source, upload_id=upload_id, received_at=received_at
    )
    with transaction.atomic():
        _terminals_lock(sorted({item.terminal_id for item in incoming}))
        stored = _stored(incoming)
        fresh: list[Incoming] = []
        fresh_ready: list[_Ready] = []
        for item, made in zip(incoming, ready, strict=True):
            key = (item.terminal_id, item.report.report_id)
            known = stored.get(key)
            if known is None:
                stored[key] = (item.report.content_hash, upload_id)
                fresh.append(item)
                fresh_ready.append(made)
                result.accepted.append(item.index)
            elif known[0] != item.report.content_hash:
                result.conflicts.append(item.index)
            elif upload_id is not None and known[1] == upload_id:
                result.restored.append(item.index)
            else:
                result.duplicates.append(item.index)
        if screen:
            cards_lock((item.merchant_id, _card_key(item)) for item in fresh)
        written = _write(fresh_ready, returning=screen)
        if screen:
            for terminal_id, mine in _by_terminal(fresh).items():
                moments = [item.report.values["occurred_at"] for item in mine]
                result.decisions |= screen_stored(
                    terminal_id=terminal_id,
                    report_ids=[item.report.report_id for item in mine],
                    occurred=(min(moments), max(moments)),
                    stored=None if written is None else _in_order(written, terminal_id),
                )
    return result


def _terminals_lock(terminal_ids: list[int]) -> None:
    """Lock the terminals' rows until commit, in id order (so two ingests never deadlock)."""
    if len(terminal_ids) == 1:  # a terminal's own request: compiled once
        _ONE_TERMINAL_LOCK.rows(terminal_id=terminal_ids[0])
    else:
        list(_terminals_locked(terminal_ids))


def _terminals_locked(terminal_ids: list[int]) -> QuerySet[Terminal, dict[str, Any]]:
    # Ordered by pk alone: a stable lock order, and no join to the merchant (Terminal's default
    # ordering) that FOR UPDATE would lock too, serialising all of a merchant's terminals.
    return (
        Terminal.objects.select_for_update().filter(pk__in=terminal_ids).order_by("pk").values("pk")
    )


_ONE_TERMINAL_LOCK = CompiledQuery(
    lambda terminal_id: _terminals_locked([terminal_id]), terminal_id=(-1, -2)
)


def _card_key(item: Incoming) -> str:
    values = item.report.values
    return card_key(card_token=values["card_token"], masked_pan=values["masked_pan"])


def _by_terminal(items: Sequence[Incoming]) -> dict[int, list[Incoming]]:
    grouped: dict[int, list[Incoming]] = {}
    for item in items:
        grouped.setdefault(item.terminal_id, []).append(item)
    return grouped


def _stored(incoming: Sequence[Incoming]) -> dict[tuple[int, uuid.UUID], tuple[str, int | None]]:
    """(terminal, report_id) -> (content hash, upload) of the reports already stored."""
    by_terminal = _by_terminal(incoming)
    stored: dict[tuple[int, uuid.UUID], tuple[str, int | None]] = {}
    # PostgreSQL takes a terminal's ids as one array parameter; SQLite as bound values, in chunks.
    size = max(len(incoming), 1) if has_array_parameters() else LOOKUP_CHUNK
    for terminal_id, items in by_terminal.items():
        ids = [item.report.report_id for item in items]
        for start in range(0, len(ids), size):
            rows = _lookup(terminal_id, ids[start : start + size])
            stored.update({(terminal_id, rid): (digest, up) for rid, digest, up in rows})
    return stored


def _lookup(terminal_id: int, ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, str, int | None]]:
    """The stored (report_id, content_hash, upload) among ``ids`` for the terminal.

    On PostgreSQL the reports are partitioned by time, so the idempotency key has a table of its
    own (``ReportKey``, filled by the database from every insert; docs/partitions.md): one probe
    of its primary key instead of one per partition, and a resend with another time is found
    whatever partition the first copy went to. SQLite reads its plain report table.

    This must probe the (report_id, terminal) unique index, whatever the planner's statistics
    say: right after a bulk load, before autovacuum has analysed the table, PostgreSQL believes it
    is tiny and would scan the table instead, which grows with it. "terminal_id + 0" keeps the
    terminal's time index out of the choice, and on PostgreSQL the scans that read the whole
    table are switched off for this one statement.
    """
    if connection.vendor != "postgresql":  # migration 0023 partitions the reports there only
        return list(
            Report.objects.annotate(terminal_plus_zero=F("terminal_id") + 0)
            .filter(report_id__in=ids, terminal_plus_zero=terminal_id)
            .order_by()
            .values_list("report_id", "content_hash", "upload_id")
        )
    if len(ids) == 1:
        # One report (the single-report endpoint): an equality on the whole primary key, which
        # the planner probes whatever its statistics; compiled once.
        rows = _ONE_KEY.rows(report_id=ids[0], terminal_id=terminal_id)
        return [(row["report_id"], row["content_hash"], row["upload_id"]) for row in rows]
    query = ReportKey.objects.filter(
        one_of("report_id", ids, array_type="uuid"), terminal_id=terminal_id
    ).values_list("report_id", "content_hash", "upload_id")
    if not has_planner_settings():
        return list(query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        try:
            return list(query)
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_bitmapscan")


def _one_key(report_id: uuid.UUID, terminal_id: int) -> QuerySet[ReportKey, dict[str, Any]]:
    return ReportKey.objects.filter(report_id=report_id, terminal_id=terminal_id).values(
        "report_id", "content_hash", "upload_id"
    )


_ONE_KEY = CompiledQuery(
    _one_key,
    report_id=(uuid.UUID(int=1), uuid.UUID(int=2)),
    terminal_id=(-1, -2),
)


@dataclass(frozen=True, slots=True)
class _Ready:
    """A report made ready to write before the terminals' lock is taken: the lock is held until
    commit, and another request of the same terminal waits all that time."""

    row: tuple[Any, ...]  # in COLUMNS order
    stored: Stored  # what the rollups add
    # As the screening takes it, with its id taken from the sequence: a batch to screen on
    # PostgreSQL, written by COPY and not read back.
    screened: Screened | None


def _ready(incoming: Sequence[Incoming], *, screen: bool, **common: Any) -> list[_Ready]:
    """Every report of ``incoming`` made ready to write. A screened batch's ids are taken from the
    sequence now, one per report: a duplicate found under the lock leaves its id unused (a gap
    in the ids, as a rolled-back insert leaves)."""
    ids = (
        next_ids(Report._meta.db_table, len(incoming))
        if screen and len(incoming) > 1 and has_copy()
        else None
    )
    return [
        _Ready(
            row=_row(item, **common),
            stored=Stored(
                terminal_id=item.terminal_id,
                merchant_id=item.merchant_id,
                occurred_at=item.report.values["occurred_at"],
                received_at=common["received_at"],
                type=item.report.values["type"],
                method=item.report.values["method"],
                amount=item.report.values["amount"],
                card_token=item.report.values["card_token"],
            ),
            screened=_as_screened(ids[n], item) if ids else None,
        )
        for n, item in enumerate(incoming)
    ]


def _row(item: Incoming, *, source: str, upload_id: int | None, received_at: datetime) -> tuple:
    values = item.report.values
    return (
        item.terminal_id,
        item.merchant_id,
        item.report.report_id,
        values["occurred_at"],
        received_at,
        *(values.get(name) for name in REPORTED),
        source,
        item.report.content_hash,
        upload_id,
    )


def _write(fresh: Sequence[_Ready], *, returning: bool = False) -> list[Screened] | None:
    """Write the reports and add them to the rollups. With ``returning``, on PostgreSQL, the
    reports come back as stored, as the screening takes them; otherwise None."""
    if not fresh:
        return None
    rows = [made.row for made in fresh]
    table = Report._meta.db_table
    written = None
    if not has_copy():
        Report.objects.bulk_create(
            [Report(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=500
        )
    elif len(rows) == 1:
        # One report: an INSERT (one round trip, a COPY takes two) that returns it as stored
        # when it is to be screened, instead of a read-back.
        stored = insert_row(table, COLUMNS, rows[0], returning=SCREENED_FIELDS if returning else ())
        if returning:
            written = [screened(dict(zip(SCREENED_FIELDS, stored or (), strict=True)))]
    elif returning:
        # The ids were taken from the sequence before, so that nothing needs reading back.
        written = [made.screened for made in fresh if made.screened is not None]
        assert len(written) == len(rows), "a screened batch's ids are taken before the lock"
        copy_rows(
            table, ("id", *COLUMNS), ((r.pk, *row) for r, row in zip(written, rows, strict=True))
        )
    else:
        copy_rows(table, COLUMNS, rows)
    # In the same transaction: the daily totals count exactly the reports that were stored.
    rollup_add(made.stored for made in fresh)
    return written


def _as_screened(pk: int, item: Incoming) -> Screened:
    """A report written by COPY as the database gives it back: its time in UTC, its amount with
    the column's two decimals (validation has checked there are no more, and that coordinates
    have the columns' six); ``test_store_written.py`` compares the two."""
    values = item.report.values
    token, pan = values["card_token"], values["masked_pan"]
    return Screened(
        pk=pk,
        report_id=item.report.report_id,
        merchant_id=item.merchant_id,
        terminal_id=item.terminal_id,
        occurred_at=values["occurred_at"].astimezone(UTC),
        amount=values["amount"].quantize(CENT),
        type=values["type"],
        method=values["method"],
        cvm=values["cvm"],
        mcc=values["mcc"],
        acquirer_mid=values["acquirer_mid"],
        tid=values["tid"],
        card_key=card_key(card_token=token, masked_pan=pan),
        card_token=token,
        masked_pan=pan,
        lat=values.get("lat"),
        lng=values.get("lng"),
        original_report_id=values.get("original_report_id"),
    )


def _in_order(written: list[Screened], terminal_id: int) -> list[Screened]:
    """The terminal's reports in the order the screening takes them: by time, then id."""
    mine = [row for row in written if row.terminal_id == terminal_id]
    return sorted(mine, key=lambda row: (row.occurred_at, row.report_id))
