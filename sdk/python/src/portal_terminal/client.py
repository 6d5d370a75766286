"""The terminal API over HTTP (urllib): signed requests, retries with backoff, the contract's errors.

A network error, a timeout or a 5xx answer is transient: the same request (same body, same
report_ids, signed afresh) is tried again after a growing, jittered pause, or after the server's
Retry-After. A 4xx answer is the server's word and is never retried, with one exception: a 401
whose Date header shows the terminal's clock more than a minute off is tried once more with the
clock corrected, since a terminal coming back from a long outage often has a drifted clock.
"""

from __future__ import annotations

import http.client
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from portal_terminal.signing import signed_headers

API = "/api/v1/terminal"
REPORTS = f"{API}/reports/"
BATCH = f"{API}/reports/batch/"
CONFIG = f"{API}/config/"
CLOCK_TOLERANCE = 60  # seconds of drift corrected from the server's Date header
TRANSIENT = (OSError, http.client.HTTPException, TimeoutError)  # URLError is an OSError


class PortalError(Exception):
    """Something kept the portal from answering a request."""


class Unreachable(PortalError):
    """No answer but network errors or 5xx after every retry: send the same request later."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class Refused(PortalError):
    """A 4xx answer: the server refused the request, with its field errors."""

    def __init__(self, status: int, errors: dict[str, list[str]]) -> None:
        super().__init__(f"HTTP {status}: {json.dumps(errors, ensure_ascii=False)}")
        self.status = status
        self.errors = errors

    @property
    def about_the_report(self) -> bool:
        """400 (invalid) and 409 (report_id taken by other content) are verdicts on the report;
        401, 403, 404, 413, 415 are about the credentials, the terminal or the request."""
        return self.status in (400, 409)


@dataclass(frozen=True)
class Decision:
    """The real-time decision on a stored report (shared/API.md, Decisions)."""

    outcome: str  # accept | review | hold
    reasons: list[dict[str, Any]] = field(default_factory=list)
    decision_id: str | None = None

    @property
    def hold(self) -> bool:
        """The terminal must not complete the sale: void it and tell the cardholder."""
        return self.outcome == "hold"

    @classmethod
    def from_answer(cls, data: dict[str, Any] | None) -> Decision | None:
        if not data:
            return None
        return cls(data["outcome"], list(data.get("reasons") or []), data.get("decision_id"))

    def as_dict(self) -> dict[str, Any]:
        return {"decision_id": self.decision_id, "outcome": self.outcome, "reasons": self.reasons}


@dataclass
class Client:
    """A terminal's signed connection to the portal; every method returns the decoded answer."""

    base_url: str
    key_id: str
    secret: str
    timeout: float = 10.0
    retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 30.0
    language: str | None = None  # Accept-Language for the messages (e.g. "zh-hans", "en")
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    clock_offset: float = 0.0

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError("base_url must be an http:// or https:// URL")

    def report(self, report: dict[str, Any]) -> dict[str, Any]:
        """POST one report: ``{"report_id", "status": accepted|duplicate, "decision"}``."""
        return self.request("POST", REPORTS, _encode(report))

    def report_batch(self, reports: list[dict[str, Any]]) -> dict[str, Any]:
        """POST up to 5000 reports: accepted / duplicates counts, rejected rows, decisions."""
        return self.request("POST", BATCH, _encode({"reports": reports}))

    def report_detail(self, report_id: str) -> dict[str, Any]:
        """The stored report as the terminal may see it, with its decision and held flag."""
        return self.request("GET", f"{REPORTS}{report_id}/")

    def config(self) -> dict[str, Any]:
        """The terminal's TID, MID, MCC, reporting settings and the server time."""
        return self.request("GET", CONFIG)

    def request(self, method: str, path: str, body: bytes = b"") -> dict[str, Any]:
        """Send, retrying transient failures; return the JSON answer of a 2xx, raise otherwise."""
        failures = 0
        pause = 0.0
        corrected = False
        while True:
            if pause:
                self.sleep(pause)
            try:
                status, headers, raw = self._send_once(method, path, body)
            except TRANSIENT as exc:
                failures += 1
                if failures > self.retries:
                    raise Unreachable(_describe(exc)) from exc
                pause = self._pause(failures, None)
                continue
            if status >= 500:
                failures += 1
                if failures > self.retries:
                    raise Unreachable(f"HTTP {status}", status=status)
                pause = self._pause(failures, _seconds(headers.get("Retry-After")))
                continue
            data = _json(raw)
            if status < 400:
                if not isinstance(data, dict):
                    raise PortalError(f"HTTP {status} without a JSON object")
                return data
            if status == 401 and not corrected and self._correct_clock(headers.get("Date")):
                corrected, pause = True, 0.0
                continue
            raise Refused(status, _errors(data, raw))

    def _send_once(self, method: str, path: str, body: bytes) -> tuple[int, Any, bytes]:
        headers = signed_headers(
            key_id=self.key_id,
            secret=self.secret,
            method=method,
            path=path,
            body=body,
            now=self.clock() + self.clock_offset,
        )
        headers["Accept"] = "application/json"
        if method != "GET":
            headers["Content-Type"] = "application/json"
        if self.language:
            headers["Accept-Language"] = self.language
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __post_init__
            self.base_url.rstrip("/") + path,
            data=body if method != "GET" else None,
            method=method,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.headers, exc.read()

    def _pause(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return ceiling * (0.5 + random.random() / 2)

    def _correct_clock(self, date_header: str | None) -> bool:
        """Adopt the server's clock from its Date header when ours is more than a minute off."""
        if not date_header:
            return False
        try:
            server = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            return False
        offset = server - self.clock()
        if abs(offset - self.clock_offset) <= CLOCK_TOLERANCE:
            return False
        self.clock_offset = offset
        return True


def _describe(exc: BaseException) -> str:
    """``ConnectionRefusedError: [Errno 111] Connection refused`` rather than urllib's wrapper."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return f"{type(reason).__name__}: {reason}"


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return None


def _errors(data: Any, raw: bytes) -> dict[str, list[str]]:
    if isinstance(data, dict) and isinstance(data.get("errors"), dict):
        return data["errors"]
    text = raw[:200].decode("utf-8", "replace").strip() or "no body"
    return {"non_field_errors": [text]}


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
