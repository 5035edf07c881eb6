"""Shopper access in the database: one-time codes, the mail outbox and rate-limit counters (Core)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository, upsert_insert
from baton.customers.access import CODE_MAX_ATTEMPTS, OneTimeCode
from baton.shared.clock import utcnow
from baton.shared.ids import new_id

_CODE_COLUMNS = [t.shopper_codes.c[name] for name in ("id", "order_id", "code_hash", "attempts", "created_at",
                                                       "expires_at", "used_at")]


class ShopperCodes(CoreRepository):
    def add(self, code: OneTimeCode) -> None:
        self.db.execute(insert(t.shopper_codes).values(
            id=code.id, order_id=code.order_id, code_hash=code.code_hash, attempts=code.attempts,
            created_at=code.created_at, expires_at=code.expires_at, used_at=code.used_at))

    def latest(self, order_id: str) -> OneTimeCode | None:
        """The newest code of the order: asking for a new code retires the older ones."""
        c = t.shopper_codes.c
        row = self.db.execute(select(*_CODE_COLUMNS).where(c.order_id == order_id)
                              .order_by(c.created_at.desc(), c.id.desc()).limit(1)).first()
        return OneTimeCode(*row) if row else None

    def spend_attempt(self, code_id: str, now: datetime) -> bool:
        """Count one attempt, atomically, while the code is still open; False when it is used, expired or
        out of attempts (a concurrent attempt waits for this one on PostgreSQL, and SQLite has one writer)."""
        c = t.shopper_codes.c
        result = self.db.execute(update(t.shopper_codes).where(
            c.id == code_id, c.used_at.is_(None), c.expires_at > now, c.attempts < CODE_MAX_ATTEMPTS,
        ).values(attempts=c.attempts + 1))
        return result.rowcount == 1

    def use(self, code_id: str, now: datetime) -> bool:
        """Mark the code used; False when someone used it first."""
        c = t.shopper_codes.c
        result = self.db.execute(update(t.shopper_codes).where(c.id == code_id, c.used_at.is_(None))
                                 .values(used_at=now))
        return result.rowcount == 1


class MailOutbox(CoreRepository):
    """Mail written in the transaction that decides to send it; the notifications worker delivers it."""

    def add(self, kind: str, to_address: str, subject: str, body: str) -> str:
        mail_id = new_id("mail")
        self.db.execute(insert(t.mail_outbox).values(id=mail_id, kind=kind, to_address=to_address, subject=subject,
                                                     body=body, created_at=utcnow(), sent_at=None))
        return mail_id


class RateLimits(CoreRepository):
    """Fixed-window counters in the database, so every process and machine shares one limit."""

    def hit(self, bucket: str, window_seconds: int, limit: int) -> int | None:
        """Count one hit; None while within `limit` for the current window, else the seconds until it ends.
        One atomic upsert: concurrent hits on the same bucket each see a distinct count."""
        now = utcnow()
        epoch = now.timestamp()
        start = int(epoch // window_seconds) * window_seconds
        window_start = datetime.fromtimestamp(start, UTC)
        table = t.rate_limits
        factory = upsert_insert(self.db.dialect.name)
        upsert = factory(table).values(bucket=bucket, window_start=window_start, hits=1).on_conflict_do_update(
            index_elements=[table.c.bucket, table.c.window_start], set_={"hits": table.c.hits + 1})
        hits = int(self.db.execute(upsert.returning(table.c.hits)).scalar_one())
        if hits == 1:  # a new window: the bucket's older windows are of no further use
            self.db.execute(delete(table).where(table.c.bucket == bucket, table.c.window_start < window_start))
        if hits <= limit:
            return None
        return max(1, math.ceil(start + window_seconds - epoch))

    def prune(self, before: datetime) -> int:
        """Forget windows that started before `before` (for buckets never hit again)."""
        return self.db.execute(delete(t.rate_limits).where(t.rate_limits.c.window_start < before)).rowcount
