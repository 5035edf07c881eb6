"""Console users and their sessions: who may sign in, and the lock-out after repeated failures.

Plain Python: the service layer (console.py) checks passwords and keeps the rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email

from baton.identity.permissions import LOCATION_SCOPED, Action, Role, allows
from baton.shared.actor import Actor
from baton.shared.errors import InvalidInput

MAX_FAILURES = 5  # consecutive failed sign-ins that lock an account ...
LOCK_FOR = timedelta(minutes=15)  # ... for this long; every further 5 failures lock it again


@dataclass
class User:
    id: str
    email: str
    name: str
    role: str
    locations: list[str]
    created_at: datetime
    updated_at: datetime
    password_hash: str = field(default="", repr=False)
    failed_sign_ins: int = 0  # consecutive; reset by a successful sign-in or a new password
    locked_until: datetime | None = None
    active: bool = True

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    @property
    def may_sign_in(self) -> bool:
        """Active, and of a role that uses the console (integration users never do)."""
        return self.active and allows(self.role, Action.CONSOLE_SIGN_IN)

    def sign_in_failed(self, now: datetime) -> None:
        """Count a wrong password; every MAX_FAILURES-th in a row locks the account for LOCK_FOR."""
        self.failed_sign_ins += 1
        if self.failed_sign_ins % MAX_FAILURES == 0:
            self.locked_until = now + LOCK_FOR
        self.updated_at = now

    def signed_in(self, now: datetime) -> None:
        self.failed_sign_ins = 0
        self.locked_until = None
        self.updated_at = now

    def new_password(self, password_hash: str, now: datetime) -> None:
        """A new password also lifts a lock-out: whoever set it knows the account is theirs."""
        self.password_hash = password_hash
        self.failed_sign_ins = 0
        self.locked_until = None
        self.updated_at = now

    def actor(self) -> Actor:
        return Actor("user", self.id, self.email, self.role, frozenset(self.locations))

    def snapshot(self) -> dict:
        """What the audit log keeps of a user (never the password hash)."""
        return {"email": self.email, "name": self.name, "role": self.role, "locations": self.locations,
                "active": self.active,
                "locked_until": self.locked_until.isoformat() if self.locked_until else None}


@dataclass
class ConsoleSession:
    """A signed-in browser. The cookie holds a random value; only its SHA-256 (`id_hash`) is stored."""

    id_hash: str
    user_id: str
    csrf_token: str  # the hidden field every form of this session must send back
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    source_address: str | None = None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def session_hash(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode("utf-8", "surrogatepass")).hexdigest()


def normalise_email(email: str) -> str:
    """How emails are stored and looked up: trimmed and lower-case (sign-in ignores case)."""
    return email.strip().lower()


def checked_email(email: str) -> str:
    """A valid email address, normalised; InvalidInput naming `email` otherwise."""
    try:
        return normalise_email(validate_email(email.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise InvalidInput("email", f"is not a valid email address ({error}).") from None


def checked_role(role: str) -> Role:
    try:
        role_ = Role(role)
    except ValueError:
        raise InvalidInput("role", f"must be one of {', '.join(r.value for r in Role)}.") from None
    if not allows(role_, Action.CONSOLE_SIGN_IN):
        raise InvalidInput("role", f"the {role_.value} role never signs in to the console; give the system an API "
                                   "token instead (`baton tokens create`).")
    return role_


def checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name", "must be 1 to 200 characters.")
    return name


def checked_locations(role: Role, locations: list[str]) -> list[str]:
    codes = sorted({code.strip() for code in locations if code.strip()})
    if role in LOCATION_SCOPED and not codes:
        raise InvalidInput("locations", f"a {role.value} user works for named locations; give at least one.")
    return codes
