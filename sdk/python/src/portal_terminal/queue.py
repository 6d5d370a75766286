"""The durable offline queue: one SQLite row per report, in the order the terminal made them.

A report is committed here (WAL, synchronous=FULL) before any attempt to send it, so a terminal
that loses its network, its power or its process keeps every report; the next flush sends them
in order with the same ``report_id``, which the server treats idempotently (a resend of a stored
report is a ``duplicate``, never a second report). Rows move one way only:

    pending ──▶ sent        (stored by the server; its decision kept)
       └──────▶ refused     (a 400 / 409 verdict on the report, with the field errors)

A row is never deleted while pending or refused; sent rows are pruned after ``keep_days``.
Only masked card data is ever in it (the SDK refuses a full card number before queueing).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL UNIQUE,
    body TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'refused')),
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    done_at TEXT,
    status TEXT,
    decision TEXT,
    errors TEXT
);
CREATE INDEX IF NOT EXISTS reports_state_seq ON reports (state, seq);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
LEASE_SECONDS = 120


class QueueConflict(ValueError):
    """The report_id is already queued with other content: a terminal must not reuse an id."""


@dataclass(frozen=True)
class Row:
    seq: int
    report_id: str
    state: str
    created_at: str
    attempts: int
    body: dict[str, Any] | None
    last_error: str | None
    done_at: str | None
    status: str | None
    decision: dict[str, Any] | None
    errors: dict[str, list[str]] | None

    @classmethod
    def of(cls, record: sqlite3.Row) -> Row:
        return cls(
            seq=record["seq"],
            report_id=record["report_id"],
            state=record["state"],
            created_at=record["created_at"],
            attempts=record["attempts"],
            body=_loads(record["body"]),
            last_error=record["last_error"],
            done_at=record["done_at"],
            status=record["status"],
            decision=_loads(record["decision"]),
            errors=_loads(record["errors"]),
        )


class Queue:
    """The queue file of one terminal (``path``); safe to open from several processes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The queue holds masked card data: readable by its owner only (SQLite gives the WAL and
        # shared-memory files the database file's permissions).
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a committed report survives a power cut
        self.db.executescript(SCHEMA)  # idempotent; executescript commits on its own

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def add(self, report: dict[str, Any]) -> Row:
        """Queue a (validated) report; queuing the same report again returns its row."""
        body = json.dumps(report, ensure_ascii=False, sort_keys=True)
        report_id = str(uuid.UUID(report["report_id"]))
        with self._write():
            known = self.db.execute(
                "SELECT * FROM reports WHERE report_id = ?", (report_id,)
            ).fetchone()
            if known is not None:
                if known["body"] != body:
                    raise QueueConflict(report_id)
                return Row.of(known)
            self.db.execute(
                "INSERT INTO reports (report_id, body, created_at) VALUES (?, ?, ?)",
                (report_id, body, _now()),
            )
        return self.get(report_id)

    def get(self, report_id: str) -> Row:
        record = self.db.execute(
            "SELECT * FROM reports WHERE report_id = ?", (str(uuid.UUID(report_id)),)
        ).fetchone()
        if record is None:
            raise KeyError(report_id)
        return Row.of(record)

    def pending(self, *, limit: int) -> list[Row]:
        """The oldest pending reports, in the order they were queued."""
        records = self.db.execute(
            "SELECT * FROM reports WHERE state = 'pending' ORDER BY seq LIMIT ?", (limit,)
        )
        return [Row.of(record) for record in records]

    def mark_sent(self, seq: int, *, status: str, decision: dict[str, Any] | None) -> None:
        """Stored by the server, with its decision (the body stays until pruned)."""
        with self._write():
            self.db.execute(
                "UPDATE reports SET state = 'sent', done_at = ?, status = ?,"
                " decision = ?, attempts = attempts + 1, last_error = NULL"
                " WHERE seq = ? AND state = 'pending'",
                (_now(), status, _dumps(decision), seq),
            )

    def mark_refused(self, seq: int, *, errors: dict[str, list[str]]) -> None:
        with self._write():
            self.db.execute(
                "UPDATE reports SET state = 'refused', done_at = ?, errors = ?,"
                " attempts = attempts + 1 WHERE seq = ? AND state = 'pending'",
                (_now(), _dumps(errors), seq),
            )

    def mark_failed(self, seqs: list[int], *, error: str) -> None:
        """An attempt that got no verdict: the rows stay pending, the error is on record."""
        with self._write():
            self.db.executemany(
                "UPDATE reports SET attempts = attempts + 1, last_error = ?"
                " WHERE seq = ? AND state = 'pending'",
                [(error, seq) for seq in seqs],
            )

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT state, count(*) FROM reports GROUP BY state")
        return {"pending": 0, "sent": 0, "refused": 0} | dict(rows.fetchall())

    def refused(self) -> list[Row]:
        records = self.db.execute("SELECT * FROM reports WHERE state = 'refused' ORDER BY seq")
        return [Row.of(record) for record in records]

    def status(self) -> dict[str, Any]:
        """Queue length, the oldest pending report and every refused one with its errors."""
        oldest = self.pending(limit=1)
        return {
            **self.counts(),
            "oldest_pending": (
                {
                    "report_id": oldest[0].report_id,
                    "queued_at": oldest[0].created_at,
                    "attempts": oldest[0].attempts,
                    "last_error": oldest[0].last_error,
                }
                if oldest
                else None
            ),
            "refused_reports": [
                {"report_id": row.report_id, "refused_at": row.done_at, "errors": row.errors}
                for row in self.refused()
            ],
        }

    def prune(self, *, keep_days: float = 7) -> int:
        """Forget sent reports older than ``keep_days`` (pending and refused ones stay)."""
        cutoff = datetime.fromtimestamp(time.time() - keep_days * 86400, UTC).isoformat()
        with self._write():
            cursor = self.db.execute(
                "DELETE FROM reports WHERE state = 'sent' AND done_at < ?", (cutoff,)
            )
        return cursor.rowcount

    def meta(self, name: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return _loads(row["value"]) if row else None

    def set_meta(self, name: str, value: Any) -> None:
        with self._write():
            self.db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, _dumps(value)),
            )

    def take_lease(self, holder: str) -> bool:
        """One flusher at a time per queue file (another process's lease lapses if it died)."""
        now = time.time()
        with self._write():
            lease = self.meta("flush_lease")
            if lease and lease["holder"] != holder and lease["until"] > now:
                return False
            self.db.execute(
                "INSERT INTO meta (name, value) VALUES ('flush_lease', ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (_dumps({"holder": holder, "until": now + LEASE_SECONDS}),),
            )
        return True

    def drop_lease(self, holder: str) -> None:
        with self._write():
            lease = self.meta("flush_lease")
            if lease and lease["holder"] == holder:
                self.db.execute("DELETE FROM meta WHERE name = 'flush_lease'")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)
