"""The rows of a report export: the filtered list, read in chunks, as a spreadsheet shows it.

Only the masked card number leaves the database (the model stores no other), and every text
cell passes through ``exports.safe_cell`` on its way out (formula injection).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from transactions.models import Cvm, PaymentMethod, Report, ReportType, Source
from transactions.reports.selectors import held_ids

CHUNK = 2000
FIELDS = (
    "pk",
    "occurred_at",
    "tid",
    "terminal__serial_number",
    "type",
    "method",
    "amount",
    "currency",
    "masked_pan",
    "rrn",
    "trace_no",
    "batch_no",
    "auth_code",
    "cvm",
    "source",
    "terminal_id",
    "report_id",
)


def report_export_header() -> list[str]:
    """Column titles in the reader's language (read before streaming starts)."""
    return [
        _("Id"),
        _("Time (Beijing)"),
        "TID",
        _("Terminal serial number"),
        _("Type"),
        _("Payment method"),
        _("Amount"),
        _("Currency"),
        _("Card (masked)"),
        "RRN",
        _("Trace number"),
        _("Batch number"),
        _("Authorisation code"),
        _("Cardholder verification"),
        _("Source"),
        _("Held"),
        _("Report id"),
    ]


def report_export_rows(
    reports: QuerySet[Report], *, merchant: Merchant, time_as_text: bool
) -> Iterator[list[Any]]:
    """One list per report, in the queryset's order; a generator, so nothing is read until sent.

    Choice labels and the held sets are resolved once, up front, in the request's language: the
    body is produced after the view returns. Held is answered from the (few) active holds
    rather than an EXISTS per row.
    """
    labels: dict[str, str] = {
        str(value): str(label)
        for choices in (ReportType.choices, PaymentMethod.choices, Cvm.choices, Source.choices)
        for value, label in choices
    }
    yes, no = str(_("Yes")), str(_("No"))
    held_reports, held_terminals = held_ids(merchant)
    return _rows(reports, labels, held_reports, held_terminals, yes, no, time_as_text)


def _rows(
    reports: QuerySet[Report],
    labels: dict[str, str],
    held_reports: set[int],
    held_terminals: set[int],
    yes: str,
    no: str,
    time_as_text: bool,
) -> Iterator[list[Any]]:
    rows = reports.values_list(*FIELDS).iterator(chunk_size=CHUNK)
    zone = timezone.get_current_timezone()  # once: localtime() looks it up on every call
    for (
        pk,
        occurred_at,
        tid,
        serial,
        type_,
        method,
        amount,
        currency,
        masked_pan,
        rrn,
        trace_no,
        batch_no,
        auth_code,
        cvm,
        source,
        terminal_id,
        report_id,
    ) in rows:
        local = occurred_at.astimezone(zone)
        held = pk in held_reports or terminal_id in held_terminals
        yield [
            pk,
            # Excel has no time zones: its cell gets the Beijing wall time, naive.
            local.strftime("%Y-%m-%d %H:%M:%S") if time_as_text else local.replace(tzinfo=None),
            tid,
            serial,
            labels.get(type_, type_),
            labels.get(method, method),
            amount,
            currency,
            masked_pan,
            rrn,
            trace_no,
            batch_no,
            auth_code,
            labels.get(cvm, cvm),
            labels.get(source, source),
            yes if held else no,
            str(report_id),
        ]
