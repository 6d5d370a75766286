"""Cash-out (套现): the same card many times at one merchant in one day."""

from django.db.models import Count, F, Window
from django.db.models.functions import TruncDate

from ...models import Report
from ..base import SHANGHAI, Context, Finding, RuleSpec, grouped


def find(ctx: Context) -> list[Finding]:
    min_count = int(ctx.params["min_count"])
    touched = ctx.reports().exclude(card_token="")
    days = (
        touched.annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
        .values_list("day", flat=True)
        .distinct()
    )
    if not days:
        return []
    first, last = min(days), max(days)
    day = TruncDate("occurred_at", tzinfo=SHANGHAI)
    rows = (
        Report.objects.filter(
            merchant_id__in=touched.values("merchant_id"),
            card_token__in=touched.values("card_token"),
            occurred_at__date__gte=first,
            occurred_at__date__lte=last,
        )
        .annotate(
            day=day, uses=Window(Count("id"), partition_by=[F("merchant_id"), F("card_token"), day])
        )
        .filter(uses__gte=min_count)
        .values("id", "merchant_id", "card_token", "day")
    )
    findings = []
    for (merchant_id, token, on), group in grouped(
        rows, lambda r: (r["merchant_id"], r["card_token"], r["day"])
    ).items():
        findings.append(
            Finding(
                key=f"{merchant_id}:{token}:{on}",
                merchant_id=merchant_id,
                report_ids=[r["id"] for r in group],
                explanation=f"The same card ({token}) was used {len(group)} times on {on} (threshold {min_count}).",
            )
        )
    return findings


RULE = RuleSpec(
    code="cashout_same_card",
    name="Cash-out: same card repeatedly (套现)",
    description="One card used many times at one merchant within a day.",
    severity="high",
    defaults={"min_count": 5},
    find=find,
)
