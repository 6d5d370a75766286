"""Importing a settlement file: accept the upload, then stream its rows into SettlementLine.

Rows are read one at a time (CSV line by line, Excel read-only) and written in chunks: with COPY
on PostgreSQL, ``bulk_create`` elsewhere, so memory stays flat however long the file is. A CSV on
PostgreSQL takes the fast path of ``fast_csv`` (lines the validator would store unchanged are
COPYed as they are), the Python path only for the lines, or the files, it cannot take. A row
that cannot be read becomes a SettlementLineError with its line number and reasons.

The same file (by SHA-256) is refused a second time within its ledger: the acquirer's files
(staff uploads without a merchant) per acquirer, and each merchant's own uploads; a file that
failed holds nothing and does not count. An import is safe to run again: one left unfinished
starts again from nothing, and the upload's bytes are deleted only once they were read to the
end (or refused as a whole), so that a retry still has them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date, datetime
from itertools import islice
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant, Terminal
from portal.common.beijing import day_bounds
from portal.common.database import has_copy, refresh_statistics
from portal.common.locks import worker_claim
from transactions.ingest.files import (
    CSV,
    FileFormatError,
    _csv_rows,
    discard_upload,
    excel_rows,
    excel_text,
    sniff_format,
)
from transactions.models import (
    FileStatus,
    ReconciliationItem,
    SettlementFile,
    SettlementLine,
    SettlementLineError,
    SettlementLineOutcome,
)
from transactions.reconciliation.fast_csv import COPY_LINES, Unsupported, fast_csv_import
from transactions.reconciliation.mapping import ParsedLine, RowParser
from transactions.reconciliation.workflow import file_move

log = logging.getLogger(__name__)

# The advisory-lock namespace of "a worker is importing this settlement file" (PostgreSQL only).
IMPORT_LOCK_SPACE = 0x53544C46  # "STLF"
CHUNK_ROWS = 20_000


def settlement_file_import(*, file_id: int) -> SettlementFile:
    """Read the file into lines and line errors; safe to run again, whoever runs it.

    A file already imported is left as it is. An import left unfinished (its worker killed, its
    message delivered again by the broker or sent again by beat) starts again from nothing,
    unless another worker is at it right now (PostgreSQL: the file's advisory lock, which the
    server releases when a killed worker's connection drops).
    """
    with worker_claim(IMPORT_LOCK_SPACE, file_id) as claimed:
        settlement = SettlementFile.objects.select_related("acquirer", "merchant").get(pk=file_id)
        if not claimed:
            return settlement
        again = settlement.status == FileStatus.IMPORTING
        reason = (
            _("Import started again (the last one was left unfinished).")
            if again
            else _("Import started.")
        )
        if not file_move(settlement, "start_import", reason=reason, processed_rows=0, error=""):
            if settlement.status in (FileStatus.IMPORTED, FileStatus.DONE) and settlement.file:
                discard_upload(settlement)  # a worker stopped between storing and deleting
            return settlement
        return _import_claimed(settlement)


def _import_claimed(settlement: SettlementFile) -> SettlementFile:
    _clear(settlement)
    try:
        lines, errors = _import(settlement)
    except (FileFormatError, ValidationError) as exc:
        # Refused as a whole: nothing is kept, not even the bytes (they may hold card numbers).
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _clear(settlement)
        file_move(
            settlement,
            "fail",
            reason=_("Refused as a whole: %(message)s") % {"message": message},
            error=message,
            finished_at=timezone.now(),
        )
        discard_upload(settlement)
        return settlement
    except Exception:
        # Anything else (a bug, a lost connection, a full disk) says nothing about the file:
        # its bytes stay for a retry (admin action), what was stored of it goes.
        log.exception("settlement file %s: the import stopped", settlement.pk)
        _clear(settlement)
        message = _("The import stopped unexpectedly; staff can retry it.")
        file_move(
            settlement,
            "fail",
            reason=_("The import stopped unexpectedly (see the worker's log)."),
            error=message,
            finished_at=timezone.now(),
        )
        raise
    file_move(
        settlement,
        "imported",
        reason=_("Imported: %(lines)d lines, %(errors)d rows with errors.")
        % {"lines": lines, "errors": errors},
        line_count=lines,
        error_count=errors,
        total_rows=lines + errors,
        processed_rows=lines + errors,
    )
    discard_upload(settlement)
    return settlement


def _clear(settlement: SettlementFile) -> None:
    """Delete what an earlier or unfinished import of the file stored."""
    # Differences of earlier runs point at the lines (a file imported again after a retry).
    ReconciliationItem.objects.filter(run__file=settlement).delete()
    with connection.cursor() as cursor:
        # Straight SQL: the ORM would first fetch every line (items cascade from them).
        for model in (SettlementLineOutcome, SettlementLine):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE file_id = %s",  # noqa: S608
                [settlement.pk],
            )
    SettlementLineError.objects.filter(file=settlement).delete()


def _import(settlement: SettlementFile) -> tuple[int, int]:
    with _open(settlement) as stream:
        file_format = sniff_format(stream.read(4096), settlement.original_name)
        stream.seek(0)
        total = _count(stream, file_format)
    SettlementFile.objects.filter(pk=settlement.pk).update(total_rows=total)
    with _open(settlement) as stream:
        rows = _rows(stream, file_format)
        header = next(rows, None)
        if header is None:
            raise FileFormatError(_("The file is empty."))
        parser = RowParser(settlement.acquirer, [excel_text(cell) for cell in header[1]])
        if file_format != CSV:
            rows = ((line, parser.excel_cells(values)) for line, values in rows)
        writer = _fast_path(settlement, parser, header[0]) if file_format == CSV else None
        if writer is None:
            writer = _Writer(settlement)
            while chunk := list(islice(rows, CHUNK_ROWS)):
                writer.write(parser, chunk)
                SettlementFile.objects.filter(pk=settlement.pk).update(
                    processed_rows=writer.lines + writer.errors
                )
    log.info("settlement import: parse %.2f s, write %.2f s", writer.parse_s, writer.write_s)
    # A million fresh rows the planner has never seen: without statistics it would plan the
    # matching joins as if the table were empty.
    refresh_statistics(SettlementLine._meta.db_table)
    if writer.lines == 0 and writer.errors == 0:
        raise FileFormatError(_("The file has a header but no lines."))
    return writer.lines, writer.errors


def _fast_path(settlement: SettlementFile, parser: RowParser, header_line: int) -> _Writer | None:
    """The PostgreSQL fast path for CSV (see ``fast_csv``); None: use the Python path."""
    if not has_copy():
        return None
    writer = _Writer(settlement)

    def progress(line_no: int) -> None:
        SettlementFile.objects.filter(pk=settlement.pk).update(
            processed_rows=max(line_no - header_line, 0)
        )

    try:
        with _open(settlement) as stream:
            copied = fast_csv_import(
                settlement=settlement,
                stream=stream,
                parser=parser,
                header_line=header_line,
                writer=writer,
                progress=progress,
            )
    except Unsupported as exc:
        log.info("settlement import: the Python path reads this file (%s)", exc)
        # Chunks already stored are committed (so that progress shows): start again from none.
        _clear(settlement)
        return None
    # The writer counted the lines the validator read; the others were copied as they were.
    writer.lines += copied
    return writer


class _Writer:
    """Resolves MID and TID once per value, and writes a chunk of parsed rows."""

    def __init__(self, settlement: SettlementFile) -> None:
        self.settlement = settlement
        self.lines = 0
        self.errors = 0
        self.parse_s = 0.0
        self.write_s = 0.0
        merchants = Merchant.objects.exclude(mid="").exclude(mid__isnull=True)
        if settlement.merchant_id is not None:
            merchants = merchants.filter(pk=settlement.merchant_id)
        self.merchants = dict(merchants.values_list("mid", "id"))
        self.terminals = {
            tid: (pk, merchant_id)
            for tid, pk, merchant_id in Terminal.objects.exclude(tid__isnull=True)
            .filter(merchant_id__in=self.merchants.values())
            .values_list("tid", "id", "merchant_id")
        }
        self.days: dict[date, tuple[datetime, datetime]] = {}

    def write(self, parser: RowParser, chunk: list[tuple[int, list[str]]]) -> None:
        started = time.perf_counter()
        good: list[tuple[ParsedLine, int | None, int | None]] = []
        bad: list[SettlementLineError] = []
        own = self.settlement.merchant_id
        for line_no, cells in chunk:
            parsed, errors = parser.parse(line_no, cells)
            if parsed is None:
                bad.append(
                    SettlementLineError(file=self.settlement, line_no=line_no, errors=errors)
                )
                continue
            merchant_id = self.merchants.get(parsed.mid)
            if own is not None and merchant_id is None:
                message = _("This MID is not your merchant's.")
                bad.append(
                    SettlementLineError(
                        file=self.settlement, line_no=line_no, errors={"mid": [message]}
                    )
                )
                continue
            terminal = self.terminals.get(parsed.tid)
            terminal_id = terminal[0] if terminal and terminal[1] == merchant_id else None
            good.append((parsed, merchant_id, terminal_id))
        parsed_at = time.perf_counter()
        self.parse_s += parsed_at - started
        if has_copy():
            self._copy(good)
        else:
            self._bulk(good)
        SettlementLineError.objects.bulk_create(bad, batch_size=1000)
        self.lines += len(good)
        self.errors += len(bad)
        self.write_s += time.perf_counter() - parsed_at

    def _bounds(self, day: date) -> tuple[datetime, datetime]:
        if day not in self.days:
            self.days[day] = day_bounds(day)
        return self.days[day]

    def _bulk(self, good: list[tuple[ParsedLine, int | None, int | None]]) -> None:
        objects = []
        for p, merchant_id, terminal_id in good:
            start, end = self._bounds(p.day)
            objects.append(
                SettlementLine(
                    file=self.settlement,
                    line_no=p.line_no,
                    settlement_date=p.settlement_date,
                    mid=p.mid,
                    tid=p.tid,
                    rrn=p.rrn,
                    trace_no=p.trace_no,
                    batch_no=p.batch_no,
                    amount=p.amount,
                    fee=p.fee,
                    masked_pan=p.masked_pan,
                    occurred_at=p.occurred_at,
                    type=p.type,
                    day=p.day,
                    day_start=start,
                    day_end=end,
                    merchant_id=merchant_id,
                    terminal_id=terminal_id,
                )
            )
        SettlementLine.objects.bulk_create(objects, batch_size=1000)

    def _copy(self, good: list[tuple[ParsedLine, int | None, int | None]]) -> None:
        # Text COPY written by hand: every value was checked against a pattern that allows no
        # tab, newline or backslash, so nothing needs escaping and no per-value adaptation runs.
        file_id = str(self.settlement.pk)
        bounds = {d: (s.isoformat(), e.isoformat()) for d, (s, e) in self.days.items()}
        out: list[str] = []
        for p, merchant_id, terminal_id in good:
            if p.day not in bounds:
                start, end = self._bounds(p.day)
                bounds[p.day] = (start.isoformat(), end.isoformat())
            start_text, end_text = bounds[p.day]
            out.append(
                "\t".join(
                    (
                        file_id,
                        str(p.line_no),
                        p.settlement_date.isoformat(),
                        p.mid,
                        p.tid,
                        p.rrn,
                        p.trace_no,
                        p.batch_no,
                        str(p.amount),
                        "\\N" if p.fee is None else str(p.fee),
                        p.masked_pan,
                        "\\N" if p.occurred_at is None else p.occurred_at.isoformat(),
                        p.type,
                        p.day.isoformat(),
                        start_text,
                        end_text,
                        "\\N" if merchant_id is None else str(merchant_id),
                        "\\N" if terminal_id is None else str(terminal_id),
                    )
                )
            )
        if not out:
            return
        with connection.cursor() as cursor, cursor.cursor.copy(COPY_LINES) as copy:
            copy.write(("\n".join(out) + "\n").encode())


def _rows(stream: IO[bytes], file_format: str) -> Iterator[tuple[int, list[Any]]]:
    """Non-empty rows as (line number, cells); the first one is the header.

    A CSV's cells are stripped text; a workbook's are Excel's own values (numbers, dates), which
    ``RowParser.excel_cells`` turns into text once it knows which field each column holds.
    """
    if file_format == CSV:
        for line, cells in _csv_rows(stream):
            values = [c.strip() for c in cells]
            if any(values):
                yield line, values
        return
    for line, cells in excel_rows(stream):
        if any(excel_text(c) for c in cells):
            yield line, cells


def _count(stream: IO[bytes], file_format: str) -> int:
    """Roughly how many data rows there are, for the progress bar: cheap, never exact-critical."""
    if file_format != CSV:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(stream, read_only=True)
            rows = workbook.worksheets[0].max_row or 0
            workbook.close()
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise FileFormatError(_("The Excel file cannot be read.")) from exc
        return max(rows - 1, 0)
    newlines = 0
    while block := stream.read(1 << 20):
        newlines += block.count(b"\n")
    return max(newlines - 1, 0)


def _open(settlement: SettlementFile) -> IO[bytes]:
    return settlement.file.storage.open(settlement.file.name, "rb")
