"""Screening through the real API: a terminal posts a report and reads the decision it is given."""

from __future__ import annotations

from typing import Any

from tests.transactions.helpers import REPORTS, TerminalAPI, report
from transactions.decisions.inputs import ensure_checks
from transactions.models import ScreeningCheck


def decide(api: TerminalAPI, **fields: Any) -> dict[str, Any]:
    """POST one report (``report()`` with ``fields``); the decision in its 201 answer."""
    response = api.post(REPORTS, report(api.terminal, **fields))
    assert response.status_code == 201, response.json()
    return response.json()["decision"]


def set_check(code: str, **fields: Any) -> ScreeningCheck:
    """Edit a check's row: ``enabled``, ``shadow``, or ``parameters`` over its current ones."""
    ensure_checks()
    row = ScreeningCheck.objects.get(code=code)
    row.parameters = {**row.parameters, **fields.pop("parameters", {})}
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def codes(decision: dict[str, Any]) -> list[str]:
    """The codes of the decision's reasons."""
    return [reason["code"] for reason in decision["reasons"]]
