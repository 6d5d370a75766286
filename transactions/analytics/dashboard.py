"""Reads for the merchant's dashboard: figures for a range of days, from the daily rollups only.

Every figure comes from rows kept per day as reports are stored (``TerminalDay``,
``MerchantDay``, ``MerchantDayMix``; see ``services/rollups.py`` for the definitions), so a
quarter of a busy merchant is a few hundred rows, not a million reports. Days are Asia/Shanghai
days on which the transactions occurred. The current state (open alerts, active holds, missing
reports) is counted from the alerts and holds themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from merchants.models import Merchant
from transactions.models import (
    HOUR_FIELDS,
    Alert,
    Hold,
    MerchantDay,
    MerchantDayMix,
    PaymentMethod,
    ReportType,
    TerminalDay,
)

TOP_TERMINALS = 10
CENT = Decimal("0.01")
# Open alerts that stand for reports that should exist and do not: a settled transaction never
# reported (reconciliation), and an active terminal that fell silent (the reporting-gap rule's
# "silent" findings; its "woke" findings are about reports that did arrive).
MISSING_REPORTS = Q(rule__code="recon_missing_report") | Q(
    rule__code="reporting_gap", fingerprint__startswith="reporting_gap:silent:"
)


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included."""

    date_from: date
    date_to: date
    preset: str = ""

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def each_day(self) -> list[date]:
        return [self.date_from + timedelta(days=i) for i in range(self.days)]


def preset_period(preset: str, *, today: date) -> Period:
    """ "today", "week" (from Monday) or "month" (from the 1st), up to and including today."""
    if preset == "today":
        return Period(today, today, preset)
    if preset == "week":
        return Period(today - timedelta(days=today.weekday()), today, preset)
    return Period(today.replace(day=1), today, "month")


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole`` as a percentage with one decimal; None when there is no whole."""

    part: int
    whole: int

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return (Decimal(100) * self.part / self.whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Slice:
    code: str
    label: str
    count: int = 0
    amount: Decimal = Decimal(0)


@dataclass
class TerminalFigures:
    terminal_id: int
    tid: str
    serial_number: str
    reports: int
    sales: int
    amount: Decimal


@dataclass
class Dashboard:
    period: Period
    volume: Decimal = Decimal(0)
    sales: int = 0
    reports: int = 0
    late: int = 0
    card_sales: int = 0
    repeat_sales: int = 0
    missing: int = 0
    open_alerts: int = 0
    active_holds: int = 0
    methods: list[Slice] = field(default_factory=list)
    types: list[Slice] = field(default_factory=list)
    daily: list[tuple[date, int, Decimal]] = field(default_factory=list)
    heatmap: list[list[int]] = field(default_factory=list)  # [weekday 0=Monday][hour]
    terminals: list[TerminalFigures] = field(default_factory=list)

    @property
    def average_ticket(self) -> Decimal | None:
        return (self.volume / self.sales).quantize(CENT, ROUND_HALF_UP) if self.sales else None

    @property
    def on_time(self) -> Share:
        return Share(self.reports - self.late, self.reports)

    @property
    def repeat(self) -> Share:
        return Share(self.repeat_sales, self.card_sales)

    def chart_data(self) -> dict:
        """What the charts draw, for ``json_script`` (amounts as strings: exact, and JSON-safe)."""
        return {
            "methods": [[s.label, str(s.amount), s.count] for s in self.methods],
            "types": [[s.label, str(s.amount), s.count] for s in self.types],
            "daily": [[str(d), n, str(a)] for d, n, a in self.daily],
            "heatmap": [
                [hour, weekday, n]
                for weekday, hours in enumerate(self.heatmap)
                for hour, n in enumerate(hours)
            ],
            "terminals": [
                [t.tid or t.serial_number, str(t.amount), t.sales] for t in self.terminals
            ],
        }


@dataclass(frozen=True)
class Glance:
    """Sales of one preset period, for the strip that shows today, this week and this month."""

    period: Period
    sales: int
    volume: Decimal


def merchant_glance(*, merchant: Merchant, today: date) -> list[Glance]:
    """Sales count and volume of today, this week and this month, from one read of the rollups.

    The week may start in the previous month, so the read covers from the earlier of the two
    starts: at most 37 days of ``MerchantDayMix`` rows, grouped by day in the database.
    """
    periods = [preset_period(code, today=today) for code in ("today", "week", "month")]
    first = min(p.date_from for p in periods)
    per_day = (
        MerchantDayMix.objects.filter(
            merchant=merchant, type=ReportType.SALE, day__gte=first, day__lte=today
        )
        .order_by()
        .values_list("day")
        .annotate(n=Sum("reports"), amount=Sum("amount"))
    )
    totals = {p.preset: [0, Decimal(0)] for p in periods}
    for day, n, amount in per_day:
        for p in periods:
            if p.date_from <= day <= p.date_to:
                totals[p.preset][0] += n
                totals[p.preset][1] += _money(amount)
    return [Glance(p, totals[p.preset][0], _money(totals[p.preset][1])) for p in periods]


def merchant_dashboard(*, merchant: Merchant, period: Period) -> Dashboard:
    """The merchant's figures for ``period``: a handful of queries over its rollup rows."""
    board = Dashboard(period=period)
    in_period = Q(merchant=merchant, day__gte=period.date_from, day__lte=period.date_to)
    _health(board, MerchantDay.objects.filter(in_period))
    _mix(board, MerchantDayMix.objects.filter(in_period))
    days = TerminalDay.objects.filter(in_period)
    _heatmap(board, days)
    _terminals(board, days)
    counts = (
        Alert.objects.for_merchant(merchant)
        .unresolved()
        .aggregate(open=Count("pk"), missing=Count("pk", filter=MISSING_REPORTS))
    )
    board.open_alerts, board.missing = counts["open"], counts["missing"]
    board.active_holds = Hold.objects.of_merchant(merchant.pk).active().count()
    return board


