"""API tokens in the database (Core: the token lookup runs on every authenticated request)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.hot import HotRead
from baton.adapters.db.sql import CoreRepository
from baton.identity.tokens import ApiToken

TOKEN_COLUMNS = [t.api_tokens.c[name] for name in ("id", "name", "role", "locations", "created_by", "created_at",
                                               "expires_at", "revoked_at", "last_used_at", "token_hash")]


def token_of(row: Any) -> ApiToken:
    return ApiToken(row.id, row.name, row.role, list(row.locations), row.created_by, row.created_at,
                    row.expires_at, row.revoked_at, row.last_used_at, row.token_hash)


# Every authenticated request runs this: a hot read (prepared on PostgreSQL, see hot.py).
_BY_HASH = HotRead("SELECT id, name, role, locations, created_by, created_at, expires_at, revoked_at, last_used_at, "
                   "token_hash FROM api_tokens WHERE token_hash = :token_hash", {c.name: c.type for c in TOKEN_COLUMNS})


def token_by_hash(conn: Connection, token_hash: str) -> ApiToken | None:
    row = _BY_HASH.first(conn, token_hash=token_hash)
    return token_of(row) if row else None


def touch_token(conn: Connection, token_id: str, now: datetime) -> None:
    conn.execute(update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(last_used_at=now))


class Tokens(CoreRepository):
    def add(self, token: ApiToken) -> None:
        self.db.execute(insert(t.api_tokens).values(
            id=token.id, name=token.name, role=token.role, locations=token.locations, token_hash=token.token_hash,
            created_by=token.created_by, created_at=token.created_at, expires_at=token.expires_at))

    def get(self, token_id: str, *, lock: bool = False) -> ApiToken | None:
        stmt = select(*TOKEN_COLUMNS).where(t.api_tokens.c.id == token_id)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return token_of(row) if row else None

    def revoke(self, token_id: str, at: datetime) -> None:
        self.db.execute(update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(revoked_at=at))

    def page(self, limit: int, after: str | None) -> list[ApiToken]:
        stmt = select(*TOKEN_COLUMNS).order_by(t.api_tokens.c.id).limit(limit)
        if after:
            stmt = stmt.where(t.api_tokens.c.id > after)
        return [token_of(row) for row in self.db.execute(stmt)]
