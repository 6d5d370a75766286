from merchants.models.account import AccountPreferences
from merchants.models.application import (
    REQUIRED_DOCUMENTS,
    ApplicationTransition,
    DocumentKind,
    MerchantDocument,
)
from merchants.models.history import ChangesOnlyHistoricalRecords
from merchants.models.membership import Membership, Role
from merchants.models.merchant import ApplicationStatus, Merchant, MerchantQuerySet
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
    "REQUIRED_DOCUMENTS",
    "AccountPreferences",
    "ApplicationStatus",
    "ApplicationTransition",
    "ChangesOnlyHistoricalRecords",
    "DocumentKind",
    "Membership",
    "Merchant",
    "MerchantDocument",
    "MerchantQuerySet",
    "ReportingFrequency",
    "ReportingMethod",
    "ReportingSettings",
    "Role",
    "Terminal",
    "TerminalKey",
    "TerminalQuerySet",
    "TerminalStatus",
    "TerminalTransition",
]
