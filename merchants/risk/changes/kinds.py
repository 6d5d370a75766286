"""What each kind of change touches on the merchant, and how a proposal is read and checked.

One table for the form, the service, the record and the pages. A kind names the merchant's
columns it replaces (``columns``, as they may be shown: the ID number masked, the account by its
last four digits) and the fields a person types (``inputs``: the full ID and account numbers are
write-only). The values are checked by the same validators as the application's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Field
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from merchants.models import ChangeKind, Merchant
from portal.common.crypto import id_number_digest
from portal.common.masking import mask_id_number
from portal.common.validators import validate_bank_account_number, validate_resident_id

ID_NUMBER = "legal_rep_id_number"
ACCOUNT_NUMBER = "bank_account_number"


@dataclass(frozen=True)
class Kind:
    columns: tuple[str, ...]
    inputs: tuple[str, ...]
    # Columns written with the others but never shown (the ID number's keyed hash).
    derived: tuple[str, ...] = ()


def _address(prefix: str) -> Kind:
    columns = tuple(f"{prefix}_{part}" for part in ("province", "city", "district", "address"))
    return Kind(columns=columns, inputs=columns)


KINDS: dict[str, Kind] = {
    ChangeKind.LEGAL_NAME: Kind(columns=("legal_name",), inputs=("legal_name",)),
    ChangeKind.USCC: Kind(columns=("uscc",), inputs=("uscc",)),
    ChangeKind.LEGAL_REP: Kind(
        columns=("legal_rep_name", "legal_rep_id_masked"),
        inputs=("legal_rep_name", ID_NUMBER),
        derived=("legal_rep_id_digest",),
    ),
    ChangeKind.SETTLEMENT_ACCOUNT: Kind(
        columns=("bank_name", "bank_account_holder", "bank_account_last4"),
        inputs=("bank_name", "bank_account_holder", ACCOUNT_NUMBER),
    ),
    ChangeKind.MCC: Kind(columns=("mcc",), inputs=("mcc",)),
    ChangeKind.REGISTERED_ADDRESS: _address("registered"),
    ChangeKind.BUSINESS_ADDRESS: _address("business"),
}

# Every merchant column that only a change request may alter once the merchant is approved.
KEY_COLUMNS = frozenset(
    {column for kind in KINDS.values() for column in (*kind.columns, *kind.derived)}
    | {ACCOUNT_NUMBER}
)


def merchant_field(name: str) -> Field:
    field = Merchant._meta.get_field(name)
    assert isinstance(field, Field)  # key information is held in plain model fields
    return field


def current_values(merchant: Merchant, kind: str) -> dict[str, str]:
    """The values in force for ``kind``, as they may be shown and recorded."""
    return {column: getattr(merchant, column) for column in KINDS[kind].columns}


@dataclass(frozen=True)
class Proposal:
    """A checked proposal: the values to show and record, and the account number to keep secret."""

    values: dict[str, str]
    account_number: str = ""


def read_proposal(*, merchant: Merchant, kind: str, data: dict[str, Any]) -> Proposal:
    """Check ``data`` for ``kind`` with the application's validators; all field errors at once.

    Raises ``ValidationError`` keyed by input field, or with code ``no_change`` when the proposal
    repeats what is in force, or ``uscc_taken`` when another merchant holds the new code.
    """
    spec = KINDS[kind]
    errors: dict[str, list[Any]] = {}
    values: dict[str, str] = {}
    account = ""
    for name in spec.inputs:
        raw = str(data.get(name) or "").strip()
        try:
            if not raw:
                raise ValidationError(_("This field is required."), code="required")
            if name == ID_NUMBER:
                raw = raw.upper()
                validate_resident_id(raw)
                values["legal_rep_id_masked"] = mask_id_number(raw)
                # A derived column: the keyed hash the risk list is matched on goes with it.
                values["legal_rep_id_digest"] = id_number_digest(raw)
            elif name == ACCOUNT_NUMBER:
                account = raw.replace(" ", "")
                validate_bank_account_number(account)
                values["bank_account_last4"] = account[-4:]
            else:
                if name == "uscc":
                    raw = uscc.compact(raw)
                values[name] = merchant_field(name).clean(raw, merchant)
        except ValidationError as exc:
            errors[name] = exc.error_list
    if errors:
        raise ValidationError(errors)
    proposal = Proposal(values=values, account_number=account)
    if _repeats(merchant, proposal):
        raise ValidationError(
            _("This is what is already on file: nothing would change."), code="no_change"
        )
    if kind == ChangeKind.USCC and (
        Merchant.objects.exclude(pk=merchant.pk).filter(uscc=values["uscc"]).exists()
    ):
        raise ValidationError(
            {"uscc": _("Another merchant is registered with this code.")}, code="uscc_taken"
        )
    return proposal


def _repeats(merchant: Merchant, proposal: Proposal) -> bool:
    same_columns = all(getattr(merchant, col) == value for col, value in proposal.values.items())
    if proposal.account_number:
        return same_columns and merchant.bank_account_number == proposal.account_number
    return same_columns
