"""Importing the external risk list and checking merchants against it.

- :func:`risk_list_import`: a CSV from the risk information system; its valid rows become entries
  (a row already listed is counted, not duplicated), its bad rows are recorded by line; the
  approved merchants are checked again once it commits.
- :func:`risk_list_check`: check merchants and record each result. Starting a review checks the
  applicant (``onboarding``); the schedule checks every approved merchant nightly and after each
  import, recording a result when it differs from the merchant's last one.
- :func:`risk_list_check_record`: a reviewer records a check made in the risk system itself.

A hit on an approved merchant is handed to the *hit listeners* in the same transaction:
``TransactionsConfig.ready()`` registers the one that raises an alert in the review queue
(``merchants`` never imports ``transactions``). Merchants whose result changed are rated again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from merchants.models import (
    CheckResult,
    CheckTrigger,
    Merchant,
    RiskListCheck,
    RiskListEntry,
    RiskListImport,
)
from merchants.risk.rating.services import rate_merchants
from merchants.risk.risklist.rows import FileRefused, Row, RowError, read_rows
from merchants.risk.risklist.selectors import last_results, matches
from portal.common.queue import enqueue_on_commit

IMPORT_PERMISSION = "merchants.import_risklist"
CHECK_PERMISSION = "merchants.record_risklist_check"
RECHECK_TASK = "merchants.tasks.recheck_risk_list"
BATCH = 1000


@dataclass(frozen=True)
class Hit:
    """An approved merchant found on the list: by a check (``check_id``) and which entries."""

    merchant_id: int
    check_id: int
    entries: tuple[RiskListEntry, ...]


HitListener = Callable[[Sequence[Hit]], None]
_listeners: list[HitListener] = []


def hit_listener_register(listener: HitListener) -> None:
    """Call ``listener`` with the hits on approved merchants (once per listener; at start-up)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _tell(hits: Sequence[Hit]) -> None:
    if hits:
        for listener in _listeners:
            listener(hits)


def risk_list_import(
    *, data: bytes, file_name: str, actor: Any, default_source: str = ""
) -> RiskListImport:
    """Import a risk-list CSV (``merchants/risk/risklist/rows.py`` says its columns).

    Only staff with ``merchants.import_risklist``. Raises ``ValidationError`` when the file as a
    whole cannot be read (nothing is imported then); otherwise records the import with its
    counts and each bad row's line and error, keeps every valid row, and queues the re-check
    of the approved merchants after the commit.
    """
    if not (actor and actor.has_perm(IMPORT_PERMISSION)):
        raise PermissionDenied(_("You may not import the risk list."))
    try:
        parsed = list(read_rows(data, default_source=default_source.strip()))
    except FileRefused as exc:
        raise ValidationError({"file": str(exc)}) from exc
    rows = [r for r in parsed if isinstance(r, Row)]
    errors = [{"row": r.line, "message": r.message} for r in parsed if isinstance(r, RowError)]
    with transaction.atomic():
        record = RiskListImport.objects.create(
            file_name=file_name[:255], imported_by=actor, rows_total=len(parsed), errors=errors
        )
        added = _add_entries(rows, record)
        record.rows_added, record.rows_already = added, len(rows) - added
        record.save(update_fields=["rows_added", "rows_already"])
        if added:
            enqueue_on_commit(RECHECK_TASK, cause=f"import {record.pk}")
    return record


def _add_entries(rows: Sequence[Row], record: RiskListImport) -> int:
    """Add the rows not listed yet (the same kind, value and list); reactivate delisted ones."""
    unique = {(r.kind, r.value, r.source): r for r in rows}
    values = sorted({r.value for r in rows})
    known = {
        (e.kind, e.value, e.source): e
        for start in range(0, len(values), BATCH)
        for e in RiskListEntry.objects.filter(value__in=values[start : start + BATCH])
    }
    new, again = [], []
    for key, row in unique.items():
        entry = known.get(key)
        if entry is None:
            new.append(
                RiskListEntry(
                    kind=row.kind,
                    value=row.value,
                    shown=row.shown,
                    source=row.source,
                    reason=row.reason,
                    listed_on=row.listed_on,
                    source_import=record,
                )
            )
        elif not entry.active:
            again.append(entry)
    bulk_create_with_history(
        new,
        RiskListEntry,
        batch_size=BATCH,
        default_user=record.imported_by,
        default_change_reason=f"import {record.pk}",
    )
    for entry in again:
        entry.active, entry.source_import = True, record
        entry._change_reason = f"listed again by import {record.pk}"
        entry.save(update_fields=["active", "source_import"])
    return len(new) + len(again)


@dataclass(frozen=True)
class CheckSummary:
    checked: int
    recorded: int
    hits: int
    alerted: int


