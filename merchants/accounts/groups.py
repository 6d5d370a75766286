"""The staff groups and what each may do. Applied by a data migration and by ``seed_demo``."""

from typing import Any

STAFF_GROUPS: dict[str, list[str]] = {
    "compliance reviewer": [
        "merchants.view_merchant",
        "merchants.review_application",
        "merchants.view_merchantdocument",
        "merchants.view_applicationtransition",
        "merchants.view_membership",
        "merchants.view_reportingsettings",
        "merchants.view_terminal",
        "merchants.view_terminaltransition",
        "transactions.view_report",
        "transactions.view_reportupload",
        "transactions.view_alert",
        "transactions.review_alert",
        "transactions.view_alerttransition",
        "transactions.view_alertresponse",
        "transactions.view_hold",
        "transactions.view_auditrule",
        "transactions.view_auditrun",
        "transactions.view_screeningcheck",
        "transactions.view_decision",
        "transactions.view_complaint",
        "transactions.handle_complaint",
        "transactions.view_complainttransition",
        "transactions.view_complaintevidence",
        "transactions.view_complaintreason",
        "transactions.view_acquirer",
        "transactions.view_settlementfile",
        "transactions.view_reconciliationrun",
        "transactions.view_reconciliationitem",
        # The rule studio: reviewers write drafts and backtest them.
        "transactions.view_rule",
        "transactions.add_rule",
        "transactions.view_ruleversion",
        "transactions.add_ruleversion",
        "transactions.view_ruleversiontransition",
        "transactions.view_rulelist",
        "transactions.view_rulelistentry",
        "transactions.view_backtest",
        "transactions.add_backtest",
    ],
    "compliance lead": [
        "merchants.view_merchant",
        "merchants.review_application",
        "merchants.approve_application",
        "merchants.view_merchantdocument",
        "merchants.view_applicationtransition",
        "merchants.view_membership",
        "merchants.view_reportingsettings",
        "merchants.change_reportingsettings",
        "merchants.view_terminal",
        "merchants.change_terminal",
        "merchants.manage_terminal",
        "merchants.view_terminaltransition",
        "merchants.view_terminalkey",
        "merchants.add_terminalkey",
        "merchants.change_terminalkey",
        "transactions.view_report",
        "transactions.add_reportamendment",
        "transactions.view_reportupload",
        "transactions.view_alert",
        "transactions.review_alert",
        "transactions.decide_escalated_alert",
        "transactions.hold_reports",
        "transactions.view_alerttransition",
        "transactions.view_alertresponse",
        "transactions.view_hold",
        "transactions.view_auditrule",
        "transactions.change_auditrule",
        "transactions.view_auditrun",
        "transactions.start_audit",
        "transactions.view_screeningcheck",
        "transactions.change_screeningcheck",
        "transactions.view_decision",
        "transactions.view_complaint",
        "transactions.handle_complaint",
        "transactions.decide_complaint",
        "transactions.view_complainttransition",
        "transactions.view_complaintevidence",
        "transactions.view_complaintreason",
        "transactions.change_complaintreason",
        "transactions.view_acquirer",
        "transactions.add_acquirer",
        "transactions.change_acquirer",
        "transactions.view_settlementfile",
        "transactions.add_settlementfile",
        "transactions.view_reconciliationrun",
        "transactions.view_reconciliationitem",
        # The rule studio: leads also put versions in shadow or live and keep the lists.
        "transactions.view_rule",
        "transactions.add_rule",
        "transactions.view_ruleversion",
        "transactions.add_ruleversion",
        "transactions.go_live_ruleversion",
        "transactions.view_ruleversiontransition",
        "transactions.view_rulelist",
        "transactions.add_rulelist",
        "transactions.change_rulelist",
        "transactions.view_rulelistentry",
        "transactions.add_rulelistentry",
        "transactions.delete_rulelistentry",
        "transactions.view_backtest",
        "transactions.add_backtest",
    ],
}


def sync_staff_groups(group_model: Any, permission_model: Any) -> None:
    """Create the groups and give each exactly its permissions (works with historical models)."""
    for name, perms in STAFF_GROUPS.items():
        group, _created = group_model.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)
