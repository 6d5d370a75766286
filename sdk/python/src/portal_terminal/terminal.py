"""A terminal: validate, queue durably, send in order, and keep what the server answered.

``report()`` never loses a sale: the report is checked with the server's rules (an invalid one is
refused at once and queued nowhere), committed to the queue, and then everything pending is sent,
oldest first. Offline, the report simply stays queued; the next ``report()`` or ``flush()`` sends
it with the same ``report_id``. A flush stops at the first report it cannot get a verdict on, so
the server always receives the reports in the order the terminal made them.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal_terminal.client import Client, Decision, PortalError, Refused, Unreachable
from portal_terminal.queue import Queue, Row
from portal_terminal.validation import ReportInvalid, validate_report

MAX_BATCH = 5000


@dataclass(frozen=True)
class Outcome:
    """Where a report stands: ``sent`` (with the server's status and decision), ``queued``
    (kept for the next flush) or ``refused`` (by the server, with its field errors)."""

    report_id: str
    state: str
    status: str | None = None
    decision: Decision | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    last_error: str | None = None

    @classmethod
    def of(cls, row: Row) -> Outcome:
        state = "queued" if row.state == "pending" else row.state
        return cls(
            report_id=row.report_id,
            state=state,
            status=row.status,
            decision=Decision.from_answer(row.decision),
            errors=row.errors or {},
            last_error=row.last_error,
        )

    @property
    def hold(self) -> bool:
        return self.decision is not None and self.decision.hold

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"report_id": self.report_id, "state": self.state}
        if self.status:
            data["status"] = self.status
        if self.decision:
            data["decision"] = self.decision.as_dict()
        if self.errors:
            data["errors"] = self.errors
        if self.last_error and self.state == "queued":
            data["last_error"] = self.last_error
        return data


@dataclass
class Flushed:
    """What one flush did; ``error`` says why it stopped with reports still pending."""

    sent: int = 0
    refused: int = 0
    pending: int = 0
    error: str | None = None
    busy: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v or k in ("sent", "pending")}


class Terminal:
    """The SDK's entry point: ``Terminal(client=Client(...), queue=Queue(path))``."""

    def __init__(self, *, client: Client, queue: Queue, batch_size: int = 200) -> None:
        self.client = client
        self.queue = queue
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.holder = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    @classmethod
    def open(
        cls, *, base_url: str, key_id: str, secret: str, queue_path: str | Path, **client: Any
    ) -> Terminal:
        return cls(
            client=Client(base_url=base_url, key_id=key_id, secret=secret, **client),
            queue=Queue(queue_path),
        )

    def close(self) -> None:
        self.queue.close()

    def queue_report(self, report: dict[str, Any]) -> Outcome:
        """Validate and queue without sending (raises ReportInvalid with the field errors)."""
        errors = validate_report(report)
        if errors:
            raise ReportInvalid(errors)
        return Outcome.of(self.queue.add(report))

    def report(self, report: dict[str, Any]) -> Outcome:
        """Queue one sale and send what is pending; the outcome of this report (sent or queued).

        A ``hold`` decision (``outcome.hold``) means the sale must not be completed.
        """
        queued = self.queue_report(report)
        self.flush()
        return Outcome.of(self.queue.get(queued.report_id))

    def report_many(self, reports: list[dict[str, Any]]) -> list[Outcome | ReportInvalid]:
        """Queue every valid report (in order) and flush; an invalid one is returned as its error."""
        results: list[Outcome | ReportInvalid] = []
        for report in reports:
            try:
                results.append(self.queue_report(report))
            except ReportInvalid as exc:
                results.append(exc)
        self.flush()
        return [
            Outcome.of(self.queue.get(r.report_id)) if isinstance(r, Outcome) else r
            for r in results
        ]

    def flush(self) -> Flushed:
        """Send the pending reports oldest first, until none is left or one gets no verdict."""
        done = Flushed()
        if not self.queue.take_lease(self.holder):
            done.busy = True
            done.pending = self.queue.counts()["pending"]
            return done
        try:
            size = self.batch_size
            while rows := self.queue.pending(limit=size):
                try:
                    self._send(rows, done)
                except Refused as exc:
                    if exc.status == 413 and size > 1:
                        size = max(1, size // 2)
                        continue
                    # Credentials, terminal state or address: no verdict on the reports.
                    done.error = str(exc)
                    self.queue.mark_failed([row.seq for row in rows], error=str(exc))
                    break
                except PortalError as exc:  # Unreachable, or an answer that is not the API's
                    done.error = str(exc)
                    self.queue.mark_failed([row.seq for row in rows], error=str(exc))
                    break
                self.queue.take_lease(self.holder)  # renew for the next round
        finally:
            self.queue.drop_lease(self.holder)
        done.pending = self.queue.counts()["pending"]
        return done

    def _send(self, rows: list[Row], done: Flushed) -> None:
        if len(rows) == 1:
            self._send_one(rows[0], done)
            return
        answer = self.client.report_batch([row.body or {} for row in rows])
        rejected = {item["index"]: item["errors"] for item in answer.get("rejected", [])}
        decisions = {item["index"]: item for item in answer.get("decisions", [])}
        for index, row in enumerate(rows):
            if index in rejected:
                self.queue.mark_refused(row.seq, errors=rejected[index])
                done.refused += 1
                continue
            decision = decisions.get(index)
            self.queue.mark_sent(
                row.seq,
                status="stored",
                decision=(
                    {k: v for k, v in decision.items() if k not in ("index", "report_id")}
                    if decision
                    else {"outcome": "accept", "reasons": []}
                ),
            )
            done.sent += 1

    def _send_one(self, row: Row, done: Flushed) -> None:
        try:
            answer = self.client.report(row.body or {})
        except Refused as exc:
            if not exc.about_the_report:
                raise
            self.queue.mark_refused(row.seq, errors=exc.errors)
            done.refused += 1
            return
        self.queue.mark_sent(row.seq, status=answer["status"], decision=answer.get("decision"))
        done.sent += 1

    def config(self) -> dict[str, Any]:
        """The terminal's parameters from the server, or the last ones fetched when offline."""
        try:
            config = self.client.config()
        except Unreachable:
            cached = self.queue.meta("config")
            if cached is None:
                raise
            return cached
        self.queue.set_meta("config", config)
        return config

    def status(self) -> dict[str, Any]:
        """Queue length, the oldest pending report and every refused one with its errors."""
        return self.queue.status()
