from merchants.models.application import (
    REQUIRED_DOCUMENTS,
    ApplicationTransition,
    DocumentKind,
    MerchantDocument,
)
from merchants.models.change_request import (
    OPEN_CHANGE_STATUSES,
    ChangeKind,
    ChangeRequest,
    ChangeRequestDocument,
    ChangeRequestQuerySet,
    ChangeRequestTransition,
    ChangeStatus,
)
from merchants.models.history import ChangesOnlyHistoricalRecords
from merchants.models.membership import Membership, Role
from merchants.models.merchant import ApplicationStatus, Merchant, MerchantQuerySet
from merchants.models.provider import ProviderStatus, ProviderTransition, ServiceProvider
from merchants.models.reporting import (
    DEFAULT_DEADLINE_HOURS,
    ReportingFrequency,
    ReportingMethod,
    ReportingSettings,
)
from merchants.models.terminal import (
    Terminal,
    TerminalKey,
    TerminalQuerySet,
    TerminalStatus,
    TerminalTransition,
)

__all__ = [
    "DEFAULT_DEADLINE_HOURS",
    "OPEN_CHANGE_STATUSES",
    "REQUIRED_DOCUMENTS",
    "ApplicationStatus",
    "ApplicationTransition",
    "ChangeKind",
    "ChangeRequest",
    "ChangeRequestDocument",
    "ChangeRequestQuerySet",
    "ChangeRequestTransition",
    "ChangeStatus",
    "ChangesOnlyHistoricalRecords",
    "DocumentKind",
    "Membership",
    "Merchant",
    "MerchantDocument",
    "MerchantQuerySet",
    "ProviderStatus",
    "ProviderTransition",
    "ReportingFrequency",
    "ReportingMethod",
    "ReportingSettings",
    "Role",
    "ServiceProvider",
    "Terminal",
    "TerminalKey",
    "TerminalQuerySet",
    "TerminalStatus",
    "TerminalTransition",
]
