"""Reading change requests: a merchant's own, and each one's old → new as it may be shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from merchants.models import ChangeRequest, ChangeRequestTransition, Merchant
from merchants.risk.changes.kinds import KINDS, merchant_field
from portal.common.masking import mask_account_number
from portal.common.regions import PROVINCES

_PROVINCE_NAMES = {code: name for code, name in PROVINCES}


@dataclass(frozen=True)
class Row:
    label: str
    old: str
    new: str


def changes_of(merchant: Merchant) -> QuerySet[ChangeRequest]:
    """The merchant's own requests, newest first (a merchant never sees another's)."""
    return ChangeRequest.objects.filter(merchant=merchant).select_related("requested_by")


def open_kinds(merchant: Merchant) -> set[str]:
    return set(
        ChangeRequest.objects.open().filter(merchant=merchant).values_list("kind", flat=True)
    )


def shown(column: str, value: str) -> str:
    """A stored value as people see it: provinces by name, the account by its last four digits."""
    if not value:
        return "—"
    if column.endswith("_province"):
        return str(_PROVINCE_NAMES.get(value, value))
    if column == "bank_account_last4":
        return mask_account_number(value)
    return value


def change_rows(change: ChangeRequest) -> list[Row]:
    """What the request changes, field by field: in force (or replaced) → proposed (or applied)."""
    return [
        Row(
            label=str(merchant_field(column).verbose_name),
            old=shown(column, change.old_values.get(column, "")),
            new=shown(column, change.new_values.get(column, "")),
        )
        for column in KINDS[change.kind].columns
    ]


def change_summary(change: ChangeRequest) -> str:
    """One line for lists: the proposed values, masked where they are sensitive."""
    return " · ".join(row.new for row in change_rows(change))


def change_steps(change: ChangeRequest) -> QuerySet[ChangeRequestTransition]:
    return change.transitions.select_related("actor").order_by("created_at", "pk")
