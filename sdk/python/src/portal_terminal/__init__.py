"""The terminal SDK of the merchant reporting portal (the wire contract: shared/API.md)."""

from portal_terminal.client import Client, Decision, PortalError, Refused, Unreachable
from portal_terminal.queue import Queue, QueueConflict
from portal_terminal.signing import sign, signed_headers
from portal_terminal.terminal import Flushed, Outcome, Terminal
from portal_terminal.validation import ReportInvalid, contains_pan, validate_report

__all__ = [
    "Client",
    "Decision",
    "Flushed",
    "Outcome",
    "PortalError",
    "Queue",
    "QueueConflict",
    "Refused",
    "ReportInvalid",
    "Terminal",
    "Unreachable",
    "contains_pan",
    "sign",
    "signed_headers",
    "validate_report",
]
__version__ = "1.0.0"
