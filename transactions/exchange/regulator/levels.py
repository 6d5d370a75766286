"""Merchants and terminals as they stood at an instant, read from their recorded history.

A report for a past period must not change because a level or a status changed since: the level
at an instant is the ``to_level`` of the merchant's last ``RiskLevelChange`` before it (every
change of the level in force is recorded, the first rating included), and a terminal's status the
``to_status`` of its last step before it (else the state its first later step left, else its
status now: it never moved).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from merchants.models import (
    ApplicationStatus,
    Merchant,
    RiskLevelChange,
    Terminal,
    TerminalTransition,
)


def level_at(when: datetime) -> Subquery:
    """The merchant's (``OuterRef("pk")``) level at ``when``; NULL if it was not rated yet."""
    last = RiskLevelChange.objects.filter(merchant=OuterRef("pk"), created_at__lt=when).order_by(
        "-created_at", "-pk"
    )
    return Subquery(last.values("to_level")[:1])


def merchant_region(prefix: str = "") -> Case:
    """Where the merchant trades: its business province, else its registered one.

    ``prefix`` reaches the merchant through a relation (``"merchant__"``).
    """
    return Case(
        When(**{f"{prefix}business_province": ""}, then=F(f"{prefix}registered_province")),
        default=F(f"{prefix}business_province"),
    )


def merchants_approved_before(when: datetime) -> QuerySet[Merchant]:
    """Merchants approved before ``when`` (the portal has no step that ends an approval)."""
    return Merchant.objects.filter(status=ApplicationStatus.APPROVED, approved_at__lt=when)


def terminals_with_status_at(when: datetime) -> QuerySet[Terminal]:
    """Terminals registered before ``when``, annotated ``status_then``."""
    steps = TerminalTransition.objects.filter(terminal=OuterRef("pk"))
    before = steps.filter(created_at__lt=when).order_by("-created_at", "-pk")
    after = steps.filter(created_at__gte=when).order_by("created_at", "pk")
    return Terminal.objects.filter(created_at__lt=when).annotate(
        status_then=Coalesce(
            Subquery(before.values("to_status")[:1]),
            Subquery(after.values("from_status")[:1]),
            F("status"),
            output_field=Terminal._meta.get_field("status"),
        )
    )
