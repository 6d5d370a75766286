"""The states of a service provider in the registry and who may move it.

Only a filed provider brings new merchants; suspending or blacklisting one stops that at once
(its merchants' applications are refused), and every step is recorded with who and why.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from merchants.models import ProviderStatus as P
from merchants.models import ProviderTransition, ServiceProvider
from portal.common.statemachine import StateMachine, Transition

MANAGE = "merchants.manage_serviceprovider"


def has_filing_number(provider: ServiceProvider, actor: Any) -> bool | str:
    if not provider.filing_number:
        return _("Enter the filing number first.")
    return True


PROVIDER = StateMachine(
    [
        Transition(
            "file",
            _("Record as filed"),
            frozenset({P.UNFILED}),
            P.FILED,
            permission=MANAGE,
            guard=has_filing_number,
        ),
        Transition(
            "suspend",
            _("Suspend"),
            frozenset({P.FILED}),
            P.SUSPENDED,
            permission=MANAGE,
            reason_required=True,
        ),
        Transition(
            "reinstate",
            _("Reinstate"),
            frozenset({P.SUSPENDED}),
            P.FILED,
            permission=MANAGE,
            reason_required=True,
            guard=has_filing_number,
        ),
        Transition(
            "blacklist",
            _("Blacklist"),
            frozenset({P.UNFILED, P.FILED, P.SUSPENDED}),
            P.BLACKLISTED,
            permission=MANAGE,
            reason_required=True,
        ),
    ],
    record=ProviderTransition,
)
