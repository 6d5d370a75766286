"""The PostgreSQL fast path of a CSV import: one pattern per raw line, then straight into COPY.

Reading each row into Python objects (csv cells, Decimal, datetime) and formatting them again for
COPY was most of a million-line import. Here one precompiled pattern, built from the file's header,
is matched against each raw line (bytes, not decoded): it is the validator's checks
(``mapping.py``) written as one expression, and it accepts only what the validator would accept
*and store unchanged*. An accepted line becomes its COPY row by joining the matched cells; the
values the pattern cannot judge alone (date and type texts, the merchant of the MID) are judged
once per distinct text, by the validator itself. Any other line (a quoted cell, spaces around a
value, a bad amount …) goes through ``RowParser`` as on the Python path, so every error message
still comes from the one validator. COPY runs while Python reads on: the two use both CPUs.

(Checking in SQL instead — COPY the raw lines into a staging table, validate with regular
expressions and convert in an ``INSERT … SELECT`` — was measured first and was slower:
PostgreSQL's regular expressions cost 1–30 µs a row each. See docs/performance-history.md.)

What this path cannot number as ``csv.reader`` does, it gives back whole to the Python path
(``Unsupported``): a quoted cell running over several lines, a lone carriage return, bytes that
are not UTF-8 (in any cell, read or not: the Python path then fails the file, as it fails it
without the fast path), a time format it does not know. Each chunk's COPY runs in a savepoint,
and the caller deletes what earlier chunks stored before the Python path starts again.
"""

from __future__ import annotations

import csv
import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import IO, Any

import psycopg
from django.db import connection, transaction

from portal.common.beijing import day_bounds
from transactions.models import SettlementFile, SettlementLine
from transactions.reconciliation.mapping import RowParser

log = logging.getLogger(__name__)

L = SettlementLine._meta.db_table
CHUNK_LINES = 100_000
# Before 1992 Beijing had summer time: such days (their bounds, local times) are left to Python.
FIRST_DAY = date(1992, 1, 1)
LAST_DAY = date(2100, 12, 31)
# Any text of a cell that needs no escaping in COPY's text format and cannot end a CSV line.
_TEXT = rb'[^,"\\\t\r\n]*'
_AMOUNT = rb"-?[0-9]{1,10}(?:\.[0-9]{1,2})?"
_HMS = rb"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
# Each field as the validator accepts it and stores it unchanged (a date or type text is judged
# by the validator itself, once per distinct text).
FIELD_PATTERNS = {
    "settlement_date": rb"(?P<settlement_date>" + _TEXT + rb")",
    "mid": rb"(?P<mid>[0-9A-Za-z]{15})",
    "tid": rb"(?P<tid>[0-9A-Za-z]{8})",
    "rrn": rb"(?P<rrn>[0-9A-Za-z]{0,12})",
    "trace_no": rb"(?P<trace_no>[0-9A-Za-z]{0,6})",
    "batch_no": rb"(?P<batch_no>[0-9A-Za-z]{0,6})",
    "amount": rb"(?P<amount>" + _AMOUNT + rb")",
    "fee": rb"(?P<fee>(?:" + _AMOUNT + rb")?)",
    "masked_pan": rb"(?P<masked_pan>(?:[0-9]{6}\*{2,9}[0-9]{4})?)",
    "type": rb"(?P<type>" + _TEXT + rb")",
}
# Transaction times read here: the acquirer's time format ("" is fromisoformat) → its pattern.
TIME_PATTERNS = {
    "": rb"(?P<occurred_at>(?:(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})[ T]" + _HMS + rb")?)",
    "%Y-%m-%d %H:%M:%S": (
        rb"(?P<occurred_at>(?:(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2}) " + _HMS + rb")?)"
    ),
}
GROUPS = (
    "settlement_date", "mid", "tid", "rrn", "trace_no", "batch_no", "amount", "fee", "masked_pan",
    "occurred_at", "day", "type",
)  # fmt: skip
NULL = b"\\N"
# The text COPY of settlement lines, in this column order: this path's and the Python path's.
COPY_LINES = (
    f"COPY {L} (file_id, line_no, settlement_date, mid, tid, rrn, trace_no, batch_no, amount, "
    "fee, masked_pan, occurred_at, type, day, day_start, day_end, merchant_id, terminal_id) "
    "FROM STDIN"
)

