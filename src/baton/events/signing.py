"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret.

Headers: `Baton-Timestamp: <unix seconds>`, `Baton-Signature: v1=<hex digest>`. A receiver recomputes the digest,
compares in constant time, and rejects old timestamps so a captured request cannot be replayed later."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "v1"
TOLERANCE_SECONDS = 300  # how old a timestamp a receiver should accept


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", "Baton-Event-Id": event_id, "Baton-Timestamp": str(timestamp),
            "Baton-Signature": signature(secret, timestamp, body), "User-Agent": "Baton-Webhooks/1"}


def verify(secret: str, signature_header: str, timestamp_header: str, body: bytes, now: int,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (and the README shows): a fresh timestamp and a matching signature."""
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in signature_header.split(","))
