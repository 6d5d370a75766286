"""Matching merchants against the risk list, and reading the checks recorded.

A merchant matches an active entry when its USCC, its MID, or the keyed hash of its legal
representative's ID number equals the entry's value. Each kind is one query over the whole set
of merchants (the schedule checks every approved merchant), then one for the entries matched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from merchants.models import (
    CheckResult,
    CheckTrigger,
    Merchant,
    RiskListCheck,
    RiskListEntry,
    RiskListKind,
)

# The merchant's column each kind of entry is matched on.
COLUMNS = {
    RiskListKind.USCC: "uscc",
    RiskListKind.ID_NUMBER: "legal_rep_id_digest",
    RiskListKind.MID: "mid",
}


def matches(merchants: QuerySet[Merchant]) -> dict[int, list[RiskListEntry]]:
    """The active entries each merchant of ``merchants`` matches (merchants without one left out)."""
    active = RiskListEntry.objects.active()
    values: dict[tuple[str, str], set[int]] = defaultdict(set)
    for kind, column in COLUMNS.items():
        listed = active.filter(kind=kind).values("value")
        rows = merchants.filter(**{f"{column}__in": listed}).values_list("pk", column)
        for pk, value in rows.order_by():
            values[(kind, value)].add(pk)
    if not values:
        return {}
    wanted = Q()
    for kind, value in values:
        wanted |= Q(kind=kind, value=value)
    found: dict[int, list[RiskListEntry]] = defaultdict(list)
    for entry in active.filter(wanted).order_by("pk"):
        for pk in values[(entry.kind, entry.value)]:
            found[pk].append(entry)
    return dict(found)


def merchant_matches(merchant: Merchant) -> list[RiskListEntry]:
    return matches(Merchant.objects.filter(pk=merchant.pk)).get(merchant.pk, [])


def manual_hits(merchants: QuerySet[Merchant]) -> dict[int, RiskListCheck]:
    """Merchants whose latest check recorded by staff is a hit (found in the risk system itself).

    Such a hit stands until a person records a clear check: the schedule cannot see what staff
    saw in the system, so its own checks do not overrule it.
    """
    latest = (
        RiskListCheck.objects.filter(merchant=OuterRef("pk"), trigger=CheckTrigger.MANUAL)
        .order_by("-checked_at", "-pk")
        .values("pk")[:1]
    )
    ids = merchants.annotate(manual=Subquery(latest)).filter(manual__isnull=False)
    checks = RiskListCheck.objects.filter(
        pk__in=ids.values("manual"), result=CheckResult.HIT
    ).select_related("actor")
    return {check.merchant_id: check for check in checks}


def last_results(merchants: QuerySet[Merchant]) -> dict[int, frozenset[int] | None]:
    """The entries matched at each merchant's latest automatic check (None: a clear one).

    Merchants never checked automatically are left out; the schedule records a result for a
    merchant only when it differs from this one.
    """
    latest = (
        RiskListCheck.objects.filter(merchant=OuterRef("pk"))
        .exclude(trigger=CheckTrigger.MANUAL)
        .order_by("-checked_at", "-pk")
        .values("pk")[:1]
    )
    last = dict(
        merchants.annotate(last=Subquery(latest))
        .filter(last__isnull=False)
        .order_by()
        .values_list("pk", "last")
    )
    through = RiskListCheck.entries.through
    entries: dict[int, set[int]] = defaultdict(set)
    links = through.objects.filter(
        risklistcheck_id__in=merchants.annotate(last=Subquery(latest)).values("last")
    )
    for check_id, entry_id in links.values_list("risklistcheck_id", "risklistentry_id"):
        entries[check_id].add(entry_id)
    return {pk: frozenset(entries[check]) or None for pk, check in last.items()}


def hit_message(entries: Iterable[RiskListEntry]) -> str:
    """The entries a merchant matched, in one line for a refusal or a panel."""
    return "; ".join(
        _("%(kind)s %(shown)s on “%(list)s”%(reason)s")
        % {
            "kind": entry.get_kind_display(),
            "shown": entry.shown,
            "list": entry.source,
            "reason": f" ({entry.reason})" if entry.reason else "",
        }
        for entry in entries
    )


def risk_list_guard(merchant: Merchant, actor: object) -> bool | str:
    """An approval guard: a merchant on the risk list, or found there by staff, is not approved."""
    entries = merchant_matches(merchant)
    if entries:
        return _(
            "The merchant is on the external risk list: %(entries)s. It cannot be approved."
        ) % {"entries": hit_message(entries)}
    manual = manual_hits(Merchant.objects.filter(pk=merchant.pk)).get(merchant.pk)
    if manual is not None:
        return _(
            "%(who)s recorded a risk-list hit on %(when)s: %(note)s. It cannot be approved "
            "until a clear check is recorded."
        ) % {
            "who": manual.actor or _("Staff"),
            "when": manual.checked_at.strftime("%Y-%m-%d"),
            "note": manual.note,
        }
    return True


def checks_of(merchant: Merchant) -> QuerySet[RiskListCheck]:
    return (
        RiskListCheck.objects.filter(merchant=merchant)
        .select_related("actor")
        .prefetch_related("entries")
    )
