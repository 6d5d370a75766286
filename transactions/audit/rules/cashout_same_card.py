"""Cash-out (套现): the same card many times at one merchant in one day."""

from datetime import timedelta

from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_noop

from portal.common.beijing import SHANGHAI
from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec, grouped
from transactions.audit.rules.days import local_midnight
from transactions.models import Report


def find(ctx: Context) -> list[Finding]:
    min_count = int(ctx.params["min_count"])
    touched = ctx.reports().exclude(card_token="").order_by()
    span = touched.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    if span["first"] is None:
        return []
    start = local_midnight(span["first"])
    end = local_midnight(span["last"]) + timedelta(days=1)
    day = TruncDate("occurred_at", tzinfo=SHANGHAI)
    in_days = ctx.scoped(
        Report.objects.exclude(card_token="").filter(occurred_at__gte=start, occurred_at__lt=end)
    )
    # Count in the database (GROUP BY ... HAVING); only the few heavy cards come back, and only
    # those the window's reports take part in. The cards of the window's reports only: as an
    # EXISTS, the planner reads the cards' reports through the (merchant, card, time) index
    # when the day holds many more reports than the window, and the day itself when it does not.
    fresh = Q(received_at__gt=ctx.window_start, received_at__lte=ctx.window_end)
    new_card = touched.filter(
        merchant_id=OuterRef("merchant_id"), card_token=OuterRef("card_token")
    )
    heavy = {
        (row["merchant_id"], row["card_token"], row["day"])
        for row in in_days.filter(Exists(new_card))
        .annotate(day=day)
        .values("merchant_id", "card_token", "day")
        .annotate(uses=Count("id"), new=Count("id", filter=fresh))
        .filter(uses__gte=min_count, new__gt=0)
    }
    if not heavy:
        return []
    rows = (
        in_days.filter(
            merchant_id__in={m for m, _, _ in heavy}, card_token__in={t for _, t, _ in heavy}
        )
        .annotate(day=day)
        .values("id", "merchant_id", "card_token", "day")
    )
    findings = []
    for (merchant_id, token, on), group in grouped(
        rows, lambda r: (r["merchant_id"], r["card_token"], r["day"])
    ).items():
        if (merchant_id, token, on) not in heavy:
            continue
        findings.append(
            Finding(
                key=f"{merchant_id}:{token}:{on}",
                merchant_id=merchant_id,
                report_ids=[r["id"] for r in group],
                message=gettext_noop(
                    "The same card (%(card)s) was used %(count)s times on %(day)s "
                    "(threshold %(threshold)s)."
                ),
                params={
                    "card": token,
                    "count": str(len(group)),
                    "day": str(on),
                    "threshold": str(min_count),
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="cashout_same_card",
    name=gettext_noop("Cash-out: same card repeatedly (套现)"),
    description="One card used many times at one merchant within a day.",
    severity="high",
    defaults={"min_count": 5},
    find=find,
    heavy=True,
)
