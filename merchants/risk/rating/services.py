"""Rating merchants, and staff overriding a rating.

:func:`rate_merchants` scores every merchant of a set with every registered factor (each factor
one set-based query over the whole set), maps the score to a level through the bands of
:class:`RiskLevelPolicy`, and records a :class:`RiskLevelChange` whenever the level in force
changes, telling webhooks (``risk_level.changed``) in the same transaction. The nightly beat
task rates every approved merchant; events (an alert confirmed, a complaint upheld) queue a
rating of one merchant by task name (:func:`rating_requested`).

Overrides are a compliance lead's, with a reason and an expiry; an expired override stops
applying at once (readers compare its expiry with the time), and the next rating of the merchant
clears it and records that it expired.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import (
    ChangeCause,
    Merchant,
    MerchantRisk,
    RiskLevel,
    RiskLevelChange,
    RiskLevelPolicy,
)
from merchants.risk.rating.registry import Rating, factors, snapshot
from merchants.risk.rating.writes import (
    OVERRIDE_FIELDS,
    insert_changes,
    insert_ratings,
    update_ratings,
)
from portal.common import events
from portal.common.queue import enqueue_on_commit

OVERRIDE_PERMISSION = "merchants.override_risk_level"
MAX_OVERRIDE = timedelta(days=366)
# Used when no band is configured (the data migration writes these as rows).
DEFAULT_BANDS = (
    (RiskLevel.LOW, 0),
    (RiskLevel.MEDIUM, 30),
    (RiskLevel.HIGH, 60),
    (RiskLevel.PROHIBITED, 90),
)


@dataclass(frozen=True)
class RatingSummary:
    rated: int
    changed: int
    seconds: float


def bands() -> list[tuple[str, int]]:
    """(level, lowest score) from the lowest band up."""
    rows = list(RiskLevelPolicy.objects.order_by("min_score").values_list("level", "min_score"))
    return rows or list(DEFAULT_BANDS)


def band_of(score: int, levels: Sequence[tuple[str, int]]) -> str:
    """The highest level whose band starts at or below ``score`` (the lowest level below all)."""
    found = levels[0][0]
    for level, min_score in levels:
        if score >= min_score:
            found = level
    return found


def rate_merchants(
    *,
    merchants: QuerySet[Merchant] | None = None,
    trigger: str,
    now: datetime | None = None,
) -> RatingSummary:
    """Rate ``merchants`` (every approved merchant by default) and record changes of level."""
    started = time.perf_counter()
    now = now or timezone.now()
    merchants = (merchants if merchants is not None else Merchant.objects.approved()).order_by()
    listed = factors()
    rating = Rating(merchants=merchants, now=now)
    scores = {factor.code: factor.compute(rating) for factor in listed}
    levels = bands()
    with transaction.atomic():
        existing = {
            risk.merchant_id: risk
            for risk in MerchantRisk.objects.select_for_update().filter(merchant__in=merchants)
        }
        ids = list(merchants.values_list("pk", flat=True))
        new, changed, expired, changes = [], [], [], []
        for pk in ids:
            entries = [snapshot(f, scores[f.code].get(pk, f.absent)) for f in listed]
            score = sum(entry["points"] for entry in entries)
            computed = band_of(score, levels)
            risk = existing.get(pk)
            if risk is None:
                new.append(
                    MerchantRisk(
                        merchant_id=pk,
                        score=score,
                        computed_level=computed,
                        factors=entries,
                        computed_at=now,
                    )
                )
                changes.append(_change(pk, "", computed, score, entries, trigger, now))
                continue
            change = _rerate(risk, score, computed, entries, trigger=trigger, now=now)
            if change is not None:
                changes.append(change)
                if change.cause == ChangeCause.OVERRIDE_EXPIRED:
                    expired.append(risk)
            if change is not None or risk.score != score or risk.factors != entries:
                risk.score, risk.computed_level, risk.factors = score, computed, entries
                changed.append(risk)
        insert_ratings(new)
        update_ratings(changed, expired)
        MerchantRisk.objects.filter(merchant__in=merchants).update(computed_at=now)
        insert_changes(changes)
        level_changed(changes)
    return RatingSummary(len(ids), len(changes), time.perf_counter() - started)


def _rerate(
    risk: MerchantRisk,
    score: int,
    computed: str,
    entries: list[dict[str, Any]],
    *,
    trigger: str,
    now: datetime,
) -> RiskLevelChange | None:
    """The change of level a new rating makes, clearing an override that has expired."""
    if risk.override_level and not risk.override_applies(now):
        was, expired_at = risk.override_level, risk.override_expires_at
        _clear_override(risk)
        change = _change(risk.merchant_id, was, computed, score, entries, trigger, expired_at)
        change.cause = ChangeCause.OVERRIDE_EXPIRED
        return change
    before = risk.level_at(now)
    after = risk.override_level if risk.override_applies(now) else computed
    if before == after:
        return None
    return _change(risk.merchant_id, before, after, score, entries, trigger, now)


def _change(
    merchant_id: int,
    before: str,
    after: str,
    score: int,
    entries: list[dict[str, Any]],
    trigger: str,
    at: datetime | None,
) -> RiskLevelChange:
    return RiskLevelChange(
        merchant_id=merchant_id,
        from_level=before,
        to_level=after,
        cause=ChangeCause.RATING,
        trigger=trigger[:100],
        score=score,
        factors=entries,
        created_at=at or timezone.now(),
    )


def level_changed(changes: Sequence[RiskLevelChange]) -> None:
    """Tell webhooks (``risk_level.changed``) of each change of the level in force, in the
    caller's transaction; an override set at the level already in force changes nothing and
    says nothing. Skipped at once when no endpoint listens (a night changes thousands)."""
    moved = [c for c in changes if c.from_level != c.to_level]
    if not moved or not events.event_wanted(events.RISK_LEVEL_CHANGED):
        return
    mids = dict(
        Merchant.objects.filter(pk__in={c.merchant_id for c in moved}).values_list("pk", "mid")
    )
    events.events_record(
        event_type=events.RISK_LEVEL_CHANGED,
        events=[(c.merchant_id, _described(c, mids.get(c.merchant_id))) for c in moved],
    )


def _described(change: RiskLevelChange, mid: str | None) -> dict[str, Any]:
    # A staff member's name stays inside: "admin:lead" leaves as "admin".
    trigger = "admin" if change.trigger.startswith("admin:") else change.trigger
    return {
        "merchant_id": change.merchant_id,
        "mid": mid,
        "from_level": change.from_level or None,
        "to_level": change.to_level,
        "cause": change.cause,
        "trigger": trigger,
        "at": change.created_at.isoformat(),
    }


def _clear_override(risk: MerchantRisk) -> None:
    risk.override_level = risk.override_reason = ""
    risk.override_expires_at = risk.override_by = risk.override_at = None


def rate_merchant(*, merchant_id: int, trigger: str) -> MerchantRisk | None:
    """Rate one merchant now (an event asked for it); None when it does not exist."""
    rate_merchants(merchants=Merchant.objects.filter(pk=merchant_id), trigger=trigger)
    return MerchantRisk.objects.filter(merchant_id=merchant_id).first()


def rating_requested(*, merchant_id: int, trigger: str) -> None:
    """Queue a rating of the merchant once the caller's transaction commits.

    Called by the services whose events move a factor (an alert confirmed, a complaint upheld),
    by task name so that they need not know the rating; the worker sees the committed event.
    """
    enqueue_on_commit("merchants.tasks.rate_merchant", merchant_id=merchant_id, trigger=trigger)


def _rating_locked(merchant: Merchant) -> MerchantRisk:
    risk = MerchantRisk.objects.select_for_update().filter(merchant=merchant).first()
    if risk is None:
        rate_merchants(merchants=Merchant.objects.filter(pk=merchant.pk), trigger="override")
        risk = MerchantRisk.objects.select_for_update().get(merchant=merchant)
    return risk


def _check_lead(actor: Any) -> None:
    if not (actor and actor.has_perm(OVERRIDE_PERMISSION)):
        raise PermissionDenied(_("Only a compliance lead can override a risk level."))


def risk_override(
    *,
    merchant: Merchant,
    actor: Any,
    level: str,
    reason: str,
    expires_at: datetime | None,
    now: datetime | None = None,
) -> MerchantRisk:
    """A lead sets the merchant's level until ``expires_at``, with a reason; on record."""
    _check_lead(actor)
    now = now or timezone.now()
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if level not in RiskLevel.values:
        errors["level"] = _("Choose a risk level.")
    if not reason:
        errors["reason"] = _("A reason is required.")
    if expires_at is None or expires_at <= now:
        errors["expires_at"] = _("The override must expire in the future.")
    elif expires_at > now + MAX_OVERRIDE:
        errors["expires_at"] = _("An override lasts a year at most.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        risk = _rating_locked(merchant)
        before = risk.level_at(now)
        risk.override_level, risk.override_reason = level, reason
        risk.override_expires_at, risk.override_by, risk.override_at = expires_at, actor, now
        risk.save(update_fields=OVERRIDE_FIELDS)
        change = RiskLevelChange.objects.create(
            merchant=merchant,
            from_level=before,
            to_level=level,
            cause=ChangeCause.OVERRIDE,
            actor=actor,
            reason=reason,
            score=risk.score,
            factors=risk.factors,
            expires_at=expires_at,
            created_at=now,
        )
        level_changed([change])
    return risk


def risk_override_clear(
    *, merchant: Merchant, actor: Any, reason: str, now: datetime | None = None
) -> MerchantRisk:
    """A lead ends an override before it expires, with a reason; the computed level applies."""
    _check_lead(actor)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A reason is required.")})
    with transaction.atomic():
        risk = _rating_locked(merchant)
        if not risk.override_applies(now):
            raise ValidationError(_("This merchant's level is not overridden."))
        before = risk.level_at(now)
        _clear_override(risk)
        risk.save(update_fields=OVERRIDE_FIELDS)
        change = RiskLevelChange.objects.create(
            merchant=merchant,
            from_level=before,
            to_level=risk.computed_level,
            cause=ChangeCause.OVERRIDE_CLEARED,
            actor=actor,
            reason=reason,
            score=risk.score,
            factors=risk.factors,
            created_at=now,
        )
        level_changed([change])
    return risk
