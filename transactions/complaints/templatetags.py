"""``{% complaint_counts %}``: the signed-in merchant's open and recently upheld complaints."""

from typing import Any

from django import template

from transactions.complaints.services import complaint_counts_for_merchant

register = template.Library()


@register.inclusion_tag("transactions/partials/complaint_counts.html", takes_context=True)
def complaint_counts(context: dict[str, Any]) -> dict[str, Any]:
    membership = context.get("membership")
    if not membership:
        return {"counts": None}
    return {"counts": complaint_counts_for_merchant(merchant=membership.merchant)}
