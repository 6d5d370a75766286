from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = _("Merchants")

    def ready(self) -> None:
        from merchants.risk.inspections.factor import register_inspection_factor
        from merchants.risk.inspections.hooks import hold_register
        from merchants.risk.providers.factor import register_provider_factor
        from merchants.risk.rating.factors import register_merchant_factors
        from merchants.risk.risklist.factor import register_risk_list_factor
        from merchants.terminals.services import terminals_hold
        from portal.common import checks  # noqa: F401  (registers the deploy checks)

        register_merchant_factors()
        register_risk_list_factor()
        register_provider_factor()
        register_inspection_factor()
        # A failed inspection holds the merchant's terminals (risk must not import terminals).
        hold_register(terminals_hold)
