"""Compiling a rule document: once to one set-based SQL query, once to the same logic in Python.

Nothing is ever evaluated as code: the document is checked against the schema, then each
condition becomes a *leaf* (a left-hand side, an operator and an operand) that knows its SQL
expression (``fields.py`` for report fields, a correlated subquery for window aggregates) and its
Python reading. ``all`` / ``any`` / ``not`` become ``Q`` objects and Python ``and`` / ``or`` /
``not``. Every leaf is two-valued on both sides (a field that can be missing, the distance, makes
its leaf false, never NULL), so ``not`` means the same in SQL and in Python.

A window aggregate of a report counts the reports of the same merchant (and card or terminal,
per ``per``) that occurred in ``[occurred_at - window, occurred_at]``, the report itself
included. "Per card" follows the card token at the merchant: a report without a token has no card
to follow, its card aggregates are 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Mod, TruncDate
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
)
from django.utils.translation import gettext as _

from portal.common.beijing import SHANGHAI, day_bounds
from transactions.models import ListKind, Report, RuleList, RuleListEntry
from transactions.rules.fields import FIELDS, Field, Row, bad_value, parse_money
from transactions.rules.schema import MAX_WINDOW_DAYS, FieldError, child, validate

UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
NEGATED = {"ne": "eq", "not_in": "in", "not_in_list": "in_list"}
LOOKUPS: dict[str, type] = {
    "eq": Exact,
    "lt": LessThan,
    "lte": LessThanOrEqual,
    "gt": GreaterThan,
    "gte": GreaterThanOrEqual,
    "in": In,
    "in_list": In,
}
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "in_list": lambda a, b: a in b,
    "multiple_of": lambda a, b: a % b == 0,
}
MONEY = DecimalField(max_digits=14, decimal_places=2)
# The outer report's Beijing date, for calendar-day windows (TruncDate cannot take an OuterRef).
DAY_ALIAS = "rule_local_day"
DEFAULTS = {"scope": {"type": "all"}, "group_by": "merchant_day"}


class CompileError(Exception):
    """The document cannot become a rule; ``errors`` say where and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Aggregate:
    fn: str  # count, sum, distinct_cards, distinct_terminals
    per: str  # card, terminal, merchant
    seconds: int  # 0: the report's Beijing calendar day
    where: Node | None

    @property
    def window(self) -> timedelta:
        """How far back it reads (a calendar day: up to a day before, and a day after)."""
        return timedelta(seconds=self.seconds or 86400)

    def reports(self, ref: Callable[[str], Any], start: Any, end: Any) -> QuerySet[Report]:
        """The window's reports for the report ``ref`` reads (``OuterRef`` in SQL, values in
        Python): one function for both, so the two count the same rows."""
        qs = Report.objects.order_by().filter(
            merchant_id=ref("merchant_id"), occurred_at__gte=start, occurred_at__lte=end
        )
        if self.per == "card":
            qs = qs.filter(card_token=ref("card_token")).exclude(card_token="")
        elif self.per == "terminal":
            qs = qs.filter(terminal_id=ref("terminal_id"))
        if self.where is not None:
            qs = qs.filter(self.where.q(values={}))
        return qs

    def measure(self) -> Any:
        if self.fn == "sum":
            return Sum("amount")
        if self.fn == "distinct_cards":
            return Count("card_token", distinct=True, filter=~Q(card_token=""))
        if self.fn == "distinct_terminals":
            return Count("terminal_id", distinct=True)
        return Count("pk")

    def sql(self) -> Expression:
        moment = OuterRef("occurred_at")
        if self.seconds:
            inner = self.reports(OuterRef, moment - Value(self.window), moment)
        else:
            # The same Beijing date, within a day either side (bounds an index can use).
            day = Value(timedelta(days=1))
            inner = (
                self.reports(OuterRef, moment - day, moment + day)
                .annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
                .filter(day=OuterRef(DAY_ALIAS))
            )
        inner = inner.values("merchant_id").annotate(v=self.measure()).values("v")
        output = MONEY if self.fn == "sum" else IntegerField()
        zero = Value(Decimal("0.00") if self.fn == "sum" else 0, output_field=output)
        return Coalesce(Subquery(inner, output_field=output), zero, output_field=output)

    def read(self, row: Row) -> Any:
        moment: datetime = row["occurred_at"]
        if self.seconds:
            reports = self.reports(row.__getitem__, moment - self.window, moment)
        else:
            start, end = day_bounds(moment.astimezone(SHANGHAI).date())
            reports = self.reports(row.__getitem__, start, end).exclude(occurred_at=end)
        value = reports.aggregate(v=self.measure())["v"]
        if self.fn == "sum":
            return (value or Decimal("0")).quantize(Decimal("0.01"))
        return value or 0


