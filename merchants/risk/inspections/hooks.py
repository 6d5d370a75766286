"""What a failed inspection sets off outside this package: the merchant's terminals held.

The terminals' package reads the risk level (new terminals of a high-risk merchant wait for a
lead), so ``merchants.risk`` must not import it back; ``MerchantsConfig.ready()`` registers the
terminals' hold here instead, as the rating's factors are registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# hold(*, merchant_id, actor, reason) -> how many terminals were held
Hold = Callable[..., int]

_holds: list[Hold] = []


def hold_register(hold: Hold) -> None:
    """Make ``hold`` what a failed inspection calls (once, from an app's ``ready()``)."""
    _holds[:] = [hold]


def hold_terminals(*, merchant_id: int, actor: Any, reason: str) -> int:
    """Hold the merchant's active terminals; raises when nothing is registered to do it (a
    failed inspection must never pass silently with its terminals still taking payments)."""
    if not _holds:
        raise RuntimeError("no terminal hold registered (MerchantsConfig.ready() registers it)")
    return _holds[0](merchant_id=merchant_id, actor=actor, reason=reason)
