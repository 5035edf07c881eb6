"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_ignore(session: Session, table: Table, values: dict) -> bool:
    """INSERT that does nothing when the key exists; True when a row was inserted.
    On PostgreSQL a concurrent inserter of the same key is waited for first, so the answer is final."""
    return insert_ignore_conn(session.connection(), table, values)


def insert_ignore_conn(conn: Connection, table: Table, values: dict) -> bool:
    factory = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    key = next(iter(table.primary_key.columns))
    stmt = factory(table).values(**values).on_conflict_do_nothing().returning(key)
    return conn.execute(stmt).first() is not None


class CoreRepository:
    """A repository that speaks SQLAlchemy Core on the unit of work's connection (no ORM overhead)."""

    def __init__(self, session: Session):
        self.s = session
        self._db: Connection | None = None

    @property
    def db(self) -> Connection:
        # One unit of work is one transaction on one connection: ask the session once, not per statement.
        if self._db is None:
            self._db = self.s.connection()
        return self._db
