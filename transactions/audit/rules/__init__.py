"""Every audit rule, one module each; REGISTRY maps a rule's code to its spec."""

from transactions.audit.base import RuleSpec
from transactions.audit.rules import (
    cashout_below_limit,
    cashout_off_hours,
    cashout_round_amount,
    cashout_same_card,
    complaints_upheld,
    duplicate,
    late_report,
    mcc_jump,
    merchant_jump,
    refund_anomaly,
    relocation,
    reporting_gap,
    unverified_high_value,
    volume_spike,
)

REGISTRY: dict[str, RuleSpec] = {
    module.RULE.code: module.RULE
    for module in (
        late_report,
        mcc_jump,
        merchant_jump,
        relocation,
        cashout_same_card,
        cashout_round_amount,
        cashout_below_limit,
        cashout_off_hours,
        duplicate,
        unverified_high_value,
        refund_anomaly,
        volume_spike,
        reporting_gap,
        complaints_upheld,
    )
}
