"""Read-side queries for the application: what it still lacks, and its trail."""

from __future__ import annotations

from typing import Any

from django.db.models import Field, QuerySet
from django.utils.translation import gettext_lazy as _

from merchants.models import (
    REQUIRED_DOCUMENTS,
    ApplicationTransition,
    Merchant,
)
from merchants.onboarding.fields import application_fields

# Fields an application must fill before it can be submitted, with the label the merchant sees.
REQUIRED_APPLICATION_FIELDS = application_fields(
    id_number="legal_rep_id_masked", bank_account="bank_account_last4"
)


def application_missing_items(merchant: Merchant) -> list[str]:
    """What the merchant still has to provide before submitting, as readable labels."""
    missing = [
        str(_label(name)) for name in REQUIRED_APPLICATION_FIELDS if not getattr(merchant, name)
    ]
    present = set(merchant.documents.values_list("kind", flat=True))
    missing += [str(kind.label) for kind in REQUIRED_DOCUMENTS if kind not in present]
    return missing


def application_history(merchant: Merchant) -> QuerySet[ApplicationTransition]:
    return merchant.transitions.select_related("actor").order_by("created_at", "pk")


def completeness_guard(merchant: Merchant, actor: Any) -> bool | str:
    missing = application_missing_items(merchant)
    if missing:
        return _("The application is incomplete: %(items)s.") % {"items": ", ".join(missing)}
    return True


def _label(name: str) -> str:
    field = Merchant._meta.get_field(name)
    assert isinstance(field, Field)  # the application's fields are plain model fields
    return str(field.verbose_name)
