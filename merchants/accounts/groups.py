"""The staff groups and what each may do. Applied by a data migration and by ``seed_demo``."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

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
        "merchants.view_changerequest",
        "merchants.review_changerequest",
        "merchants.view_changerequesttransition",
        "merchants.view_changerequestdocument",
        "merchants.view_serviceprovider",
        "merchants.view_providertransition",
        "merchants.view_merchantrisk",
        "merchants.view_risklevelchange",
        "merchants.view_risklevelpolicy",
        "merchants.view_highriskmcc",
        "merchants.view_highriskregion",
        "merchants.view_risklistimport",
        "merchants.view_risklistentry",
        "merchants.view_risklistcheck",
        "merchants.record_risklist_check",
        # Inspections: reviewers inspect (check in, record, decide) what a lead assigns them.
        "merchants.view_inspection",
        "merchants.conduct_inspection",
        "merchants.view_inspectiontransition",
        "merchants.view_inspectionanswer",
        "merchants.view_inspectionphoto",
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
        "transactions.view_auditrulelevel",
        "transactions.view_screeningchecklevel",
        "transactions.view_decision",
        "transactions.view_complaint",
        "transactions.handle_complaint",
        "transactions.view_complainttransition",
        "transactions.view_complaintevidence",
        "transactions.view_complaintreason",
        "transactions.view_acquirer",
        "transactions.view_settlementfile",
        "transactions.view_settlementfiletransition",
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
        # Reviewers snooze a rule from an alert; leads end a snooze early.
        "transactions.view_rulesnooze",
        "transactions.add_rulesnooze",
        "transactions.view_webhookendpoint",
        "transactions.view_webhookdelivery",
        "transactions.view_webhookattempt",
        # The archive: reviewers see what is archived; holds and deletions are the leads'.
        "transactions.view_archivemonth",
        "transactions.view_archivefile",
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
        "merchants.approve_terminal",
        "merchants.view_merchantrisk",
        "merchants.override_risk_level",
        "merchants.view_risklevelchange",
        "merchants.view_risklevelpolicy",
        "merchants.change_risklevelpolicy",
        "merchants.view_highriskmcc",
        "merchants.add_highriskmcc",
        "merchants.change_highriskmcc",
        "merchants.delete_highriskmcc",
        "merchants.view_highriskregion",
        "merchants.add_highriskregion",
        "merchants.change_highriskregion",
        "merchants.delete_highriskregion",
        "merchants.view_terminalkey",
        "merchants.add_terminalkey",
        "merchants.change_terminalkey",
        "merchants.view_changerequest",
        "merchants.review_changerequest",
        "merchants.approve_changerequest",
        "merchants.view_changerequesttransition",
        "merchants.view_changerequestdocument",
        "merchants.view_serviceprovider",
        "merchants.add_serviceprovider",
        "merchants.change_serviceprovider",
        "merchants.manage_serviceprovider",
        "merchants.view_providertransition",
        # The external risk list: leads import it and take entries off it.
        "merchants.view_risklistimport",
        "merchants.import_risklist",
        "merchants.view_risklistentry",
        "merchants.view_risklistcheck",
        "merchants.record_risklist_check",
        # Inspections: leads assign and cancel them, inspect too, and set where the premises are
        # (the only fields of the merchant's admin page not read-only).
        "merchants.change_merchant",
        "merchants.view_inspection",
        "merchants.conduct_inspection",
        "merchants.assign_inspection",
        "merchants.view_inspectiontransition",
        "merchants.view_inspectionanswer",
        "merchants.view_inspectionphoto",
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
        "transactions.view_auditrulelevel",
        "transactions.add_auditrulelevel",
        "transactions.change_auditrulelevel",
        "transactions.delete_auditrulelevel",
        "transactions.view_screeningchecklevel",
        "transactions.add_screeningchecklevel",
        "transactions.change_screeningchecklevel",
        "transactions.delete_screeningchecklevel",
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
        "transactions.view_settlementfiletransition",
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
        "transactions.view_rulesnooze",
        "transactions.add_rulesnooze",
        "transactions.end_rulesnooze",
        "transactions.view_webhookendpoint",
        "transactions.add_webhookendpoint",
        "transactions.change_webhookendpoint",
        "transactions.delete_webhookendpoint",
        "transactions.view_webhookdelivery",
        "transactions.view_webhookattempt",
        "transactions.redeliver_webhook",
        # Regulator and scheme reports: leads generate them, read them and download the files.
        "transactions.view_regulatorreport",
        "transactions.generate_regulator_report",
        # What was done to the report table's partitions (docs/partitions.md): read-only.
        "transactions.view_reportpartitionevent",
        # The archive: legal holds, and approving the deletion of expired data (not one's own).
        "transactions.view_archivemonth",
        "transactions.view_archivefile",
        "transactions.view_archivemonthtransition",
        "transactions.view_legalhold",
        "transactions.add_legalhold",
        "transactions.manage_legal_hold",
        "transactions.view_deletionjob",
        "transactions.add_deletionjob",
        "transactions.approve_deletion_job",
        "transactions.view_deletionjobtransition",
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


def staff_holding(codename: str) -> QuerySet:
    """Active staff users with the permission ``codename`` (through a group or on their own),
    and active superusers; may repeat a user (one row per way of holding it)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename=codename)
            | Q(user_permissions__codename=codename)
        )
    )
