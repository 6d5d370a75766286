"""A hit on the external risk list raises an alert in the review queue.

The risk list is merchants' (``merchants/risk/risklist/``), and ``merchants`` never imports
``transactions``: its checks hand each hit on an approved merchant to the listeners registered
from ``TransactionsConfig.ready()``, and :func:`risk_list_alerts` is that listener. One rule,
``risk_list_hit`` (an AuditRule row, severity and on/off in admin, made here like the
reconciliation's rules, never run by the audit runner), and one alert per merchant and entry
(per recorded check for a hit staff found in the system themselves): checking again, nightly or
after the next import, raises nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_noop

from merchants.risk.risklist.services import Hit
from transactions.alerts.findings import Finding
from transactions.alerts.services import alerts_from_findings, rule_ensure
from transactions.models import AuditRule, Severity

CODE = "risk_list_hit"
NAME = gettext_noop("On the external risk list")


def risk_list_rule() -> AuditRule:
    return rule_ensure(
        CODE,
        name=NAME,
        description=(
            "An approved merchant's USCC, legal representative's ID number or MID is on the "
            "external risk list imported from the risk information system, or staff recorded a "
            "hit found there."
        ),
        severity=Severity.CRITICAL,
    )


def risk_list_alerts(hits: Sequence[Hit]) -> None:
    """Raise the alerts of ``hits`` not raised yet (in the checking transaction)."""
    rule = risk_list_rule()
    if not rule.enabled:
        return
    alerts_from_findings(rule=rule, findings=[f for hit in hits for f in _findings(hit)], run=None)


def _findings(hit: Hit) -> list[Finding]:
    if not hit.entries:
        return [
            Finding(
                key=f"merchant{hit.merchant_id}:check{hit.check_id}",
                merchant_id=hit.merchant_id,
                message=gettext_noop(
                    "Staff found the merchant in the external risk information system (risk-list "
                    "check %(check)s)."
                ),
                params={"check": hit.check_id},
            )
        ]
    return [
        Finding(
            key=f"merchant{hit.merchant_id}:entry{entry.pk}",
            merchant_id=hit.merchant_id,
            message=gettext_noop(
                "The merchant's %(kind)s %(shown)s is on the external risk list (entry "
                "%(entry)s): see its risk-list checks."
            ),
            params={"kind": entry.kind.upper(), "shown": entry.shown, "entry": entry.pk},
        )
        for entry in hit.entries
    ]
