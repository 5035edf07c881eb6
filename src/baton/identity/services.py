"""Use cases of API tokens: create, list, revoke, and authenticate a request's bearer token."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy import Connection, Engine

from baton.adapters.db.engine import WRITE
from baton.adapters.db.identity_repository import token_by_hash, touch_token
from baton.adapters.db.uow import UnitOfWork
from baton.identity import tokens
from baton.identity.errors import BadToken, TokenNotFound
from baton.identity.permissions import LOCATION_SCOPED, Role
from baton.identity.tokens import ApiToken
from baton.shared.actor import Actor
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput
from baton.shared.ids import new_id

TokenLookup = Callable[[Connection, str], ApiToken | None]  # (connection, token hash) -> the token
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is a hint for operators, not worth a write per request


def create_token(uow: UnitOfWork, role: str, name: str, locations: Iterable[str] = (),
                 expires_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned once and never stored."""
    role_ = _role(role)
    if not name.strip() or len(name) > 120:
        raise InvalidInput("name", "give the token a name of 1 to 120 characters, e.g. 'shop-frontend'.")
    codes = sorted(set(locations))
    if role_ in LOCATION_SCOPED and not codes:
        raise InvalidInput("locations", f"a {role_.value} token works for named locations; give at least one.")
    if expires_days is not None and expires_days < 1:
        raise InvalidInput("expires_days", "must be 1 or more, or left out for a token that does not expire.")
    secret = tokens.new_secret()
    now = utcnow()
    with uow:
        for code in codes:
            if uow.locations.get(code) is None:
                raise InvalidInput("locations", f"no location with code {code}.")
        token = ApiToken(new_id("tok"), name, role_.value, codes, uow.actor.name[:120], now,
                         now + timedelta(days=expires_days) if expires_days else None,
                         token_hash=tokens.digest(secret))
        uow.tokens.add(token)
        uow.audit.record("token.create", "token", token.id, None, token.snapshot())
        uow.commit()
    return token, secret


def revoke_token(uow: UnitOfWork, token_id: str) -> ApiToken:
    with uow:
        token = uow.tokens.get(token_id, lock=True)
        if token is None:
            raise TokenNotFound(token_id)
        before = token.snapshot()
        if token.revoked_at is None:  # revoking twice keeps the first time
            token.revoked_at = utcnow()
            uow.tokens.revoke(token_id, token.revoked_at)
        uow.audit.record("token.revoke", "token", token_id, before, token.snapshot())
        uow.commit()
    return token


def list_tokens(uow: UnitOfWork, limit: int, after: str | None) -> list[ApiToken]:
    with uow:
        return uow.tokens.page(limit, after)


def authenticate(engine: Engine, conn: Connection, secret: str, lookup: TokenLookup = token_by_hash) -> Actor:
    """The actor behind a bearer token, or BadToken (wrong, revoked, expired). Looked up on every request,
    in the database: a revoked token stops working at once, in every process. `lookup` may read something
    else in the same round trip (adapters/db/fast_reads.py)."""
    if not secret.startswith(tokens.PREFIX) or len(secret) > 200:
        raise BadToken()
    token = lookup(conn, tokens.digest(secret))
    now = utcnow()
    if token is None or not token.usable(now):
        raise BadToken()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        with engine.execution_options(**WRITE).begin() as conn:
            touch_token(conn, token.id, now)
    return token.actor()


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput("role", f"must be one of {', '.join(r.value for r in Role)}.") from None
