"""The archived month's and the deletion job's transitions.

A month is written (exported), read back and checked (verified), then its reports leave the hot
table (purged); a checksum that fails makes it damaged, from any of these, until its files check
out again; when its retention has ended an approved deletion job deletes it. A deletion job is
proposed (by the scheduled job or a person) and approved or rejected by a compliance lead who is
not the one who proposed it (maker–checker); the worker then finishes or fails it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.common.statemachine import StateMachine, Transition
from transactions.models import (
    ArchiveMonthTransition,
    ArchiveStatus,
    DeletionJobTransition,
    DeletionStatus,
)

S = ArchiveStatus
D = DeletionStatus
APPROVE_PERMISSION = "transactions.approve_deletion_job"


def _not_purged(month: Any, actor: Any) -> bool | str:
    return month.purged_at is None or str(_("The month was already removed from the hot table."))


def _purged(month: Any, actor: Any) -> bool | str:
    return month.purged_at is not None or str(_("The month is still in the hot table."))


ARCHIVE_MONTH_WORKFLOW = StateMachine(
    [
        Transition("verify", _("Verify"), frozenset({S.EXPORTED}), S.VERIFIED),
        Transition("purge", _("Remove from the hot table"), frozenset({S.VERIFIED}), S.PURGED),
        Transition(
            "damage",
            _("Mark damaged"),
            frozenset({S.EXPORTED, S.VERIFIED, S.PURGED}),
            S.DAMAGED,
        ),
        Transition(
            "restore_verified",
            _("Verified again"),
            frozenset({S.DAMAGED}),
            S.VERIFIED,
            guard=_not_purged,
        ),
        Transition(
            "restore_purged",
            _("Verified again"),
            frozenset({S.DAMAGED}),
            S.PURGED,
            guard=_purged,
        ),
        Transition("delete", _("Delete"), frozenset({S.VERIFIED, S.PURGED}), S.DELETED),
    ],
    record=ArchiveMonthTransition,
)


def _second_person(job: Any, actor: Any) -> bool | str:
    if job.proposed_by_id is not None and actor is not None and job.proposed_by_id == actor.pk:
        return str(_("Whoever proposed a deletion cannot approve it: another lead must."))
    return True


DELETION_JOB_WORKFLOW = StateMachine(
    [
        Transition(
            "approve",
            _("Approve"),
            frozenset({D.PROPOSED}),
            D.APPROVED,
            permission=APPROVE_PERMISSION,
            guard=_second_person,
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({D.PROPOSED}),
            D.REJECTED,
            permission=APPROVE_PERMISSION,
            reason_required=True,
        ),
        Transition("finish", _("Finish"), frozenset({D.APPROVED}), D.DONE),
        Transition("fail", _("Fail"), frozenset({D.APPROVED}), D.FAILED),
    ],
    record=DeletionJobTransition,
)
