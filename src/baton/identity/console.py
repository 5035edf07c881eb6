"""Use cases of console users: create, set a password, sign in, look a session up, sign out (here or everywhere).

Passwords are checked outside any transaction (argon2 takes a tenth of a second; SQLite's writer lock must not
wait for it). The attempt is then settled under the user's row lock, where the lock-out is checked again: many
guesses fired at once all land after the fifth failure locked the account, and are refused whatever they were.
Before anything else, every attempt counts against its source address in the database-backed rate limiter, so
one address cannot try one password on many accounts (which the per-account lock-out would never notice)."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from baton.adapters.db.uow import UnitOfWork
from baton.adapters.db.user_repository import session_with_user, user_by_email
from baton.identity import passwords
from baton.identity.users import (
    ConsoleSession,
    User,
    checked_email,
    checked_locations,
    checked_name,
    checked_role,
    normalise_email,
    session_hash,
)
from baton.shared.actor import Actor
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput, NotFound, RateLimited, Unauthenticated
from baton.shared.ids import new_id

REFUSED = "Wrong email or password, or the account is locked for a while."
MAX_COOKIE = 128  # our cookie values are 43 characters; anything much longer is not ours
SIGN_INS_PER_SOURCE = 20  # attempts per source address and window, right or wrong, whatever the email
SIGN_IN_WINDOW = 15 * 60  # seconds


class SignInRefused(Unauthenticated):
    """The one answer to every failed sign-in, so it reveals neither which emails exist nor which are locked."""

    def __init__(self) -> None:
        super().__init__(REFUSED, code="sign_in_refused")


class UserNotFound(NotFound):
    def __init__(self, who: str) -> None:
        super().__init__(f"No console user {who}.", code="user_not_found")


@dataclass(frozen=True)
class SignedIn:
    """A live console session: who it is, and the CSRF token its forms carry."""

    actor: Actor  # named by the user's email
    name: str  # the user's display name
    csrf_token: str
    session_hash: str
    expires_at: datetime


def anonymous(source: str | None, request_id: str | None = None) -> Actor:
    """Who the audit log names for a sign-in attempt that did not succeed."""
    return Actor("system", "anonymous", "anonymous", source=source, request_id=request_id)


def create_user(uow: UnitOfWork, email: str, name: str, role: str, password: str,
                locations: Iterable[str] = ()) -> User:
    email_, name_, role_ = checked_email(email), checked_name(name), checked_role(role)
    codes = checked_locations(role_, list(locations))
    password_hash = passwords.hash_password(password)  # before the transaction: hashing is slow on purpose
    now = utcnow()
    with uow:
        for code in codes:
            if uow.locations.get(code) is None:
                raise InvalidInput("locations", f"no location with code {code}.")
        if uow.users.by_email(email_) is not None:
            raise _exists(email_)
        user = User(new_id("usr"), email_, name_, role_.value, codes, now, now, password_hash)
        try:
            uow.users.add(user)
        except IntegrityError:  # created at the same moment by someone else
            raise _exists(email_) from None
        uow.audit.record("user.create", "user", user.id, None, user.snapshot())
        uow.commit()
    return user


def set_password(uow: UnitOfWork, who: str, password: str) -> User:
    """A new password for a user (id or email); it lifts a lock-out and signs every session out."""
    password_hash = passwords.hash_password(password)
    now = utcnow()
    with uow:
        user = _find(uow, who)
        before = user.snapshot()
        user.new_password(password_hash, now)
        uow.users.save(user)
        revoked = uow.console_sessions.revoke_all(user.id, now)
        uow.audit.record("user.set_password", "user", user.id, before,
                         {**user.snapshot(), "password": "changed", "sessions_revoked": revoked})
        uow.commit()
    return user


def list_users(uow: UnitOfWork, limit: int = 10_000, after: str | None = None) -> list[User]:
    with uow:
        return uow.users.page(limit, after)


def sign_in(uow: UnitOfWork, email: str, password: str, source: str | None = None, *,
            request_id: str | None = None, hours: int = 12, secret_key: str = "") -> tuple[str, str]:
    """A new session: (cookie value, CSRF token). SignInRefused, with one message, for a wrong password, an
    unknown email, a locked or inactive account, or a role that never uses the console. Failures are counted
    and audited even though the attempt fails. RateLimited, before the password is looked at, once the source
    address made more than SIGN_INS_PER_SOURCE attempts in the current window; `secret_key` keys the hash that
    names the address's counter."""
    _throttle(uow, source, secret_key)
    address = normalise_email(email)
    with uow:  # a first look, so that no lock is held while hashing
        user = uow.users.by_email(address) if len(address) <= 320 else None
    reason = _refusal(user, utcnow())
    if user is None or reason:
        passwords.verify_nothing(password)  # as slow as a real check
        _refuse(uow, user, reason or "unknown_email", source, request_id)
    right = passwords.verify(user.password_hash, password)
    new_hash = passwords.hash_password(password) if right and passwords.needs_rehash(user.password_hash) else None
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with uow:
        now = utcnow()
        current = uow.users.get(user.id, lock=True)
        reason = _refusal(current, now)
        if current is not None and current.password_hash != user.password_hash:
            reason = reason or "password_changed"
        if current is not None and not reason:
            before = {"failed_sign_ins": current.failed_sign_ins, "locked_until": _iso(current.locked_until)}
            if not right:
                current.sign_in_failed(now)
                uow.users.save(current)
                uow.actor = anonymous(source, request_id)
                uow.audit.record("user.sign_in_failed", "user", current.id, before,
                                 {"failed_sign_ins": current.failed_sign_ins,
                                  "locked_until": _iso(current.locked_until), "reason": "wrong_password"})
                uow.commit()
                raise SignInRefused()
            current.signed_in(now)
            if new_hash:
                current.password_hash = new_hash
            uow.users.save(current)
            uow.console_sessions.purge_expired(current.id, now)
            session = ConsoleSession(session_hash(cookie), current.id, csrf, now, now + timedelta(hours=hours),
                                     source_address=source)
            uow.console_sessions.add(session)
            uow.actor = current.actor().at(source, request_id)
            uow.audit.record("user.sign_in", "user", current.id, before,
                             {"failed_sign_ins": 0, "locked_until": None,
                              "session_expires_at": _iso(session.expires_at)})
            uow.commit()
            return cookie, csrf
    # locked meanwhile (perhaps by guesses sent alongside this one), deactivated, or given a new password
    _refuse(uow, current, reason or "unknown_email", source, request_id)


