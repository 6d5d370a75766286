"""Every real-time screening check, one module each; REGISTRY maps a check's code to its spec."""

from transactions.decisions.base import CheckSpec
from transactions.decisions.checks import (
    after_hours,
    below_limit,
    card_velocity,
    far_from_home,
    impossible_travel,
    level_limits,
    mcc_mismatch,
    mid_tid_mismatch,
    refund_original,
    round_amount,
    terminal_held,
    unverified_high_value,
)

REGISTRY: dict[str, CheckSpec] = {
    module.CHECK.code: module.CHECK
    for module in (
        terminal_held,
        level_limits,
        mcc_mismatch,
        mid_tid_mismatch,
        refund_original,
        card_velocity,
        far_from_home,
        impossible_travel,
        unverified_high_value,
        round_amount,
        below_limit,
        after_hours,
    )
}
