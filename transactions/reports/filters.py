"""The merchant's report list filters: the form that reads the query string, and the queryset it selects.

The list page and both exports read the same GET parameters through ``ReportFilterForm``, so a
download is always exactly the list on screen. Every filter is scoped to the merchant first, and the
terminal choices are the merchant's own terminals only (another merchant's id is a form error).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import (
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Right
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant, Terminal
from portal.common.beijing import day_bounds
from transactions.models import (
    Alert,
    Outcome,
    PaymentMethod,
    ReconciliationItem,
    Report,
    ReportAmendment,
    ReportType,
    SettlementLineOutcome,
    TerminalDay,
)
from transactions.reports.selectors import held_ids

# Sort key → (the column, descending?). The pk breaks ties so that keyset pages are exact.
SORTS: dict[str, tuple[str, bool]] = {
    "time_desc": ("occurred_at", True),
    "time_asc": ("occurred_at", False),
    "amount_desc": ("amount", True),
    "amount_asc": ("amount", False),
}
DEFAULT_SORT = "time_desc"

SORT_CHOICES = [
    ("time_desc", _("Newest first")),
    ("time_asc", _("Oldest first")),
    ("amount_desc", _("Largest amount first")),
    ("amount_asc", _("Smallest amount first")),
]

STATUS_CHOICES = [
    ("", _("Any")),
    ("under_review", _("Under review (open alert)")),
    ("amended", _("Corrected")),
    ("amount_mismatch", _("Amount differs from settlement")),
    ("not_settled", _("Reported but not settled")),
]

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)

HELD_CHOICES = [("", _("Any")), ("yes", _("Held")), ("no", _("Not held"))]

# The shape of the search text says what it is: a card's last 4 digits, a 6-digit trace number,
# or else an RRN (up to 12 letters and digits, usually 12 digits).
LAST4 = re.compile(r"^\d{4}$")
TRACE = re.compile(r"^\d{6}$")
RRN = re.compile(r"^[0-9A-Za-z]{1,12}$")
# What a cardholder or the merchant's own system quotes of an RRN: its last 4 or 6 digits. Its own
# field, since 4 and 6 digits in the search box already mean a card's last 4 and a trace number.
RRN_END = re.compile(r"^([0-9]{4}|[0-9]{6})$")


def search_kind(q: str) -> str:
    """ "last4", "trace" or "rrn" for a valid search text, "" when it is none of them."""
    if LAST4.match(q):
        return "last4"
    if TRACE.match(q):
        return "trace"
    if RRN.match(q):
        return "rrn"
    return ""


def _choices(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class ReportFilterForm(forms.Form):
    """What the merchant asked to see; every field optional, bad input is a form error."""

    date_from = forms.DateField(
        label=_("From (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Beijing time."),
    )
    date_to = forms.DateField(
        label=_("To (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Included."),
    )
    terminal = forms.ModelChoiceField(
        label=_("Terminal"), queryset=Terminal.objects.none(), required=False, empty_label=_("Any")
    )
    method = forms.ChoiceField(
        label=_("Payment method"), choices=_choices(PaymentMethod.choices), required=False
    )
    type = forms.ChoiceField(label=_("Type"), choices=_choices(ReportType.choices), required=False)
    amount_min = forms.DecimalField(
        label=_("Amount from (CNY)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    amount_max = forms.DecimalField(
        label=_("Amount to (CNY)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    held = forms.ChoiceField(label=_("On hold"), choices=HELD_CHOICES, required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        strip=True,
        help_text=_("RRN, 6-digit trace number, or the card's last 4 digits."),
    )
    rrn_end = forms.CharField(
        label=_("RRN ends with"),
        required=False,
        max_length=12,
        strip=True,
        help_text=_("The last 4 or 6 digits of the RRN."),
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)
    archived = forms.BooleanField(
        label=_("Include archived months"),
        required=False,
        help_text=_(
            "Also search months moved to the archive (older than the last two years or so). "
            "Slower: the archive files are read for each search."
        ),
    )

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["terminal"].queryset = Terminal.objects.for_merchant(merchant).order_by("tid")
        self.fields["terminal"].label_from_instance = _terminal_label

    def _clean_day(self, name: str) -> date | None:
        day = self.cleaned_data[name]
        # Far-off dates cannot be turned into times (year 1 in Beijing is before year 1 in UTC).
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            )
        return day

    def clean_date_from(self) -> date | None:
        return self._clean_day("date_from")

    def clean_date_to(self) -> date | None:
        return self._clean_day("date_to")

    def clean_q(self) -> str:
        q = self.cleaned_data["q"]
        if q and not search_kind(q):
            raise forms.ValidationError(
                _("Search by RRN, a 6-digit trace number or the card's last 4 digits.")
            )
        return q

    def clean_rrn_end(self) -> str:
        # Full-width digits (a Chinese input method's) are the same digits; other scripts' are not.
        end = unicodedata.normalize("NFKC", self.cleaned_data["rrn_end"])
        if end and not RRN_END.match(end):
            raise forms.ValidationError(_("Enter the last 4 or 6 digits of the RRN."))
        return end

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The maximum is below the minimum."))
        return data


def _terminal_label(terminal: Terminal) -> str:
    return f"{terminal.tid or '—'} ({terminal.serial_number})"


@dataclass(frozen=True)
class ReportFilters:
    """The cleaned filters; ``ReportFilters()`` is "everything, newest first"."""

    date_from: date | None = None
    date_to: date | None = None
    terminal: Terminal | None = None
    method: str = ""
    type: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    status: str = ""
    held: str = ""
    q: str = ""
    rrn_end: str = ""
    sort: str = DEFAULT_SORT
    archived: bool = False

    @classmethod
    def from_form(cls, form: ReportFilterForm) -> ReportFilters:
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        return cls(**data)

    @property
    def only_days_and_terminal(self) -> bool:
        """True when the daily rollups can answer the count (no other filter narrows the days)."""
        return not any(
            (
                self.method,
                self.type,
                self.amount_min is not None,
                self.amount_max is not None,
                self.status,
                self.held,
                self.q,
                self.rrn_end,
            )
        )


def _held_q(merchant: Merchant) -> Q:
    """Reports held now, themselves or through their terminal.

    Active holds are few, so their ids are read first and the list filter gets literal id lists:
    PostgreSQL then answers "held" from the primary key and (terminal, time) indexes instead of
    testing an EXISTS on every one of a million rows.
    """
    report_ids, terminal_ids = held_ids(merchant)
    return Q(pk__in=report_ids) | Q(terminal_id__in=terminal_ids)


def _status_q(merchant: Merchant, status: str) -> Q:
    if status == "under_review":
        alerts = Alert.objects.for_merchant(merchant).unresolved()
        return Q(pk__in=alerts.values("reports"))
    if status == "amended":
        return Q(pk__in=ReportAmendment.objects.filter(report__merchant=merchant).values("report"))
    items = ReconciliationItem.objects.filter(merchant=merchant)
    if status == "amount_mismatch":
        return Q(pk__in=items.filter(kind=Outcome.AMOUNT_MISMATCH).values("report"))
    if status == "not_settled":
        # A later file may have settled it since the run that missed it: an anti-join on the
        # outcomes' report index, row by row (NOT IN over every settled line would read them all).
        settled = SettlementLineOutcome.objects.filter(report_id=OuterRef("pk"))
        return Q(pk__in=items.filter(kind=Outcome.REPORTED_NOT_SETTLED).values("report")) & ~Q(
            Exists(settled)
        )
    return Q()


def _search_q(q: str) -> Q:
    kind = search_kind(q)
    if kind == "last4":
        # Written as the report_merchant_last4 index is (RIGHT(masked_pan, 4) on card reports),
        # so that PostgreSQL probes it; LIKE '%1234' could only scan.
        return Q(Exact(Right("masked_pan", 4), q)) & ~Q(masked_pan="")
    if kind == "trace":
        return Q(trace_no=q)
    return Q(rrn=q)


def _rrn_end_q(end: str) -> Q:
    """Reports whose RRN ends with ``end`` (4 or 6 digits), through report_merchant_rrn4.

    One index serves both lengths: (merchant, RIGHT(rrn, 4)) is probed with the last 4 digits,
    which leave ~1 in 10,000 of the merchant's reports (about 100 of a million), and a 6-digit
    end is checked on those few rows. ``rrn LIKE '%1234'`` could only scan the merchant's reports,
    and a second index for 6 digits would cost every ingest a third write for no real gain.
    """
    matches = Q(Exact(Right("rrn", 4), end[-4:]))
    if len(end) > 4:
        matches &= Q(Exact(Right("rrn", len(end)), end))
    return matches


def reports_filtered(*, merchant: Merchant, filters: ReportFilters) -> QuerySet[Report]:
    """The merchant's reports that pass ``filters``, in the chosen order (ties broken by pk)."""
    reports = Report.objects.for_merchant(merchant)
    f = filters
    if f.date_from:
        reports = reports.filter(occurred_at__gte=day_bounds(f.date_from)[0])
    if f.date_to:
        reports = reports.filter(occurred_at__lt=day_bounds(f.date_to)[1])
    if f.terminal is not None:
        reports = reports.filter(terminal=f.terminal)
    if f.method:
        reports = reports.filter(method=f.method)
    if f.type:
        reports = reports.filter(type=f.type)
    if f.amount_min is not None:
        reports = reports.filter(amount__gte=f.amount_min)
    if f.amount_max is not None:
        reports = reports.filter(amount__lte=f.amount_max)
    if f.status:
        reports = reports.filter(_status_q(merchant, f.status))
    if f.held == "yes":
        reports = reports.filter(_held_q(merchant))
    elif f.held == "no":
        reports = reports.exclude(_held_q(merchant))
    if f.q:
        reports = reports.filter(_search_q(f.q))
    if f.rrn_end:
        reports = reports.filter(_rrn_end_q(f.rrn_end))
    column, descending = SORTS[f.sort]
    if f.q or f.rrn_end:
        return reports.order_by(*_search_order(column, descending))
    prefix = "-" if descending else ""
    return reports.order_by(f"{prefix}{column}", f"{prefix}pk")


