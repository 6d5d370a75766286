"""Duplicates: the same card, amount and terminal again within seconds."""

from datetime import timedelta

from django.db.models import F, Max, Min, Q, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec, money
from transactions.models import Report


def find(ctx: Context) -> list[Finding]:
    seconds = int(ctx.params["seconds"])
    carded = ~Q(card_token="") | ~Q(masked_pan="")
    fresh = ctx.reports().order_by().filter(carded, type="sale")
    # Looked back by when the new sales happened, not when they arrived: a duplicate uploaded
    # days after its twin is compared with it all the same, whichever run saw the twin.
    span = fresh.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    if span["first"] is None:
        return []
    reach = timedelta(seconds=seconds)
    partition = [F("terminal_id"), F("card_token"), F("masked_pan"), F("amount")]
    # id breaks ties: duplicates often share the second, and the pair must come out the same
    # way on every run, or a re-run would raise the same duplicate under another key.
    order = [F("occurred_at").asc(), F("id").asc()]
    rows = (
        Report.objects.order_by()  # no sort of every row by the model's default ordering
        .filter(carded, type="sale", terminal_id__in=fresh.values("terminal_id").distinct())
        .filter(
            occurred_at__gte=span["first"] - reach,
            occurred_at__lte=span["last"] + reach,
            received_at__lte=ctx.window_end,
        )
        .annotate(
            prev_at=Window(Lag("occurred_at"), partition_by=partition, order_by=order),
            prev_id=Window(Lag("id"), partition_by=partition, order_by=order),
            prev_received=Window(Lag("received_at"), partition_by=partition, order_by=order),
        )
        .filter(prev_at__gte=F("occurred_at") - reach)
        .values(
            "id",
            "prev_id",
            "merchant_id",
            "terminal_id",
            "amount",
            "occurred_at",
            "prev_at",
            "masked_pan",
            "received_at",
            "prev_received",
        )
    )
    findings = []
    for row in rows:
        # Pairs of two reports seen by earlier runs were raised (or not) by those runs.
        if max(row["received_at"], row["prev_received"]) <= ctx.window_start:
            continue
        gap = row["occurred_at"] - row["prev_at"]
        findings.append(
            Finding(
                key=f"{row['terminal_id']}:{row['id']}",
                merchant_id=row["merchant_id"],
                terminal_id=row["terminal_id"],
                report_ids=[row["prev_id"], row["id"]],
                message=gettext_noop(
                    "The same card %(card)s was charged %(amount)s twice "
                    "on one terminal %(gap)s s apart (limit %(limit)s s)."
                ),
                params={
                    "card": row["masked_pan"] or "",
                    "amount": money(row["amount"]),
                    "gap": f"{gap.total_seconds():.0f}",
                    "limit": str(seconds),
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="duplicate",
    name=gettext_noop("Duplicate transaction"),
    description="Same card, amount and terminal within a few seconds.",
    severity="medium",
    defaults={"seconds": 60},
    find=find,
    heavy=True,
)
