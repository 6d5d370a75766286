"""The terminal's state machine: awaiting approval, pending, active, suspended, retired.

A new terminal of a merchant whose risk level asks for it starts awaiting a compliance lead's
approval (``approve``, with a reason; refusing is retiring it); the others start pending a TID.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from merchants.models import TerminalStatus as T
from merchants.models import TerminalTransition
from portal.common.statemachine import StateMachine, Transition, all_guards


def _has_tid(terminal: Any, actor: Any) -> bool | str:
    return True if terminal.tid else _("Assign a TID before activating the terminal.")


def _merchant_approved(terminal: Any, actor: Any) -> bool | str:
    return True if terminal.merchant.is_approved else _("The merchant is not approved.")


TERMINAL = StateMachine(
    [
        Transition(
            "approve",
            _("Approve (risk)"),
            frozenset({T.AWAITING}),
            T.PENDING,
            permission="merchants.approve_terminal",
            reason_required=True,
        ),
        Transition(
            "activate",
            _("Activate"),
            frozenset({T.PENDING, T.SUSPENDED}),
            T.ACTIVE,
            permission="merchants.manage_terminal",
            guard=all_guards(_has_tid, _merchant_approved),
        ),
        Transition(
            "suspend",
            _("Suspend"),
            frozenset({T.ACTIVE}),
            T.SUSPENDED,
            permission="merchants.manage_terminal",
            reason_required=True,
        ),
        Transition(
            "retire",
            _("Retire"),
            frozenset({T.AWAITING, T.PENDING, T.ACTIVE, T.SUSPENDED}),
            T.RETIRED,
            permission="merchants.manage_terminal",
            reason_required=True,
        ),
    ],
    record=TerminalTransition,
)
