"""Demo reconciliation: one acquirer's settlement file for ``shop-sh``, with planted differences.

The file is built in memory from the merchant's stored reports of one past day, uploaded by
``lead`` through the upload service and imported and reconciled in-process by the services the
Celery task calls, so the merchant's *Reconciliation* pages, the admin and the alert queue show
every kind of difference once: a report left out (reported but not settled), an amount 1.00 CNY
off (amount mismatch), a line for a transaction never reported (settled but not reported) and a
line sent twice (duplicate in file). The other merchants' sales of that day are in the file too,
all settled, as in an acquirer's real file (a merchant left out would be flagged as not in it).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from merchants.models import Merchant, Role
from portal.common.beijing import SHANGHAI, day_bounds
from transactions.models import Acquirer, ReconciliationRun, Report, SettlementFile
from transactions.reconciliation.mapping import EXAMPLE_MAPPING
from transactions.reconciliation.matching import SETTLED_TYPES
from transactions.reconciliation.services import settlement_file_create, settlement_file_process

DEMO_TRIGGER = "demo"
ACQUIRER_CODE = "ums-demo"
MAPPING = EXAMPLE_MAPPING
TYPE_WORDS = {"sale": "消费", "refund": "退货", "preauth_completion": "预授权完成"}
TOLERANCE = Decimal("0.10")
MISMATCH = Decimal("1.00")
# The transaction the acquirer settled and the merchant never reported: an RRN no terminal
# sends (ours are digits only), so no report can ever match it by RRN.
UNREPORTED_RRN = "UMSDEMO00001"
UNREPORTED_AMOUNT = Decimal("268.00")
MIN_REPORTS = 5  # a day with fewer cannot hold every planted difference beside matched lines
FEE_RATE = Decimal("0.0038")


def demo_acquirer() -> Acquirer:
    """The demo acquirer, with a mapping of Chinese headers as UnionPay Merchant Services sends."""
    acquirer, _created = Acquirer.objects.get_or_create(
        code=ACQUIRER_CODE,
        defaults={
            "name": "银联商务 UMS demo",
            "column_mapping": MAPPING,
            "type_values": {word: kind for kind, word in TYPE_WORDS.items()},
            "date_format": "%Y%m%d",
            "amount_tolerance": TOLERANCE,
            "time_window_seconds": 120,
        },
    )
    return acquirer


@transaction.atomic
def seed_reconciliation() -> ReconciliationRun | None:
    """Upload, import and reconcile the demo settlement file once; None when there is nothing to do.

    Nothing happens once the demo acquirer has a file, or before ``shop-sh`` has a past day with
    reports. All in one transaction: the upload's own task is queued on commit, when the file is
    already reconciled, so that task finds nothing left to do.
    """
    User = get_user_model()
    lead = User.objects.filter(username="lead").first()
    merchant = (
        Merchant.objects.approved()
        .filter(memberships__user__username="shop-sh", memberships__role=Role.OWNER)
        .order_by("pk")
        .first()
    )
    if lead is None or merchant is None or not merchant.mid:
        return None
    acquirer = demo_acquirer()
    if SettlementFile.objects.filter(acquirer=acquirer).exists():
        return None
    day = _settled_day(merchant)
    if day is None:
        return None
    content = _settlement_csv(merchant, day)
    upload = SimpleUploadedFile(
        f"UMS_{merchant.mid}_{day:%Y%m%d}.csv", content, content_type="text/csv"
    )
    settlement = settlement_file_create(acquirer=acquirer, upload=upload, actor=lead)
    return settlement_file_process(file_id=settlement.pk, trigger=DEMO_TRIGGER)


def _settled_day(merchant: Merchant) -> date | None:
    """The latest Beijing day before today with enough reports: a whole day, already settled."""
    today_start, _end = day_bounds(timezone.now().astimezone(SHANGHAI).date())
    busiest = (
        Report.objects.filter(
            merchant=merchant, type__in=SETTLED_TYPES, occurred_at__lt=today_start
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
        .values("day")
        .annotate(n=Count("pk"))
        .filter(n__gte=MIN_REPORTS)
        .order_by("-day")
        .first()
    )
    return busiest["day"] if busiest else None


def _settlement_csv(merchant: Merchant, day: date) -> bytes:
    """The acquirer's file for ``day``: every report settled, but for the planted differences."""
    start, end = day_bounds(day)
    reports = list(
        Report.objects.filter(
            merchant=merchant, type__in=SETTLED_TYPES, occurred_at__gte=start, occurred_at__lt=end
        ).order_by("occurred_at", "pk")
    )
    # The report left out must not be paired by the tolerant pass with the unreported line.
    missing = next(r for r in reports if abs(r.amount - UNREPORTED_AMOUNT) > TOLERANCE)
    sales = [r for r in reports if r is not missing and r.type == "sale"]
    mismatched, doubled = sales[0], sales[-1]
    settled = day + timedelta(days=1)
    rows = []
    for report in reports:
        if report is missing:
            continue
        extra = MISMATCH if report is mismatched else Decimal("0")
        rows.append(_row(report, settled, extra=extra))
        if report is doubled:
            rows.append(_row(report, settled))
    rows.append(_unreported_row(doubled, day, settled))
    # The acquirer's file covers every merchant it acquires: the others' sales of the day are in
    # it, all settled (a merchant left out would be flagged as not in the file).
    others = (
        Report.objects.filter(type__in=SETTLED_TYPES, occurred_at__gte=start, occurred_at__lt=end)
        .exclude(merchant=merchant)
        .exclude(merchant__mid=None)
        .select_related("merchant")
        .order_by("occurred_at", "pk")
    )
    rows.extend(_row(report, settled, mid=report.merchant.mid) for report in others)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MAPPING.values())
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _row(
    report: Report, settled: date, *, extra: Decimal = Decimal("0"), mid: str | None = None
) -> list[str]:
    amount = report.amount + extra
    sign = -1 if report.type == "refund" else 1
    return [
        f"{settled:%Y%m%d}",
        mid or report.acquirer_mid,
        report.tid,
        report.rrn,
        report.trace_no,
        report.batch_no,
        f"{sign * amount:.2f}",
        f"{sign * (amount * FEE_RATE).quantize(Decimal('0.01')):.2f}",
        report.masked_pan,
        report.occurred_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        TYPE_WORDS[report.type],
    ]


def _unreported_row(beside: Report, day: date, settled: date) -> list[str]:
    """A sale on ``beside``'s terminal that was never reported, with a trace no report uses."""
    used = set(
        Report.objects.filter(terminal_id=beside.terminal_id).values_list("trace_no", flat=True)
    )
    trace_no = next(f"{n:06d}" for n in range(900001, 999999) if f"{n:06d}" not in used)
    at = datetime.combine(day, time(15, 42, 7), tzinfo=SHANGHAI)
    return [
        f"{settled:%Y%m%d}",
        beside.acquirer_mid,
        beside.tid,
        UNREPORTED_RRN,
        trace_no,
        beside.batch_no,
        f"{UNREPORTED_AMOUNT:.2f}",
        f"{(UNREPORTED_AMOUNT * FEE_RATE).quantize(Decimal('0.01')):.2f}",
        "622848******7788",
        at.strftime("%Y-%m-%d %H:%M:%S"),
        TYPE_WORDS["sale"],
    ]
