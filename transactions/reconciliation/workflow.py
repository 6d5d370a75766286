"""The settlement file's states and the only ways between them.

Each step is one conditional UPDATE (``WHERE status IN sources``): two workers (the upload's task
and a beat sweep) can both try to start the same import, and only one of them gets it.

Recovery: an import that a worker left unfinished (killed, or its connection lost) is started
again from nothing by whoever next holds the file's import claim (``start_import`` from
``importing``; see the importer). A run is one transaction with the file's row locked, so a worker killed mid-run leaves
the file as it was before; ``reconciling`` is seen committed only if an older version of this code
was killed mid-run, and such a file may be reconciled again. ``retry`` (from the bytes) and
``retry_reconcile`` (from the stored lines) are staff's way back from ``failed``.
"""

from __future__ import annotations

from typing import Any

from transactions.models import FileStatus, SettlementFile

S = FileStatus
FILE_FLOW: dict[str, tuple[frozenset[str], str]] = {
    "start_import": (frozenset({S.QUEUED, S.IMPORTING}), S.IMPORTING),
    "imported": (frozenset({S.IMPORTING}), S.IMPORTED),
    "start_reconcile": (frozenset({S.IMPORTED, S.DONE, S.RECONCILING}), S.RECONCILING),
    "reconciled": (frozenset({S.RECONCILING}), S.DONE),
    "fail": (frozenset({S.IMPORTING, S.RECONCILING}), S.FAILED),
    "retry": (frozenset({S.FAILED}), S.QUEUED),
    "retry_reconcile": (frozenset({S.FAILED}), S.IMPORTED),
}


def file_move(file: SettlementFile, name: str, **fields: Any) -> bool:
    """Take step ``name`` if the file is in one of its source states; False if it was not."""
    sources, target = FILE_FLOW[name]
    moved = SettlementFile.objects.filter(pk=file.pk, status__in=sources).update(
        status=target, **fields
    )
    if moved:
        file.status = target
        for key, value in fields.items():
            setattr(file, key, value)
    return bool(moved)
