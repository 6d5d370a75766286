"""The screening's configuration, read once and kept for a few seconds in each process.

Every report is screened against the same handful of rows: the checks and their thresholds, the
thresholds per risk level, the levels' limits and the live review/hold rules written as data
(compiled). Reading them on every report cost four or five queries a sale; they change only when
staff edit them. A process keeps them ``DECISIONS_CONFIG_SECONDS`` (5 by default): a change saved
in admin applies at once in the process that saved it (the cache is dropped on save, see
``TransactionsConfig.ready``) and within those seconds everywhere else. 0 reads them every time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from merchants.models import RiskLevelPolicy
from transactions.decisions.data_rules import screening_versions
from transactions.decisions.inputs import Limits, ensure_checks
from transactions.models import RuleVersion, ScreeningCheck, ScreeningCheckLevel
from transactions.rules.compiler import Compiled


@dataclass(frozen=True)
class ScreeningConfig:
    checks: list[ScreeningCheck]
    # level → check row id → that level's thresholds for the check
    level_params: Mapping[str, Mapping[int, Mapping[str, Any]]]
    limits: Mapping[str, Limits]
    versions: list[tuple[RuleVersion, Compiled | None]]
    loaded_at: float = field(default_factory=time.monotonic)


_kept: list[ScreeningConfig] = []


def screening_config() -> ScreeningConfig:
    """The configuration in force: this process's copy while it is fresh, else read anew."""
    keep = settings.DECISIONS_CONFIG_SECONDS
    if keep > 0 and _kept and time.monotonic() - _kept[0].loaded_at < keep:
        return _kept[0]
    config = _read()
    _kept[:] = [config] if keep > 0 else []
    return config


def screening_config_drop(**_signal: Any) -> None:
    """Forget this process's copy (a check, threshold, limit or rule version was saved)."""
    _kept.clear()


def _read() -> ScreeningConfig:
    level_params: dict[str, dict[int, Mapping[str, Any]]] = {}
    for level, check_id, parameters in ScreeningCheckLevel.objects.values_list(
        "level", "check_row_id", "parameters"
    ):
        level_params.setdefault(level, {})[check_id] = parameters
    limits = {
        policy.level: Limits(policy.per_transaction_limit, policy.daily_limit)
        for policy in RiskLevelPolicy.objects.all()
    }
    return ScreeningConfig(
        checks=ensure_checks(),
        level_params=level_params,
        limits=limits,
        versions=screening_versions(),
    )