def _health(board: Dashboard, days: QuerySet[MerchantDay]) -> None:
    totals = days.aggregate(
        reports=Coalesce(Sum("reports"), 0),
        late=Coalesce(Sum("late"), 0),
        card_sales=Coalesce(Sum("card_sales"), 0),
        repeat_sales=Coalesce(Sum("repeat_sales"), 0),
    )
    board.reports, board.late = totals["reports"], totals["late"]
    board.card_sales, board.repeat_sales = totals["card_sales"], totals["repeat_sales"]


def _mix(board: Dashboard, rows: QuerySet[MerchantDayMix]) -> None:
    """Sales by method, every report by type, and the sales of each day: one grouped query."""
    methods = {code: Slice(code, str(label)) for code, label in PaymentMethod.choices}
    types = {code: Slice(code, str(label)) for code, label in ReportType.choices}
    daily: dict[date, list] = {day: [0, Decimal("0.00")] for day in board.period.each_day()}
    for day, method, type_, n, amount in (
        rows.order_by()
        .values_list("day", "method", "type")
        .annotate(n=Sum("reports"), amount=Sum("amount"))
    ):
        amount = _money(amount)
        slot = types.setdefault(type_, Slice(type_, type_))
        slot.count += n
        slot.amount += amount
        if type_ == ReportType.SALE:
            sale = methods.setdefault(method, Slice(method, method))
            sale.count += n
            sale.amount += amount
            daily[day][0] += n
            daily[day][1] += amount
    board.methods = [s for s in methods.values() if s.count]
    board.types = [s for s in types.values() if s.count]
    board.sales = sum(s.count for s in board.methods)
    board.volume = _money(sum((s.amount for s in board.methods), Decimal(0)))
    board.daily = [(day, n, amount) for day, (n, amount) in sorted(daily.items())]


def _heatmap(board: Dashboard, days: QuerySet[TerminalDay]) -> None:
    """Reports by weekday and hour: the period's days summed per weekday (a row per day)."""
    grid = [[0] * 24 for _ in range(7)]
    per_day = days.order_by().values_list("day").annotate(*(Sum(name) for name in HOUR_FIELDS))
    for day, *hours in per_day:
        row = grid[day.weekday()]
        for hour, n in enumerate(hours):
            row[hour] += n
    board.heatmap = grid


def _terminals(board: Dashboard, days: QuerySet[TerminalDay]) -> None:
    rows = (
        days.order_by()
        .values("terminal_id", "terminal__tid", "terminal__serial_number")
        .annotate(reports=Sum("reports"), sales=Sum("sales"), amount=Sum("sales_amount"))
        .order_by("-amount", "-reports", "terminal_id")[:TOP_TERMINALS]
    )
    board.terminals = [
        TerminalFigures(
            terminal_id=r["terminal_id"],
            tid=r["terminal__tid"] or "",
            serial_number=r["terminal__serial_number"],
            reports=r["reports"],
            sales=r["sales"],
            amount=_money(r["amount"]),
        )
        for r in rows
    ]


def _money(value: Decimal | None) -> Decimal:
    # SQLite sums decimals without their scale (Decimal("100") for 100.00): shown as stored.
    return (value or Decimal(0)).quantize(CENT)