def risk_list_check(
    *,
    merchants: QuerySet[Merchant],
    trigger: str,
    cause: str,
    actor: Any = None,
    only_changes: bool = False,
    now: datetime | None = None,
) -> CheckSummary:
    """Check ``merchants`` against the active entries and record each result (``trigger``, a
    :class:`CheckTrigger`; ``cause``, what asked for it, is the trigger of the ratings it causes).

    With ``only_changes`` (the schedule), a result is recorded for a merchant only when it
    differs from its last automatic one (its first check, a new hit, a hit gone). Every hit on
    an approved merchant goes to the hit listeners (its alert is raised once: the listener keys
    it by merchant and entry); approved merchants with a new hit or a hit gone are rated again.
    """
    now = now or timezone.now()
    merchants = merchants.order_by()
    found = matches(merchants)
    before = last_results(merchants)
    with transaction.atomic():
        checks, links, changed, checked = [], [], [], 0
        for pk in merchants.values_list("pk", flat=True).iterator(chunk_size=BATCH):
            checked += 1
            entries = found.get(pk, [])
            result = frozenset(e.pk for e in entries) or None
            if only_changes and pk in before and before[pk] == result:
                continue
            # A merchant rated on a hit, or on a hit gone; a first clear check changes nothing.
            if (pk in before and before[pk] != result) or (pk not in before and result):
                changed.append(pk)
            checks.append(
                RiskListCheck(
                    merchant_id=pk,
                    checked_at=now,
                    result=CheckResult.HIT if entries else CheckResult.CLEAR,
                    trigger=trigger,
                    actor=actor,
                )
            )
        created = _write_checks(checks)
        by_merchant = {check.merchant_id: check for check in created}
        through = RiskListCheck.entries.through
        for pk, check in by_merchant.items():
            links.extend(
                through(risklistcheck_id=check.pk, risklistentry_id=e.pk) for e in found.get(pk, [])
            )
        through.objects.bulk_create(links, batch_size=BATCH)
        approved = set(
            Merchant.objects.approved().filter(pk__in=list(found)).values_list("pk", flat=True)
        )
        hits = [
            Hit(pk, by_merchant[pk].pk if pk in by_merchant else 0, tuple(found[pk]))
            for pk in sorted(approved)
        ]
        _tell(hits)
        if changed:
            rate_merchants(
                merchants=Merchant.objects.approved().filter(pk__in=changed),
                trigger=cause,
                now=now,
            )
    return CheckSummary(
        checked=checked,
        recorded=len(created),
        hits=len(found),
        alerted=len(hits),
    )


def _write_checks(checks: list[RiskListCheck]) -> list[RiskListCheck]:
    # bulk_create sets the primary keys on PostgreSQL and on SQLite (3.35+): the links need them.
    return RiskListCheck.objects.bulk_create(checks, batch_size=BATCH)


def risk_list_check_record(
    *, merchant: Merchant, actor: Any, result: str, note: str, now: datetime | None = None
) -> RiskListCheck:
    """A reviewer records a check made in the risk system: hit or clear, with a note.

    A recorded hit blocks the merchant's approval and counts in its rating until a clear check
    is recorded; on an approved merchant it raises an alert. Only staff with
    ``merchants.record_risklist_check``.
    """
    if not (actor and actor.has_perm(CHECK_PERMISSION)):
        raise PermissionDenied(_("You may not record risk-list checks."))
    note = (note or "").strip()
    errors = {}
    if result not in CheckResult.values:
        errors["result"] = _("Choose hit or clear.")
    if not note:
        errors["note"] = _("Say what was checked and what was found.")
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        check = RiskListCheck.objects.create(
            merchant=merchant,
            checked_at=now,
            result=result,
            trigger=CheckTrigger.MANUAL,
            actor=actor,
            note=note,
        )
        if merchant.is_approved:
            if result == CheckResult.HIT:
                _tell([Hit(merchant.pk, check.pk, ())])
            rate_merchants(
                merchants=Merchant.objects.filter(pk=merchant.pk),
                trigger=f"risk-list check {check.pk}",
                now=now,
            )
    return check


def risk_list_recheck(*, cause: str) -> CheckSummary:
    """The schedule: every approved merchant, results recorded when they change."""
    return risk_list_check(
        merchants=Merchant.objects.approved(),
        trigger=CheckTrigger.SCHEDULE,
        cause=f"risk list: {cause}"[:100],
        only_changes=True,
    )


def risk_list_delist(*, entries: QuerySet[RiskListEntry], actor: Any, reason: str) -> int:
    """Take entries off the list (the risk system delisted them); kept on record, inactive."""
    if not (actor and actor.has_perm(IMPORT_PERMISSION)):
        raise PermissionDenied(_("You may not change the risk list."))
    reason = (reason or "").strip()
    count = 0
    with transaction.atomic():
        for entry in entries.select_for_update().filter(active=True):
            entry.active = False
            entry._change_reason = f"delisted: {reason}".strip(": ")
            entry.save(update_fields=["active"])
            count += 1
        if count:
            enqueue_on_commit(RECHECK_TASK, cause="delisted")
    return count
