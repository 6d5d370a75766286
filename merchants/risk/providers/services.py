"""Moving a service provider through the registry's states."""

from __future__ import annotations

from typing import Any

from merchants.models import ServiceProvider
from merchants.risk.providers.workflow import PROVIDER


def provider_transition(
    *, provider: ServiceProvider, name: str, actor: Any, reason: str = ""
) -> ServiceProvider:
    """Take step ``name`` of ``provider`` for ``actor`` and record it (who, when, why).

    Raises ``TransitionNotAllowed`` or ``PermissionDenied`` when the step is refused.
    """
    return PROVIDER.step(provider, name, actor=actor, reason=reason)
