from merchants.models.account import AccountPreferences
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
from merchants.models.risk import (
    LEVEL_RANK,
    ChangeCause,
    HighRiskMcc,
    HighRiskRegion,
    MerchantRisk,
    MerchantRiskQuerySet,
    RiskLevel,
    RiskLevelChange,
    RiskLevelPolicy,
)
from merchants.models.risk_list import (
    CheckResult,
    CheckTrigger,
    RiskListCheck,
    RiskListEntry,
    RiskListEntryQuerySet,
    RiskListImport,
    RiskListKind,
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
    "LEVEL_RANK",
    "OPEN_CHANGE_STATUSES",
    "REQUIRED_DOCUMENTS",
    "AccountPreferences",
    "ApplicationStatus",
    "ApplicationTransition",
    "ChangeCause",
    "ChangeKind",
    "ChangeRequest",
    "ChangeRequestDocument",
    "ChangeRequestQuerySet",
    "ChangeRequestTransition",
    "ChangeStatus",
    "ChangesOnlyHistoricalRecords",
    "CheckResult",
    "CheckTrigger",
    "DocumentKind",
    "HighRiskMcc",
    "HighRiskRegion",
    "Membership",
    "Merchant",
    "MerchantDocument",
    "MerchantQuerySet",
    "MerchantRisk",
    "MerchantRiskQuerySet",
    "ProviderStatus",
    "ProviderTransition",
    "ReportingFrequency",
    "ReportingMethod",
    "ReportingSettings",
    "RiskLevel",
    "RiskLevelChange",
    "RiskLevelPolicy",
    "RiskListCheck",
    "RiskListEntry",
    "RiskListEntryQuerySet",
    "RiskListImport",
    "RiskListKind",
    "Role",
    "ServiceProvider",
    "Terminal",
    "TerminalKey",
    "TerminalQuerySet",
    "TerminalStatus",
    "TerminalTransition",
]