def _search_order(column: str, descending: bool) -> list[OrderBy]:
    """The same order, written so that no index can produce it.

    A search matches a handful of a merchant's reports, but PostgreSQL estimates "some hundreds"
    and, with LIMIT 51, prefers to walk the (merchant, time) index in order, testing every row
    until 51 match: 0.4 s over a million reports when they are rare or absent. Ordering by
    ``column + 0`` leaves it only the plan that fits: find the matches by the search index, then
    sort those few (bench/README.md, "Report list").
    """
    zero = Value(timedelta(0)) if column == "occurred_at" else Value(Decimal(0))
    field = DateTimeField() if column == "occurred_at" else DecimalField()
    key = ExpressionWrapper(F(column) + zero, output_field=field)
    if descending:
        return [key.desc(), F("pk").desc()]
    return [key.asc(), F("pk").asc()]


def rollup_total(*, merchant: Merchant, filters: ReportFilters) -> int | None:
    """How many reports the filters select, from the daily rollups; None when they cannot tell.

    Counting a million rows on every page is what keyset pagination avoids; the rollups hold one
    row per terminal and day, so the count is cheap while the filters are days and terminal only.
    """
    if not filters.only_days_and_terminal:
        return None
    days = TerminalDay.objects.filter(merchant=merchant)
    if filters.date_from:
        days = days.filter(day__gte=filters.date_from)
    if filters.date_to:
        days = days.filter(day__lte=filters.date_to)
    if filters.terminal is not None:
        days = days.filter(terminal=filters.terminal)
    return days.aggregate(reports=Sum("reports"))["reports"] or 0
