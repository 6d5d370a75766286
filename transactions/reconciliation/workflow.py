"""The settlement file's and its runs' states, and the only ways between them.

Each step is one conditional UPDATE (``WHERE status IN sources``): two workers (the upload's task
and a beat sweep) can both try to start the same import, and only one of them gets it.

Recovery: an import that a worker left unfinished (killed, or its connection lost) is started
again from nothing by whoever next holds the file's import claim (``start_import`` from
``importing``; see the importer). A run is one transaction with the file's row locked, so a worker killed mid-run leaves
the file as it was before; ``reconciling`` is seen committed only if an older version of this code
was killed mid-run, and such a file may be reconciled again. ``retry`` (from the bytes) and
``retry_reconcile`` (from the stored lines) are staff's way back from ``failed``.

Every change is recorded (``SettlementFileTransition``): a worker's with no actor and the reason
the worker gives (what it found), staff's retry with who and the reason they typed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.common.statemachine import StateMachine, Transition
from transactions.models import FileStatus, RunStatus, SettlementFile, SettlementFileTransition

S = FileStatus
RETRY_PERMISSION = "transactions.add_settlementfile"
# Workers' steps: nobody sees their labels but a developer reading a refusal. The two retries are
# staff's, with a reason.
FILE_FLOW = StateMachine(
    [
        Transition("start_import", "start import", frozenset({S.QUEUED, S.IMPORTING}), S.IMPORTING),
        Transition("imported", "finish import", frozenset({S.IMPORTING}), S.IMPORTED),
        Transition(
            "start_reconcile",
            "start reconciling",
            frozenset({S.IMPORTED, S.DONE, S.RECONCILING}),
            S.RECONCILING,
        ),
        Transition("reconciled", "finish reconciling", frozenset({S.RECONCILING}), S.DONE),
        Transition("fail", "fail", frozenset({S.IMPORTING, S.RECONCILING}), S.FAILED),
        Transition(
            "retry",
            _("Retry"),
            frozenset({S.FAILED}),
            S.QUEUED,
            permission=RETRY_PERMISSION,
            reason_required=True,
        ),
        Transition(
            "retry_reconcile",
            _("Retry reconciling"),
            frozenset({S.FAILED}),
            S.IMPORTED,
            permission=RETRY_PERMISSION,
            reason_required=True,
        ),
    ],
    record=SettlementFileTransition,
)

# A run is created running and ends done or failed in the same transaction, its file locked.
RUN_FLOW = StateMachine(
    [
        Transition("done", "finish", frozenset({RunStatus.RUNNING}), RunStatus.DONE),
        Transition("fail", "fail", frozenset({RunStatus.RUNNING}), RunStatus.FAILED),
    ]
)


def file_move(file: SettlementFile, name: str, *, reason: str, **fields: Any) -> bool:
    """Take a worker's step ``name`` if the file is in one of its source states, recorded with
    ``reason``; False if it was not."""
    return FILE_FLOW.move(file, name, reason=reason, **fields)