@dataclass
class Leaf:
    """One condition: ``lhs op operand``, readable in SQL and in Python."""

    index: int
    path: str
    op: str  # as written (ne, not_in… included)
    operand: Any  # parsed: Decimal, int, str, frozenset, or a list id
    field: Field | None = None
    aggregate: Aggregate | None = None
    list_code: str = ""
    nullable: bool = False
    _list_values: frozenset[str] | None = None

    @property
    def positive(self) -> str:
        return NEGATED.get(self.op, self.op)

    def lhs_sql(self) -> Expression:
        if self.aggregate is not None:
            return self.aggregate.sql()
        assert self.field is not None
        return self.field.sql()

    def read(self, row: Row) -> Any:
        if self.aggregate is not None:
            return self.aggregate.read(row)
        assert self.field is not None
        return self.field.read(row)

    def q(self, lhs: Expression) -> Q:
        op = self.positive
        if op == "multiple_of":
            core = Q(Exact(Mod(lhs, Value(self.operand)), 0))
        elif op == "in_list":
            entries = RuleListEntry.objects.filter(rule_list_id=self.operand).values("value")
            core = Q(In(lhs, entries))
        elif op == "in":
            core = Q(In(lhs, sorted(self.operand)))
        else:
            core = Q(LOOKUPS[op](lhs, self.operand))
        if op != self.op:
            core = ~core
        if self.nullable:
            core &= Q(IsNull(lhs, False))
        return core

    def met(self, value: Any) -> bool:
        if value is None:
            return False
        operand = self.list_values() if self.positive == "in_list" else self.operand
        result = COMPARE[self.positive](value, operand)
        return not result if self.positive != self.op else result

    def list_values(self) -> frozenset[str]:
        if self._list_values is None:
            self._list_values = frozenset(
                RuleListEntry.objects.filter(rule_list_id=self.operand).values_list(
                    "value", flat=True
                )
            )
        return self._list_values

    def describe(self, value: Any) -> dict[str, Any]:
        """Language-neutral, for the alert's explain data."""
        what: dict[str, Any]
        if self.aggregate is not None:
            agg = self.aggregate
            what = {"aggregate": agg.fn, "per": agg.per, "seconds": agg.seconds}
        else:
            assert self.field is not None
            what = {"field": self.field.name}
        operand = self.list_code or self.operand
        if isinstance(operand, frozenset):
            operand = sorted(operand)
        return what | {
            "path": self.path,
            "op": self.op,
            "operand": operand if isinstance(operand, list) else str(operand),
            "value": None if value is None else str(value),
            "met": self.met(value),
        }


@dataclass
class Node:
    """``all`` / ``any`` of children, ``not`` of one, or a leaf."""

    kind: str  # all, any, not, leaf
    children: list[Node] = field(default_factory=list)
    leaf: Leaf | None = None

    def q(self, values: Mapping[int, Expression]) -> Q:
        """The condition; a leaf reads its left-hand side from ``values`` (annotations) if there."""
        if self.kind == "leaf":
            assert self.leaf is not None
            lhs = values.get(self.leaf.index)
            return self.leaf.q(lhs if lhs is not None else self.leaf.lhs_sql())
        if self.kind == "not":
            return ~self.children[0].q(values)
        parts = [c.q(values) for c in _cheap_first(self.children)]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part if self.kind == "all" else combined | part
        return combined

    def test(self, read: Callable[[Leaf], Any]) -> bool:
        if self.kind == "leaf":
            assert self.leaf is not None
            return self.leaf.met(read(self.leaf))
        if self.kind == "not":
            return not self.children[0].test(read)
        tests = (c.test(read) for c in _cheap_first(self.children))
        return all(tests) if self.kind == "all" else any(tests)

    def has_aggregate(self) -> bool:
        if self.kind == "leaf":
            return self.leaf is not None and self.leaf.aggregate is not None
        return any(c.has_aggregate() for c in self.children)


def _cheap_first(children: list[Node]) -> list[Node]:
    """Field conditions before window aggregates: an aggregate is a subquery (a query in
    Python), read only for the reports the cheap conditions let through."""
    return sorted(children, key=lambda c: c.has_aggregate())


