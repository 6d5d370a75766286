from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransactionsConfig(AppConfig):
    name = "transactions"
    verbose_name = _("Transactions")

    def ready(self) -> None:
        from transactions.analytics.risk_factors import register_transaction_factors
        from transactions.api import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from transactions.audit.rules import REGISTRY
        from transactions.models.audit import RULE_NAMES

        RULE_NAMES.update({code: spec.name for code, spec in REGISTRY.items()})

        from transactions.decisions.alerts import FAILED_NAME, RULE_PREFIX
        from transactions.decisions.checks import REGISTRY as CHECKS
        from transactions.decisions.services import CHECK_FAILED
        from transactions.models.decision import CHECK_NAMES

        CHECK_NAMES.update({code: spec.name for code, spec in CHECKS.items()})
        RULE_NAMES.update({f"{RULE_PREFIX}{code}": spec.name for code, spec in CHECKS.items()})
        RULE_NAMES[f"{RULE_PREFIX}{CHECK_FAILED}"] = FAILED_NAME

        # Events recorded by any feature (portal.common.events, merchants' too) go to the outbox.
        from portal.common.events import recorder_register
        from transactions.exchange.webhooks.outbox import outbox_record, outbox_wanted

        recorder_register(outbox_record, outbox_wanted)
        # The screening keeps its configuration a few seconds; a saved change drops this copy.
        from django.db.models.signals import post_delete, post_save

        from merchants.models import RiskLevelPolicy
        from transactions.decisions.config import screening_config_drop
        from transactions.models import AuditRule, RuleVersion, ScreeningCheck, ScreeningCheckLevel

        for model in (ScreeningCheck, ScreeningCheckLevel, RiskLevelPolicy, RuleVersion, AuditRule):
            for signal in (post_save, post_delete):
                signal.connect(screening_config_drop, sender=model, dispatch_uid=f"sc-{model}")
        # The risk rating's factors computed from reports, alerts and complaints.
        register_transaction_factors()
        # A hit on the external risk list raises an alert; providers' roll-ups count alerts and
        # complaints over their merchants.
        from merchants.risk.providers.rollup import figures_register
        from merchants.risk.risklist.services import hit_listener_register
        from transactions.alerts.risk_list import CODE, NAME, risk_list_alerts
        from transactions.analytics.provider_figures import provider_figures

        RULE_NAMES[CODE] = NAME
        hit_listener_register(risk_list_alerts)
        figures_register(provider_figures)
