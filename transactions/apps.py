from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransactionsConfig(AppConfig):
    name = "transactions"
    verbose_name = _("Transactions")

    def ready(self) -> None:
        from transactions.api import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from transactions.audit.rules import REGISTRY
        from transactions.models.audit import RULE_NAMES

        RULE_NAMES.update({code: spec.name for code, spec in REGISTRY.items()})