@dataclass
class Compiled:
    """A rule ready to run: ``queryset`` for the audit and backtests, ``matches`` in real time."""

    document: dict[str, Any]
    root: Node
    leaves: list[Leaf]
    scope_q: Q
    scope_test: Callable[[Row], bool]

    @property
    def severity(self) -> str:
        return self.document["severity"]

    @property
    def action(self) -> str:
        return self.document["action"]

    @property
    def group_by(self) -> str:
        return self.document["group_by"]

    @property
    def lookback(self) -> timedelta:
        """The widest window: how far before a report the rule reads."""
        windows = [leaf.aggregate.window for leaf in self.leaves if leaf.aggregate is not None]
        return max(windows, default=timedelta(0))

    def queryset(self, reports: QuerySet[Report]) -> QuerySet[Report]:
        """``reports`` that match (one query), each with its leaves' values as ``v<index>``."""
        values = {leaf.index: F(f"v{leaf.index}") for leaf in self.leaves}
        return (
            reports.filter(self.scope_q)
            .alias(**{DAY_ALIAS: TruncDate("occurred_at", tzinfo=SHANGHAI)})
            .alias(**{f"v{leaf.index}": leaf.lhs_sql() for leaf in self.leaves})
            .filter(self.root.q(values))
            .annotate(**{f"x{leaf.index}": F(f"v{leaf.index}") for leaf in self.leaves})
        )

    def matches(self, row: Row) -> bool:
        """The same decision in Python, for one report read as ``fields.ROW_VALUES``."""
        if not self.scope_test(row):
            return False
        cache: dict[int, Any] = {}

        def read(leaf: Leaf) -> Any:
            if leaf.index not in cache:
                cache[leaf.index] = leaf.read(row)
            return cache[leaf.index]

        return self.root.test(read)

    def explain_row(self, row: Row) -> list[dict[str, Any]]:
        """Every condition's value for a report read in Python."""
        return [leaf.describe(leaf.read(row)) for leaf in self.leaves]

    def explain_values(self, values: Mapping[int, Any]) -> list[dict[str, Any]]:
        """Every condition's value from the query's ``x<index>`` columns."""
        return [leaf.describe(values.get(leaf.index)) for leaf in self.leaves]


def compile_document(document: Any) -> Compiled:
    """Check ``document`` and compile it; raises :class:`CompileError` with every field error."""
    errors = [_clearer(e) for e in validate(document)]
    if errors:
        raise CompileError(errors)
    document = DEFAULTS | dict(document)
    builder = _Builder()
    root = builder.node(document["when"], "$.when", in_where=False)
    scope_q, scope_test = builder.scope(document["scope"], "$.scope")
    if builder.errors:
        raise CompileError(builder.errors)
    return Compiled(document, root, builder.leaves, scope_q, scope_test)


def _clearer(error: FieldError) -> FieldError:
    if error.path.endswith(".window") and error.message == str(_("This field is required.")):
        return FieldError(
            error.path,
            _("An aggregate needs a time window: the last N minutes, hours or days."),
        )
    return error


