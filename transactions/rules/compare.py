"""A rule's shadow findings beside its live ones, over a range of Beijing days.

Before a lead activates a shadow version they want to know what would change: per day, how many
alerts the live (active) versions raised and how many the shadow version raised, how many of
those are the same finding, and which only one side found. Two alerts are the same finding when
they share a report: that holds whatever the two versions' grouping, and for the alerts the
screening raised at report time as well as the audit's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from portal.common.beijing import SHANGHAI, day_bounds
from transactions.models import Alert, AlertReport, Rule

SAMPLE = 10


@dataclass
class Day:
    day: date
    active: int = 0
    shadow: int = 0
    both_active: int = 0  # active alerts the shadow also found
    both_shadow: int = 0  # shadow alerts the active also found
    only_active: int = 0
    only_shadow: int = 0


@dataclass
class Comparison:
    days: list[Day]
    versions: dict[str, list[int]]  # side → version numbers seen
    samples: dict[str, list[Alert]] = field(default_factory=dict)

    @property
    def totals(self) -> Day:
        total = Day(self.days[0].day if self.days else date.min)
        for day in self.days:
            for name in ("active", "shadow", "both_active", "both_shadow"):
                setattr(total, name, getattr(total, name) + getattr(day, name))
            total.only_active += day.only_active
            total.only_shadow += day.only_shadow
        return total


def shadow_beside_active(*, rule: Rule, first_day: date, last_day: date) -> Comparison:
    """The rule's alerts raised on Beijing days ``first_day`` to ``last_day``: shadow versions'
    beside the live ones, per day, matched by the reports they share."""
    start, end = day_bounds(first_day)[0], day_bounds(last_day)[1]
    alerts = list(
        Alert.objects.filter(
            Q(rule_version__isnull=False) | Q(shadow=True),
            rule_id=rule.audit_rule_id,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("rule_version", "merchant")
        .order_by("created_at", "pk")
    )
    reports: dict[int, set[int]] = {}
    for alert_id, report_id in AlertReport.objects.filter(
        alert_id__in=[a.pk for a in alerts]
    ).values_list("alert_id", "report_id"):
        reports.setdefault(alert_id, set()).add(report_id)
    seen: dict[bool, set[int]] = {True: set(), False: set()}
    for alert in alerts:
        seen[alert.shadow] |= reports.get(alert.pk, set())
    days: dict[date, Day] = {}
    samples: dict[str, list[Alert]] = {"only_shadow": [], "only_active": [], "both": []}
    versions: dict[str, set[int]] = {"active": set(), "shadow": set()}
    for alert in alerts:
        side = "shadow" if alert.shadow else "active"
        day = days.setdefault(
            alert.created_at.astimezone(SHANGHAI).date(),
            Day(alert.created_at.astimezone(SHANGHAI).date()),
        )
        if alert.rule_version is not None:
            versions[side].add(alert.rule_version.number)
        shared = bool(reports.get(alert.pk, set()) & seen[not alert.shadow])
        setattr(day, side, getattr(day, side) + 1)
        if shared:
            setattr(day, f"both_{side}", getattr(day, f"both_{side}") + 1)
            bucket = "both"
        else:
            setattr(day, f"only_{side}", getattr(day, f"only_{side}") + 1)
            bucket = f"only_{side}"
        if len(samples[bucket]) < SAMPLE:
            samples[bucket].append(alert)
    return Comparison(
        days=[days[d] for d in sorted(days)],
        versions={side: sorted(numbers) for side, numbers in versions.items()},
        samples=samples,
    )
