"""Registering terminals, assigning TIDs, moving them through their states, and their keys."""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from merchants.models import Merchant, Terminal, TerminalKey, TerminalStatus
from merchants.risk.rating.selectors import terminal_approval_required
from merchants.terminals.workflow import TERMINAL
from portal.common.statemachine import TransitionNotAllowed
from portal.common.validators import validate_tid

TERMINAL_FIELDS = (
    "serial_number",
    "model_name",
    "province",
    "city",
    "district",
    "address",
    "latitude",
    "longitude",
)


@transaction.atomic
def terminal_register(*, merchant: Merchant, actor: Any, data: dict[str, Any]) -> Terminal:
    """Register a terminal for an approved merchant; it waits, pending, for a TID.

    When the merchant's risk level says new terminals need a lead's approval, it waits for that
    first (``awaiting``): no TID can be assigned nor the terminal activated until a lead approves.
    """
    if not merchant.is_approved:
        raise TransitionNotAllowed(
            "Only approved merchants can register terminals.", code="not_approved"
        )
    terminal = Terminal(merchant=merchant, **{k: data[k] for k in TERMINAL_FIELDS if k in data})
    approval = terminal_approval_required(merchant=merchant)
    terminal.status = TerminalStatus.AWAITING if approval else TerminalStatus.PENDING
    terminal.full_clean()
    terminal._change_reason = "registered, awaiting approval" if approval else "registered"
    terminal.save()
    return terminal


def generate_tid() -> str:
    """A free 8-digit TID."""
    while True:
        tid = f"{secrets.randbelow(10**8):08d}"
        if not Terminal.objects.filter(tid=tid).exists():
            return tid


@transaction.atomic
def terminal_assign_tid(*, terminal: Terminal, actor: Any, tid: str | None = None) -> Terminal:
    """Give a pending terminal its TID (a generated one when ``tid`` is None)."""
    terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
    if not (actor and actor.has_perm("merchants.manage_terminal")):
        raise PermissionDenied("You are not allowed to assign TIDs.")
    if terminal.status != TerminalStatus.PENDING:
        raise TransitionNotAllowed("A TID can only be assigned to a pending terminal.", code="tid")
    tid = (tid or generate_tid()).upper()
    validate_tid(tid)
    if Terminal.objects.filter(tid=tid).exclude(pk=terminal.pk).exists():
        raise TransitionNotAllowed("This TID is taken by another terminal.", code="tid_taken")
    terminal.tid = tid
    terminal._change_reason = "TID assigned"
    terminal.save(update_fields=["tid"])
    return terminal


@transaction.atomic
def terminal_transition(*, terminal: Terminal, name: str, actor: Any, reason: str = "") -> Terminal:
    """Take transition ``name`` of the terminal and record the step.

    Suspending or retiring revokes nothing by itself: the upload API refuses any terminal that
    is not active, so a suspended terminal's key works again when it is re-activated. Retiring
    revokes the keys for good.
    """
    terminal = TERMINAL.step(
        terminal,
        name,
        actor=actor,
        reason=reason,
        queryset=Terminal.objects.select_related("merchant"),
        update_fields=["status"],
    )
    if terminal.status == TerminalStatus.RETIRED:
        terminal.keys.usable().update(revoked_at=timezone.now())
    return terminal


@transaction.atomic
def terminals_hold(*, merchant_id: int, actor: Any, reason: str) -> int:
    """Suspend every active terminal of the merchant (a failed inspection); how many were.

    A worker's step (``TERMINAL.move``), not a person's: whoever decided the inspection may not
    manage terminals, and the hold follows from the decision. Each step is recorded with that
    person and ``reason``; a lead re-activates the terminals through the workflow.
    """
    held = 0
    for terminal in Terminal.objects.filter(merchant_id=merchant_id).active().order_by("pk"):
        held += TERMINAL.move(terminal, "suspend", actor=actor, reason=reason)
    return held


@transaction.atomic
def terminal_key_issue(*, terminal: Terminal, actor: Any = None) -> tuple[TerminalKey, str]:
    """Issue a new key for ``terminal`` and revoke its previous ones.

    Returns the key and the secret; the secret is never shown again.
    """
    terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
    if terminal.status == TerminalStatus.RETIRED:
        raise TransitionNotAllowed("A retired terminal gets no new key.", code="retired")
    terminal.keys.usable().update(revoked_at=timezone.now())
    secret = secrets.token_urlsafe(32)
    key = TerminalKey.objects.create(
        terminal=terminal,
        key_id=_new_key_id(),
        secret=secret,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return key, secret


def _new_key_id() -> str:
    """``tk_`` and 20 random letters (94 bits): a key id is shown and logged, and a run of hex
    digits could read as a card number (one key in a few hundred had one)."""
    return "tk_" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(20))


def terminal_key_revoke(*, key: TerminalKey, actor: Any = None) -> TerminalKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