Chunk = list[tuple[int, list[str]]]


class Unsupported(Exception):
    """The file needs the Python path as a whole (see the module docstring)."""


class LineReader:
    """Turns a raw line into its COPY row, when the validator would store its cells unchanged."""

    def __init__(self, settlement: SettlementFile, parser: RowParser, writer: Any) -> None:
        if parser.time_format not in TIME_PATTERNS:
            raise Unsupported("time format")
        patterns = {**FIELD_PATTERNS, "occurred_at": TIME_PATTERNS[parser.time_format]}
        by_position = {pos: field for field, pos in parser._positions.items()}
        cells = [
            patterns[by_position[i]] if i in by_position else _TEXT for i in range(parser.width)
        ]
        # Fields the mapping lacks: empty groups, so that every line has every group.
        lacking = [f for f in GROUPS if f != "day" and f not in parser._positions]
        lacking += ["day"] if "occurred_at" in lacking else []
        absent = b"".join(b"(?P<%s>)" % f.encode() for f in lacking)
        tail = rb'(?P<tail>,[^"\\\t\r\n]*)?'
        self.pattern = re.compile(b",".join(cells) + tail + absent)
        self.parser = parser
        self.file_id = b"%d" % settlement.pk
        self.own = settlement.merchant_id is not None
        self.merchants = {mid.encode(): b"%d" % pk for mid, pk in writer.merchants.items()}
        self.terminals = {
            tid.encode(): (b"%d" % pk, b"%d" % merchant_id)
            for tid, (pk, merchant_id) in writer.terminals.items()
        }
        self.dates: dict[bytes, tuple[bytes, bytes, bytes, bytes] | None] = {}
        self.days: dict[bytes, tuple[bytes, bytes, bytes, bytes] | None] = {}
        self.types: dict[bytes, bytes | None] = {}

    def row(self, number: int, line: bytes) -> bytes | None:
        """The line as a row of COPY's text format, or None: not for the fast path."""
        if not line.isascii():
            # The Python path decodes every byte of the file, the cells no field is read from
            # included, and fails the file on any that is not UTF-8: so does this one (the
            # UnicodeDecodeError hands the file to the Python path, which says where).
            line.decode()
        found = self.pattern.fullmatch(line)
        if found is None:
            return None
        sdate, mid, tid, rrn, trace, batch, amount, fee, pan, at, day, kind = found.group(*GROUPS)
        settled = self._date(sdate)
        if settled is None or not (rrn or trace):
            return None
        if day:
            bounds = self._day(day)
            if bounds is None:
                return None
        else:
            bounds = settled
        stored_type = b""
        if kind:
            stored_type = self._type(kind)
            if stored_type is None:
                return None
        merchant = self.merchants.get(mid)
        if merchant is None and self.own:
            return None  # the validator says why
        tid = tid.upper()
        terminal = self.terminals.get(tid)
        return b"\t".join(
            (
                self.file_id, b"%d" % number, settled[0], mid, tid, rrn, trace, batch, amount,
                fee or NULL, pan, at + b"+08" if at else NULL, stored_type, *bounds[1:],
                merchant or NULL,
                terminal[0] if terminal and terminal[1] == merchant else NULL,
            )
        )  # fmt: skip

    def _date(self, text: bytes) -> tuple[bytes, bytes, bytes, bytes] | None:
        if text not in self.dates:
            value = text.decode("utf-8", "replace")
            parsed = self.parser._date(value, {}) if value and value == value.strip() else None
            ok = parsed is not None and FIRST_DAY <= parsed <= LAST_DAY
            self.dates[text] = _bounds(parsed) if ok else None
        return self.dates[text]

    def _day(self, text: bytes) -> tuple[bytes, bytes, bytes, bytes] | None:
        if text not in self.days:
            try:
                parsed: date | None = date.fromisoformat(text.decode())
            except ValueError:
                parsed = None
            ok = parsed is not None and FIRST_DAY <= parsed <= LAST_DAY
            self.days[text] = _bounds(parsed) if ok else None
        return self.days[text]

    def _type(self, text: bytes) -> bytes | None:
        if text not in self.types:
            kind = text.decode("utf-8", "replace")
            # A cell with spaces around it is the validator's to read (it strips them).
            value = self.parser.stored_type(kind) if kind == kind.strip() else None
            self.types[text] = value.encode() if value is not None else None
        return self.types[text]


