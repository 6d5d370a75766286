"""Demo inspection: ``shop-sh``'s on-site inspection, assigned to the ``reviewer``, due in two weeks.

Through the same services as the beat task and admin, so the demo shows a real trail: the lead
assigned it; the reviewer checks in from admin (*Inspections*) and records the outcome, and the
owner sees the date under *Risk level*.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from merchants.models import Inspection, Merchant
from merchants.risk.inspections.schedule import inspection_schedule
from merchants.risk.inspections.services import inspection_assign

_USERS = ("lead", "reviewer", "shop-sh")


@transaction.atomic
def seed_inspections() -> Inspection | None:
    """Create the demo inspection unless there is one."""
    if Inspection.objects.exists():
        return None
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_USERS)}
    if set(users) != set(_USERS):
        return None  # seed_demo's merchants and staff come first
    shop_sh = Merchant.objects.get(memberships__user=users["shop-sh"])
    inspection = inspection_schedule(
        merchant=shop_sh, due_on=timezone.localdate() + timedelta(days=14)
    )
    return inspection_assign(inspection=inspection, actor=users["lead"], assignee=users["reviewer"])
