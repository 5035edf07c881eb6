"""Console users and sessions in the database (Core: the session lookup runs on every console request)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository
from baton.identity.users import ConsoleSession, User

_USER_COLUMNS = [t.users.c[name] for name in ("id", "email", "name", "role", "locations", "created_at",
                                              "updated_at", "password_hash", "failed_sign_ins", "locked_until",
                                              "active")]
_SESSION_COLUMNS = [t.console_sessions.c[name] for name in ("id_hash", "user_id", "csrf_token", "created_at",
                                                            "expires_at", "revoked_at", "source_address")]


def _user(row: Any) -> User:
    return User(row.id, row.email, row.name, row.role, list(row.locations), row.created_at, row.updated_at,
                row.password_hash, row.failed_sign_ins, row.locked_until, bool(row.active))


def _session(m: Mapping[Any, Any], prefix: str = "") -> ConsoleSession:
    return ConsoleSession(*(m[prefix + c.name] for c in _SESSION_COLUMNS))


def user_by_email(conn: Connection, email: str) -> User | None:
    row = conn.execute(select(*_USER_COLUMNS).where(t.users.c.email == email)).first()
    return _user(row) if row else None


def session_with_user(conn: Connection, id_hash: str) -> tuple[ConsoleSession, User] | None:
    """A session and its user in one query (the console's per-request lookup)."""
    stmt = (select(*(c.label(f"session_{c.name}") for c in _SESSION_COLUMNS), *_USER_COLUMNS)
            .join_from(t.console_sessions, t.users, t.console_sessions.c.user_id == t.users.c.id)
            .where(t.console_sessions.c.id_hash == id_hash))
    row = conn.execute(stmt).first()
    return (_session(row._mapping, "session_"), _user(row)) if row else None


class Users(CoreRepository):
    def add(self, user: User) -> None:
        self.db.execute(insert(t.users).values(
            id=user.id, email=user.email, name=user.name, role=user.role, locations=user.locations,
            password_hash=user.password_hash, failed_sign_ins=user.failed_sign_ins, locked_until=user.locked_until,
            active=user.active, created_at=user.created_at, updated_at=user.updated_at))

    def get(self, user_id: str, *, lock: bool = False) -> User | None:
        return self._one(t.users.c.id == user_id, lock)

    def by_email(self, email: str, *, lock: bool = False) -> User | None:
        return self._one(t.users.c.email == email, lock)

    def save(self, user: User) -> None:
        """Write back what the domain may change: profile, password and sign-in state."""
        self.db.execute(update(t.users).where(t.users.c.id == user.id).values(
            name=user.name, role=user.role, locations=user.locations, password_hash=user.password_hash,
            failed_sign_ins=user.failed_sign_ins, locked_until=user.locked_until, active=user.active,
            updated_at=user.updated_at))

    def page(self, limit: int, after: str | None) -> list[User]:
        """By email, `after` being the last email of the previous page."""
        stmt = select(*_USER_COLUMNS).order_by(t.users.c.email).limit(limit)
        if after:
            stmt = stmt.where(t.users.c.email > after)
        return [_user(row) for row in self.db.execute(stmt)]

    def _one(self, where: Any, lock: bool) -> User | None:
        stmt = select(*_USER_COLUMNS).where(where)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return _user(row) if row else None


class ConsoleSessions(CoreRepository):
    def add(self, session: ConsoleSession) -> None:
        self.db.execute(insert(t.console_sessions).values(
            id_hash=session.id_hash, user_id=session.user_id, csrf_token=session.csrf_token,
            created_at=session.created_at, expires_at=session.expires_at, revoked_at=session.revoked_at,
            source_address=session.source_address))

    def get(self, id_hash: str) -> ConsoleSession | None:
        row = self.db.execute(select(*_SESSION_COLUMNS).where(t.console_sessions.c.id_hash == id_hash)).first()
        return _session(row._mapping) if row else None

    def revoke(self, id_hash: str, at: datetime) -> bool:
        """False when the session did not exist or was already revoked."""
        c = t.console_sessions.c
        result = self.db.execute(update(t.console_sessions).where(c.id_hash == id_hash, c.revoked_at.is_(None))
                                 .values(revoked_at=at))
        return bool(result.rowcount)

    def revoke_all(self, user_id: str, at: datetime) -> int:
        """Revoke every live session of a user; how many were live."""
        c = t.console_sessions.c
        result = self.db.execute(update(t.console_sessions)
                                 .where(c.user_id == user_id, c.revoked_at.is_(None), c.expires_at > at)
                                 .values(revoked_at=at))
        return int(result.rowcount)

    def purge_expired(self, user_id: str, now: datetime) -> None:
        """Forget a user's sessions that can no longer be used by anyone (kept small at each sign-in)."""
        c = t.console_sessions.c
        self.db.execute(delete(t.console_sessions).where(c.user_id == user_id, c.expires_at <= now))
