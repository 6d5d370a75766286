"""A compiled rule's matching reports, grouped the way the audit and backtests count alerts.

``group_by`` says what one alert is about: one report, or a merchant's, terminal's or card's
Beijing day (the built-ins' habit: one alert per card and day, not one per sale).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from portal.common.beijing import SHANGHAI
from transactions.models import Report, RuleVersion
from transactions.rules.compiler import Compiled

EXPLAINED_REPORTS = 20
BASE_COLUMNS = ("id", "merchant_id", "terminal_id", "card_token", "occurred_at")


def matched_rows(compiled: Compiled, reports: QuerySet[Report]) -> list[dict[str, Any]]:
    """The matching reports of ``reports`` (one query), with each condition's value."""
    columns = [*BASE_COLUMNS, *(f"x{leaf.index}" for leaf in compiled.leaves)]
    return list(compiled.queryset(reports.order_by()).values(*columns))


def local_day(row: dict[str, Any]) -> date:
    return row["occurred_at"].astimezone(SHANGHAI).date()


def group_key(group_by: str, row: dict[str, Any]) -> str:
    day = local_day(row)
    if group_by == "merchant_day":
        return f"{row['merchant_id']}:{day}"
    if group_by == "terminal_day":
        return f"t{row['terminal_id']}:{day}"
    if group_by == "card_day" and row["card_token"]:
        return f"{row['merchant_id']}:{row['card_token']}:{day}"
    return f"r{row['id']}"


def explain_of(
    version: RuleVersion, compiled: Compiled, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """The version and, for the first reports, every condition's value (``x<i>`` columns)."""
    return {
        "rule": version.rule.code,
        "version": version.number,
        "version_id": version.pk,
        "reports": {
            str(row["id"]): compiled.explain_values(
                {leaf.index: row[f"x{leaf.index}"] for leaf in compiled.leaves}
            )
            for row in rows[:EXPLAINED_REPORTS]
        },
    }


def merged_explain(known: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """A known alert's explain data with a new finding's reports added (up to a limit)."""
    if not found:
        return known
    reports = dict(known.get("reports", {}))
    for report_id, conditions in found.get("reports", {}).items():
        if len(reports) >= EXPLAINED_REPORTS:
            break
        reports.setdefault(report_id, conditions)
    return {**known, **found, "reports": reports}
