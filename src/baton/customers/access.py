"""Shopper access: signed, expiring links and one-time codes that open one customer's orders, nothing else.

A shopper token is `shp_` + an itsdangerous-signed payload: the customer id, a short keyed hash of the
customer's email at the time of signing, and the moment it expires. The email hash makes a link die when the
customer's email changes or is pseudonymised on erasure; the expiry lives inside the signed payload (rather
than itsdangerous' own timestamp, which reads the system clock) so it is checked against Baton's clock.

One-time codes are six digits from `secrets`; only their keyed SHA-256 (HMAC, the pepper derived from the
secret key) is stored, with the code's id mixed in so two equal codes never share a hash."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from baton.shared.errors import Unauthenticated

PREFIX = "shp_"  # shopper tokens never look like API tokens (`bt_`), so neither is accepted for the other
MAX_TOKEN_LENGTH = 400
CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5
_NOT_DIGITS = re.compile(r"[^0-9]")


class BadShopperToken(Unauthenticated):
    def __init__(self) -> None:
        super().__init__("The link is wrong or has expired; ask for a new one.", code="invalid_shopper_token")


class WrongCode(Unauthenticated):
    """The one answer for every failed code: wrong, expired, used, locked, or no such order and email."""

    def __init__(self) -> None:
        super().__init__("The code is wrong or has expired.", code="invalid_code")


@dataclass(frozen=True)
class Grant:
    """A shopper token as handed out: the secret value and when it stops working."""

    token: str
    customer_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Claims:
    customer_id: str
    email_digest: str
    expires_at: datetime


@dataclass(frozen=True)
class OneTimeCode:
    id: str
    order_id: str
    code_hash: str
    attempts: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def open(self, now: datetime) -> bool:
        """Still worth checking: unused, unexpired, attempts left."""
        return self.used_at is None and now < self.expires_at and self.attempts < CODE_MAX_ATTEMPTS


class ShopperKeys:
    """Signs and checks shopper tokens and one-time codes with keys derived from the secret key."""

    def __init__(self, secret: str, link_hours: int):
        self.link_lifetime = timedelta(hours=link_hours)
        self._serializer = URLSafeSerializer(secret, salt="baton.shopper",
                                             signer_kwargs={"digest_method": hashlib.sha256})
        self._email_key = _derive(secret, "baton.shopper.email")
        self._code_key = _derive(secret, "baton.shopper.code")
        self._bucket_key = _derive(secret, "baton.shopper.bucket")

    # -- tokens -----------------------------------------------------------------------------------
    def issue(self, customer_id: str, email: str, now: datetime) -> Grant:
        expires_at = (now + self.link_lifetime).replace(microsecond=0)
        payload = {"c": customer_id, "e": self.email_digest(email), "x": int(expires_at.timestamp())}
        return Grant(PREFIX + str(self._serializer.dumps(payload)), customer_id, expires_at)

    def read(self, token: str, now: datetime) -> Claims:
        """The claims of a genuine, unexpired token; BadShopperToken for anything else."""
        if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_LENGTH:
            raise BadShopperToken()
        try:
            payload: Any = self._serializer.loads(token.removeprefix(PREFIX))
        except BadData:
            raise BadShopperToken() from None
        if not isinstance(payload, dict) or not all(isinstance(payload.get(k), t) for k, t in
                                                    (("c", str), ("e", str), ("x", int))):
            raise BadShopperToken()
        expires_at = datetime.fromtimestamp(payload["x"], UTC)
        if now >= expires_at:
            raise BadShopperToken()
        return Claims(payload["c"], payload["e"], expires_at)

    def email_digest(self, email: str) -> str:
        return hmac.new(self._email_key, normalise_email(email).encode(), hashlib.sha256).hexdigest()[:24]

    def same_email(self, claims: Claims, email: str) -> bool:
        return hmac.compare_digest(claims.email_digest, self.email_digest(email))

    # -- one-time codes ---------------------------------------------------------------------------
    def code_hash(self, code_id: str, code: str) -> str:
        return hmac.new(self._code_key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()

    def code_matches(self, stored: OneTimeCode, typed: str) -> bool:
        return hmac.compare_digest(stored.code_hash, self.code_hash(stored.id, normalise_code(typed)))

    # -- rate-limit buckets -----------------------------------------------------------------------
    def bucket(self, kind: str, value: str) -> str:
        """A rate-limit bucket name that does not store the email or address it counts."""
        digest = hmac.new(self._bucket_key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        return f"{kind}:{digest[:32]}"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_code(code: str) -> str:
    """Digits only: people type `123 456` or `123-456`."""
    return _NOT_DIGITS.sub("", code)


def _derive(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
