"""Celery tasks of the merchants app: thin wrappers around services."""

from celery import shared_task

from merchants.risk.inspections.schedule import generate_inspections as generate
from merchants.risk.rating.services import rate_merchant as rate_one
from merchants.risk.rating.services import rate_merchants
from merchants.risk.risklist.services import risk_list_recheck


@shared_task
def rate_all_merchants() -> dict[str, float]:
    """Beat (nightly): rate every approved merchant; overrides past their expiry are cleared."""
    summary = rate_merchants(trigger="nightly")
    return {"rated": summary.rated, "changed": summary.changed, "seconds": summary.seconds}


@shared_task
def rate_merchant(merchant_id: int, trigger: str = "event") -> str | None:
    """Rate one merchant after an event that moves a factor (queued by name by its service)."""
    risk = rate_one(merchant_id=merchant_id, trigger=trigger)
    return risk.level_at() if risk else None


@shared_task
def recheck_risk_list(cause: str = "nightly") -> dict[str, int]:
    """Beat (nightly) and after each import: check every approved merchant against the risk list."""
    summary = risk_list_recheck(cause=cause)
    return {"checked": summary.checked, "recorded": summary.recorded, "hits": summary.hits}


def generate_inspections() -> dict[str, int]:
    """Beat (daily): create the inspection tasks and photo requests coming due."""
    summary = generate()
    return {"created": summary.created, "on_site": summary.on_site, "photos": summary.photos}
