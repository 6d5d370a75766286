"""What an inspector checks on site: a fixed list, answered yes / no / not applicable with a note.

Fixed in code rather than kept as rows: the list follows the acquiring rules' on-site checks
(《银行卡收单业务管理办法》 and the card schemes' merchant inspection practice), changes with them,
and each answer must keep meaning what it meant when it was given. A new item is added here; an
old item's code is never reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    code: str
    question: Any  # lazy translation


CHECKLIST: tuple[Item, ...] = (
    Item("premises_match", _("The business operates at the registered business address.")),
    Item("signage", _("The shop sign matches the merchant's registered name.")),
    Item("business_matches_mcc", _("What is sold matches the declared category (MCC).")),
    Item("licence_displayed", _("The business licence is displayed and valid.")),
    Item("terminals_on_site", _("Every terminal of the merchant is on site and in use here.")),
    Item("no_foreign_terminals", _("No terminal of another merchant or acquirer is used here.")),
    Item("staff_trained", _("Staff know how to check cards and refuse suspicious sales.")),
    Item("receipts_kept", _("Signed slips and receipts are kept for the required period.")),
)

ITEMS = {item.code: item for item in CHECKLIST}

# An answer of "no" to one of these is the kind of finding that usually fails an inspection.
SERIOUS = frozenset({"premises_match", "business_matches_mcc", "no_foreign_terminals"})
