"""Turning reporting on or off and choosing how."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from merchants.models import Membership, Merchant, ReportingSettings, Role


@transaction.atomic
def reporting_settings_update(
    *, merchant: Merchant, actor: Any, data: dict[str, Any]
) -> ReportingSettings:
    """Change the merchant's reporting settings; only its owner may, and only once approved."""
    if not Membership.objects.filter(user=actor, merchant=merchant, role=Role.OWNER).exists():
        raise PermissionDenied("Only the merchant's owner can change reporting settings.")
    settings, _created = ReportingSettings.objects.select_for_update().get_or_create(
        merchant=merchant
    )
    if data.get("enabled") and not merchant.is_approved:
        raise ValidationError(
            {"enabled": "Reporting can be turned on once the application is approved."}
        )
    for name in ("enabled", "method", "frequency", "deadline_hours"):
        if name in data:
            setattr(settings, name, data[name])
    settings.full_clean()
    settings.save()
    return settings
