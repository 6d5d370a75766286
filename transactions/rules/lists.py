"""Block and allow lists for rules: entries checked by kind, CSV upload with row-numbered errors.

A list's entries are read live by the rules that name it, so adding a card to a block list takes
effect at the next report, without a new rule version. Every entry added is on record (history).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from portal.common.regions import PROVINCES
from portal.common.validators import validate_mid, validate_tid
from transactions.models import ListKind, RuleList, RuleListEntry

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A token is never a bare card-length number: any run of 13 to 19 digits (spaces and dashes
# taken out, Luhn or not) is refused, stricter than ingestion's PAN check and never stored.
_CARD_LENGTH_DIGITS = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
REGION_CODES = frozenset(code for code, _label in PROVINCES)


def validate_entry(*, kind: str, value: str) -> None:
    """Raise ``ValidationError`` when ``value`` cannot be an entry of a ``kind`` list."""
    if kind == ListKind.MID:
        validate_mid(value)
    elif kind == ListKind.TID:
        validate_tid(value)
    elif kind == ListKind.REGION:
        if value not in REGION_CODES:
            raise ValidationError(_("A region is a 2-digit province code, e.g. 31."))
    else:
        if _CARD_LENGTH_DIGITS.search(re.sub(r"[ -]", "", value)):
            # Never echoed: it may be a real card number.
            raise ValidationError(_("This looks like a full card number: give the card token."))
        if not value or len(value) > 64:
            raise ValidationError(_("A card token is 1 to 64 characters."))


@dataclass
class UploadResult:
    added: int = 0
    already: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def list_upload_csv(*, rule_list: RuleList, data: bytes, actor: Any) -> UploadResult:
    """Add the valid rows of a CSV (a ``value`` column, an optional ``note``) to ``rule_list``.

    Bad rows are reported by line number and the good ones kept; a file that is not a CSV with a
    ``value`` column adds nothing and says so on line 1.
    """
    result = UploadResult()
    if len(data) > MAX_UPLOAD_BYTES:
        result.errors.append((1, _("The file is larger than 5 MB.")))
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((1, _("The file is not UTF-8 text.")))
        return result
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    if "value" not in headers:
        result.errors.append((1, _("The first line must name the columns: value, note.")))
        return result
    reader.fieldnames = headers
    existing = set(rule_list.entries.values_list("value", flat=True))
    new: dict[str, RuleListEntry] = {}
    for row in reader:
        line = reader.line_num
        value = (row.get("value") or "").strip()
        note = (row.get("note") or "").strip()[:200]
        try:
            validate_entry(kind=rule_list.kind, value=value)
        except ValidationError as exc:
            result.errors.append((line, " ".join(exc.messages)))
            continue
        if value in existing or value in new:
            result.already += 1
            continue
        new[value] = RuleListEntry(rule_list=rule_list, value=value, note=note, added_by=actor)
    with transaction.atomic():
        bulk_create_with_history(list(new.values()), RuleListEntry, default_user=actor)
        rule_list.save(update_fields=["updated_at"])
    result.added = len(new)
    return result


def list_error_rows(result: UploadResult) -> str:
    """The errors as CSV (line, error) for the person who uploaded the file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "error"])
    writer.writerows(result.errors)
    return out.getvalue()