def signed_in(reads: Engine, cookie: str | None) -> SignedIn | None:
    """The live session behind a cookie value; None when unknown, expired, revoked, or its user may no longer
    sign in."""
    if not cookie or len(cookie) > MAX_COOKIE:
        return None
    with reads.connect() as conn:
        found = session_with_user(conn, session_hash(cookie))
    if found is None:
        return None
    session, user = found
    if not session.usable(utcnow()) or not user.may_sign_in:
        return None
    return SignedIn(user.actor(), user.name, session.csrf_token, session.id_hash, session.expires_at)


def sign_out(uow: UnitOfWork, cookie: str) -> bool:
    """End this one session; False when it was not live. The uow's actor is whoever signs out."""
    id_hash = session_hash(cookie)
    with uow:
        session = uow.console_sessions.get(id_hash)
        if session is None or not uow.console_sessions.revoke(id_hash, utcnow()):
            return False
        uow.audit.record("user.sign_out", "user", session.user_id, None, {"sessions_revoked": 1})
        uow.commit()
    return True


def sign_out_everywhere(uow: UnitOfWork, who: str) -> int:
    """End every session of a user (id or email), in every browser; how many were live."""
    with uow:
        user = _find(uow, who)
        revoked = uow.console_sessions.revoke_all(user.id, utcnow())
        uow.audit.record("user.sign_out_everywhere", "user", user.id, None, {"sessions_revoked": revoked})
        uow.commit()
    return revoked


def user_with_email(reads: Engine, email: str) -> User | None:
    with reads.connect() as conn:
        return user_by_email(conn, normalise_email(email))


def source_bucket(source: str | None, secret_key: str) -> str:
    """The rate-limit bucket of a source address, named by a keyed hash so the table does not list addresses."""
    key = hmac.new(secret_key.encode(), b"baton.console.bucket", hashlib.sha256).digest()
    digest = hmac.new(key, (source or "unknown").encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return f"console.sign_in.source:{digest[:32]}"


def _throttle(uow: UnitOfWork, source: str | None, secret_key: str) -> None:
    """Count the attempt (committed on its own, so a refused attempt counts too); RateLimited when over."""
    with uow:
        retry_after = uow.rate_limits.hit(source_bucket(source, secret_key), SIGN_IN_WINDOW, SIGN_INS_PER_SOURCE)
        uow.commit()
    if retry_after is not None:
        minutes = math.ceil(retry_after / 60)
        raise RateLimited(f"Too many sign-in attempts from this address; try again in {minutes} minute"
                          f"{'' if minutes == 1 else 's'}.", retry_after)


def _refusal(user: User | None, now: datetime) -> str | None:
    if user is None:
        return "unknown_email"
    if not user.active:
        return "inactive"
    if not user.may_sign_in:
        return "role_without_console"
    if user.locked(now):
        return "locked"
    return None


def _refuse(uow: UnitOfWork, user: User | None, reason: str, source: str | None,
            request_id: str | None) -> NoReturn:
    """Audit the refused attempt (committed on its own) and raise the one generic error."""
    with uow:
        uow.actor = anonymous(source, request_id)
        uow.audit.record("user.sign_in_failed", "user", user.id if user else "unknown", None, {"reason": reason})
        uow.commit()
    raise SignInRefused()


def _find(uow: UnitOfWork, who: str) -> User:
    who = who.strip()
    user = uow.users.by_email(normalise_email(who), lock=True) if "@" in who else uow.users.get(who, lock=True)
    if user is None:
        raise UserNotFound(who)
    return user


def _exists(email: str) -> Conflict:
    return Conflict(f"A console user with email {email} exists already.", code="user_exists")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
