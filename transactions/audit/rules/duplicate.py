"""Duplicates: the same card, amount and terminal again within seconds."""

from datetime import timedelta

from django.db.models import F, Q, Window
from django.db.models.functions import Lag

from ...models import Report
from ..base import Context, Finding, RuleSpec


def find(ctx: Context) -> list[Finding]:
    seconds = int(ctx.params["seconds"])
    carded = ~Q(card_token="") | ~Q(masked_pan="")
    terminals = ctx.reports().filter(carded).values("terminal_id").distinct()
    partition = [F("terminal_id"), F("card_token"), F("masked_pan"), F("amount")]
    # id breaks ties: duplicates often share the second, and the pair must come out the same
    # way on every run, or a re-run would raise the same duplicate under another key.
    order = [F("occurred_at").asc(), F("id").asc()]
    rows = (
        Report.objects.order_by()  # no sort of every row by the model's default ordering
        .filter(carded, type="sale", terminal_id__in=terminals)
        .filter(
            received_at__gt=ctx.window_start - timedelta(days=1), received_at__lte=ctx.window_end
        )
        .annotate(
            prev_at=Window(Lag("occurred_at"), partition_by=partition, order_by=order),
            prev_id=Window(Lag("id"), partition_by=partition, order_by=order),
        )
        .filter(prev_at__isnull=False)
        .values(
            "id",
            "prev_id",
            "merchant_id",
            "terminal_id",
            "amount",
            "occurred_at",
            "prev_at",
            "masked_pan",
        )
    )
    findings = []
    for row in rows:
        gap = row["occurred_at"] - row["prev_at"]
        if gap > timedelta(seconds=seconds):
            continue
        findings.append(
            Finding(
                key=f"{row['terminal_id']}:{row['id']}",
                merchant_id=row["merchant_id"],
                terminal_id=row["terminal_id"],
                report_ids=[row["prev_id"], row["id"]],
                explanation=(
                    f"The same card {row['masked_pan'] or ''} was charged ¥{row['amount']:,.2f} twice "
                    f"on one terminal {gap.total_seconds():.0f} s apart (limit {seconds} s)."
                ),
            )
        )
    return findings


RULE = RuleSpec(
    code="duplicate",
    name="Duplicate transaction",
    description="Same card, amount and terminal within a few seconds.",
    severity="medium",
    defaults={"seconds": 60},
    find=find,
)