def _bounds(day: Any) -> tuple[bytes, bytes, bytes, bytes]:
    """A day as COPY text: the date, then (for the line's day) the date and its Beijing bounds."""
    start, end = day_bounds(day)
    return (
        day.isoformat().encode(),
        day.isoformat().encode(),
        *(moment.isoformat().encode() for moment in (start, end)),
    )


def fast_csv_import(
    *,
    settlement: SettlementFile,
    stream: IO[bytes],
    parser: RowParser,
    header_line: int,
    writer: Any,
    progress: Callable[[int], None],
) -> int:
    """Store the file's lines: COPY the ones read here, ``writer.write`` the others; returns how
    many were copied (the writer counts its own)."""
    reader = LineReader(settlement, parser, writer)
    timings = dict.fromkeys(("read + copy", "validator"), 0.0)
    copied = 0
    with connection.cursor() as cursor:
        lines = _numbered(stream)
        done = False
        while not done:
            started = time.perf_counter()
            slow, done, count, chunk_copied = _copy_chunk(cursor, lines, reader, header_line)
            copied += chunk_copied
            timings["read + copy"] += time.perf_counter() - started
            started = time.perf_counter()
            if slow:
                writer.write(parser, slow)
            timings["validator"] += time.perf_counter() - started
            progress(count)
    log.info(
        "settlement import (fast path): %s",
        ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()),
    )
    return copied


def _numbered(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """Physical lines without their line end, numbered as ``csv.reader`` numbers them."""
    for number, raw in enumerate(stream, start=1):
        if raw.endswith(b"\r\n"):
            yield number, raw[:-2]
        elif raw.endswith(b"\n"):
            yield number, raw[:-1]
        else:
            yield number, raw


def _copy_chunk(
    cursor: Any, lines: Iterator[tuple[int, bytes]], reader: LineReader, header_line: int
) -> tuple[Chunk, bool, int, int]:
    """COPY the lines of the next CHUNK_LINES that the reader reads; returns the others split,
    whether the file ended, the number of the last line read, and how many lines were copied.

    One COPY for many rows: PostgreSQL stores them while Python reads on (two processes).
    """
    slow: Chunk = []
    row = reader.row
    out: list[bytes] = []
    number = copied = 0
    done = True
    try:
        # A savepoint per chunk: a chunk that fails (bad UTF-8 seen by PostgreSQL, a line only
        # the Python path can number) leaves the connection usable for the fallback.
        with transaction.atomic(), cursor.cursor.copy(COPY_LINES) as copy:
            for number, line in lines:
                if number <= header_line:
                    if b"\r" in line:
                        raise Unsupported("a carriage return inside a line")
                    continue
                text = row(number, line)
                if text is not None:
                    out.append(text)
                    if len(out) >= 5_000:
                        copied += _flush(copy, out)
                else:
                    cells = _slow_cells(line)
                    if cells is not None:
                        slow.append((number, cells))
                if number % CHUNK_LINES == 0:
                    done = False
                    break
            copied += _flush(copy, out)
    except UnicodeDecodeError as exc:
        raise Unsupported("not UTF-8") from exc
    except psycopg.DataError as exc:  # PostgreSQL found the text not UTF-8
        raise Unsupported(str(exc)) from exc
    return slow, done, number, copied


def _flush(copy: Any, out: list[bytes]) -> int:
    """Write the COPY rows gathered so far; returns how many."""
    count = len(out)
    if count:
        out.append(b"")
        copy.write(b"\n".join(out))
        out.clear()
    return count


def _slow_cells(line: bytes) -> list[str] | None:
    """The stripped cells as the Python path reads them, or None for an empty row."""
    if b"\r" in line:
        raise Unsupported("a carriage return inside a line")
    text = line.decode("utf-8-sig")

    def one_line() -> Iterator[str]:
        yield text
        raise Unsupported("a quoted cell spans lines")

    try:
        values = [cell.strip() for cell in next(csv.reader(one_line()), [])]
    except csv.Error as exc:
        raise Unsupported(str(exc)) from exc
    return values if any(values) else None
