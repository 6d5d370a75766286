from .report import (
    CARD_METHODS,
    REFERRING_TYPES,
    Cvm,
    ImmutableError,
    PaymentMethod,
    Report,
    ReportAmendment,
    ReportQuerySet,
    ReportType,
    Source,
)
from .upload import ReportUpload, RowOutcome, UploadRowResult, UploadStatus

__all__ = [
    "CARD_METHODS",
    "REFERRING_TYPES",
    "Cvm",
    "ImmutableError",
    "PaymentMethod",
    "Report",
    "ReportAmendment",
    "ReportQuerySet",
    "ReportType",
    "ReportUpload",
    "RowOutcome",
    "Source",
    "UploadRowResult",
    "UploadStatus",
]
