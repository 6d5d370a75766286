"""Request signing as shared/API.md says: HMAC-SHA256 over timestamp, method, path and body."""

from __future__ import annotations

import hashlib
import hmac
import time


def signing_string(timestamp: str, method: str, path: str, body: bytes) -> bytes:
    """``"{timestamp}\\n{METHOD}\\n{path}\\n{sha256hex(body)}"``; path without host or query."""
    return f"{timestamp}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """The X-Signature: lowercase hex of the HMAC-SHA256 of the signing string."""
    return hmac.new(
        secret.encode(), signing_string(timestamp, method, path, body), hashlib.sha256
    ).hexdigest()


def signed_headers(
    *, key_id: str, secret: str, method: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The three headers of a signed request; ``now`` (Unix seconds) defaults to the clock.

    Each attempt is signed afresh: a retry sends the same body under a new timestamp, so a
    request that waited out a long outage is not refused for being more than 300 s old.
    """
    timestamp = str(int(time.time() if now is None else now))
    return {
        "X-Terminal-Key": key_id,
        "X-Timestamp": timestamp,
        "X-Signature": sign(secret, timestamp, method, path, body),
    }