class _Builder:
    def __init__(self) -> None:
        self.leaves: list[Leaf] = []
        self.errors: list[FieldError] = []
        self._lists: dict[str, RuleList | None] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def node(self, raw: dict[str, Any], path: str, *, in_where: bool) -> Node:
        for kind in ("all", "any"):
            if kind in raw:
                children = [
                    self.node(item, child(child(path, kind), i), in_where=in_where)
                    for i, item in enumerate(raw[kind])
                ]
                return Node(kind, children)
        if "not" in raw:
            return Node("not", [self.node(raw["not"], child(path, "not"), in_where=in_where)])
        if "aggregate" in raw:
            if in_where:
                self.error(path, _("An aggregate cannot filter another aggregate's reports."))
            return Node("leaf", leaf=self.aggregate(raw, path))
        return Node("leaf", leaf=self.field(raw, path))

    def _leaf(self, path: str, op: str, operand: Any, **kwargs: Any) -> Leaf:
        leaf = Leaf(len(self.leaves), path, op, operand, **kwargs)
        self.leaves.append(leaf)
        return leaf

    def field(self, raw: dict[str, Any], path: str) -> Leaf:
        name, op = raw["field"], raw["op"]
        spec = FIELDS.get(name)
        if spec is None:
            self.error(child(path, "field"), _("Unknown field “%(name)s”.") % {"name": name})
            return self._leaf(path, op, None)
        if op not in spec.ops:
            self.error(
                child(path, "op"),
                _("%(field)s cannot be compared with “%(op)s”.") % {"field": spec.label, "op": op},
            )
            return self._leaf(path, op, None, field=spec)
        if op in ("in_list", "not_in_list"):
            return self._list_leaf(raw, path, spec, op)
        if "list" in raw:
            self.error(child(path, "list"), _("Only in_list and not_in_list take a list."))
        operand = self._operand(raw, path, spec, op)
        return self._leaf(path, op, operand, field=spec, nullable=spec.nullable)

    def _operand(self, raw: dict[str, Any], path: str, spec: Field, op: str) -> Any:
        if "value" not in raw:
            self.error(child(path, "value"), _("This field is required."))
            return None
        value = raw["value"]
        if op in ("in", "not_in"):
            if not isinstance(value, list):
                self.error(child(path, "value"), _("Give a list of values."))
                return None
            parsed = [spec.parse(item) for item in value]
            for i, item in enumerate(parsed):
                if item is None:
                    self.error(child(child(path, "value"), i), bad_value(spec))
            return frozenset(parsed)
        if isinstance(value, list):
            self.error(child(path, "value"), _("Give one value, not a list."))
            return None
        parsed = spec.parse(value)
        if parsed is None or (op == "multiple_of" and not parsed):
            self.error(child(path, "value"), bad_value(spec))
        return parsed

    def _list_leaf(self, raw: dict[str, Any], path: str, spec: Field, op: str) -> Leaf:
        code = raw.get("list")
        if "value" in raw:
            self.error(child(path, "value"), _("A list condition takes a list, not a value."))
        if not code:
            self.error(child(path, "list"), _("This field is required."))
            return self._leaf(path, op, None, field=spec)
        found = self._list(code, path, spec.list_kind)
        return self._leaf(
            path, op, found.pk if found else None, field=spec, list_code=code, nullable=False
        )

    def _list(self, code: str, path: str, kind: str | None) -> RuleList | None:
        if code not in self._lists:
            self._lists[code] = RuleList.objects.filter(code=code).first()
        found = self._lists[code]
        if found is None:
            self.error(child(path, "list"), _("There is no list “%(code)s”.") % {"code": code})
        elif found.kind != kind:
            self.error(
                child(path, "list"),
                _("The list “%(code)s” holds %(kind)s, not this field's values.")
                % {"code": code, "kind": found.get_kind_display()},
            )
        return found

    def aggregate(self, raw: dict[str, Any], path: str) -> Leaf:
        fn, per, window = raw["aggregate"], raw["per"], raw["window"]
        seconds = window["last"] * UNITS[window["unit"]] if "last" in window else 0
        if seconds > MAX_WINDOW_DAYS * 86400:
            self.error(
                child(path, "window"),
                _("A window reaches back %(days)s days at most.") % {"days": MAX_WINDOW_DAYS},
            )
        if (fn, per) in {("distinct_cards", "card"), ("distinct_terminals", "terminal")}:
            self.error(child(path, "per"), _("This count is always 1: choose another “per”."))
        where = None
        if "where" in raw:
            where = self.node(raw["where"], child(path, "where"), in_where=True)
            # The where's leaves filter the window; they are no conditions of their own.
            self.leaves = [leaf for leaf in self.leaves if not leaf.path.startswith(path + ".")]
        value = raw["value"]
        if fn == "sum":
            operand: Any = parse_money(value)
        else:
            operand = value if isinstance(value, int) and not isinstance(value, bool) else None
            operand = operand if operand is None or operand >= 0 else None
        if operand is None:
            self.error(
                child(path, "value"),
                _("Give an amount in yuan.") if fn == "sum" else _("Give a whole number."),
            )
        agg = Aggregate(fn, per, seconds, where)
        return self._leaf(path, raw["op"], operand, aggregate=agg)

    def scope(self, raw: dict[str, Any], path: str) -> tuple[Q, Callable[[Row], bool]]:
        kind = raw["type"]
        if kind == "mcc_group":
            mccs = frozenset(raw["mccs"])
            return Q(merchant__mcc__in=sorted(mccs)), lambda row: row["merchant_mcc"] in mccs
        if kind == "merchants":
            mids = frozenset(raw["mids"])
            return Q(merchant__mid__in=sorted(mids)), lambda row: row["merchant_mid"] in mids
        if kind == "merchant_list":
            found = self._list(raw["list"], path, ListKind.MID)
            list_id = found.pk if found else None
            entries = RuleListEntry.objects.filter(rule_list_id=list_id).values("value")
            values: list[frozenset[str]] = []

            def in_list(row: Row) -> bool:
                if not values:
                    values.append(frozenset(entries.values_list("value", flat=True)))
                return row["merchant_mid"] in values[0]

            return Q(merchant__mid__in=entries), in_list
        return Q(), lambda row: True
