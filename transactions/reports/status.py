"""What a report's detail page tells besides the report itself: its screening decision, its alerts
and settlement status."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from transactions.decisions.answers import reasons_read
from transactions.decisions.selectors import decision_of
from transactions.models import (
    Alert,
    DecisionOutcome,
    Hold,
    Outcome,
    ReconciliationItem,
    ReconciliationTotal,
    Report,
    SettlementFile,
    SettlementLineOutcome,
)


@dataclass(frozen=True)
class ReconciliationStatus:
    """The latest reconciliation result that concerns one report."""

    outcome: str  # an Outcome value
    file: SettlementFile
    settled_amount: Decimal | None = None
    settlement_date: date | None = None
    line_no: int | None = None

    @property
    def label(self) -> str:
        return str(Outcome(self.outcome).label)


# Each outcome in the merchant's words, and what it means for the sale.
SCREENING_LABEL = {
    DecisionOutcome.ACCEPT: _("Accepted"),
    DecisionOutcome.REVIEW: _("Under review"),
    DecisionOutcome.HOLD: _("Held"),
}
SCREENING_MEANING = {
    DecisionOutcome.ACCEPT: _("No check stopped this sale."),
    DecisionOutcome.REVIEW: _("The sale stands; compliance will look at it."),
    DecisionOutcome.HOLD: _("The terminal was told not to complete this sale."),
}


@dataclass(frozen=True)
class ScreeningStatus:
    """The decision the terminal was given when it reported the sale."""

    outcome: str  # a DecisionOutcome value
    reasons: list[dict[str, Any]]  # code, message in the active language, figures
    alert_id: int | None
    # Held: whether the hold the decision placed (or another from its alert) still holds the sale.
    hold_active: bool

    @property
    def label(self) -> str:
        return str(SCREENING_LABEL[DecisionOutcome(self.outcome)])

    @property
    def meaning(self) -> str:
        return str(SCREENING_MEANING[DecisionOutcome(self.outcome)])

    @property
    def held(self) -> bool:
        return self.outcome == DecisionOutcome.HOLD


def report_screening(*, report: Report, holds: Iterable[Hold]) -> ScreeningStatus | None:
    """The report's decision with its reasons translated, or None (reports entered by hand, from
    a file or before screening existed have none). ``holds`` are the report's active holds, as the
    page already shows them."""
    decision = decision_of(report=report)
    if decision is None:
        return None
    held = decision.outcome == DecisionOutcome.HOLD
    return ScreeningStatus(
        outcome=decision.outcome,
        reasons=reasons_read(decision.reasons),
        alert_id=decision.alert_id,
        hold_active=held and any(hold.alert_id == decision.alert_id for hold in holds),
    )


def report_alerts(*, report: Report) -> QuerySet[Alert]:
    """The merchant's alerts that name this report, newest first."""
    return (
        report.alerts.filter(merchant_id=report.merchant_id, shadow=False, snooze__isnull=True)
        .select_related("rule")
        .order_by("-created_at", "-pk")
    )


def report_reconciliation(*, report: Report) -> ReconciliationStatus | None:
    """Matched or amount mismatch from the latest settlement line paired with the report; else
    "reported but not settled" if the latest run over its merchant and day said so; else None
    (no settlement file has covered its day yet).

    Line outcomes carry their report (indexed), so the first question is one index probe. A run records
    the missing reports as items by run and merchant, so the second one first finds the runs
    that covered the report's day (their per-day totals) and then looks in those runs only.
    """
    settled = (
        SettlementLineOutcome.objects.filter(report=report)
        .select_related("file", "line")
        .order_by("-file__created_at", "-line_id")
        .first()
    )
    if settled is not None:
        return ReconciliationStatus(
            outcome=settled.outcome,
            file=settled.file,
            settled_amount=settled.line.amount,
            settlement_date=settled.line.settlement_date,
            line_no=settled.line.line_no,
        )
    day = timezone.localtime(report.occurred_at).date()
    runs = ReconciliationTotal.objects.filter(merchant_id=report.merchant_id, day=day).values(
        "run_id"
    )
    missing = (
        ReconciliationItem.objects.filter(
            run__in=runs,
            merchant_id=report.merchant_id,
            kind=Outcome.REPORTED_NOT_SETTLED,
            report=report,
        )
        .select_related("run__file")
        .order_by("-run__started_at", "-run_id")
        .first()
    )
    if missing is not None:
        return ReconciliationStatus(outcome=missing.kind, file=missing.run.file)
    return None
