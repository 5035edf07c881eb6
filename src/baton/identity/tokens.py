"""API tokens: opaque, high-entropy secrets shown once; only their SHA-256 is stored.

SHA-256 rather than argon2 on purpose: a token carries 256 random bits, so a slow hash adds nothing but
latency to every request, while passwords (low entropy) get argon2 (see passwords.py)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from baton.shared.actor import Actor

PREFIX = "bt_"  # recognisable in logs and secret scanners


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ApiToken:
    id: str
    name: str
    role: str
    locations: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    token_hash: str = field(default="", repr=False)

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def actor(self) -> Actor:
        return Actor("token", self.id, self.name, self.role, frozenset(self.locations))

    def snapshot(self) -> dict:
        """What the audit log keeps of a token (never its secret or hash)."""
        return {"name": self.name, "role": self.role, "locations": self.locations,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None}
