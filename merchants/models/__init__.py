from .application import (
    REQUIRED_DOCUMENTS,
    ApplicationTransition,
    DocumentKind,
    MerchantDocument,
)
from .history import ChangesOnlyHistoricalRecords
from .membership import Membership, Role
from .merchant import ApplicationStatus, Merchant, MerchantQuerySet
from .reporting import ReportingFrequency, ReportingMethod, ReportingSettings
from .terminal import (
    Terminal,
    TerminalKey,
    TerminalQuerySet,
    TerminalStatus,
    TerminalTransition,
)

__all__ = [
    "REQUIRED_DOCUMENTS",
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
