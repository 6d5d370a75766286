"""Corrections: a stored report is never changed; an amendment records what should be read instead."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from transactions.ingest.validate import validate_report
from transactions.ingest.wire import report_wire
from transactions.models import Report, ReportAmendment

AMENDABLE = frozenset(
    {"amount", "type", "method", "masked_pan", "cvm", "auth_code", "batch_no", "original_report_id"}
)


def report_amend(
    *, report: Report, actor: Any, reason: str, changes: dict[str, Any]
) -> ReportAmendment:
    """Record a correction after checking it with the same rules as a new report.

    Only compliance staff (``transactions.add_reportamendment``) or the report's own merchant
    (owner or staff) may amend; the reason is required.
    """
    membership = getattr(actor, "membership", None)
    own = (
        membership is not None
        and membership.merchant_id == report.merchant_id
        and membership.can_edit
    )
    if not own and not actor.has_perm("transactions.add_reportamendment"):
        raise PermissionDenied(_("You are not allowed to amend this report."))
    if not reason.strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    unknown = set(changes) - AMENDABLE
    if unknown or not changes:
        raise ValidationError(
            {
                "changes": [
                    _("These fields can be amended: %(f)s.") % {"f": ", ".join(sorted(AMENDABLE))}
                ]
            }
        )
    merged = _as_wire(report) | {k: v for k, v in changes.items() if v is not None}
    _valid, errors = validate_report(merged, now=timezone.now())
    if errors:
        raise ValidationError({k: [str(m) for m in v] for k, v in errors.items()})
    return ReportAmendment.objects.create(
        report=report, changes=changes, reason=reason.strip(), created_by=actor
    )


def _as_wire(report: Report) -> dict[str, Any]:
    wire = report_wire(report)
    for name in ("received_at", "source"):
        wire.pop(name)
    return wire
