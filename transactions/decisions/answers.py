"""A decision as the terminal contract shows it, its reasons in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext

from transactions.decisions.base import Decided
from transactions.models import Decision


def decision_answer(decision: Decision | Decided) -> dict[str, Any]:
    """The decision as the contract shows it, its messages in the active language: one just made
    or one read back (a duplicate resend's)."""
    return {
        "decision_id": str(decision.decision_id),
        "outcome": decision.outcome,
        "reasons": reasons_read(decision.reasons),
    }


def reasons_read(reasons: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "message": gettext(r["message"]) % r["figures"],
            "figures": r["figures"],
        }
        for r in reasons
    ]
