"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Executable, Table, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from baton.adapters.db.hot import Prepared

_IGNORING: dict[tuple[str, tuple[str, ...]], Prepared] = {}


def upsert_insert(dialect: str) -> Any:
    """The INSERT construct with ON CONFLICT of a dialect (PostgreSQL's or SQLite's)."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


def insert_ignore(session: Session, table: Table, values: dict) -> bool:
    """INSERT that does nothing when the key exists; True when a row was inserted.
    On PostgreSQL a concurrent inserter of the same key is waited for first, so the answer is final."""
    return insert_ignore_conn(session.connection(), table, values)


def insert_ignore_conn(conn: Connection, table: Table, values: dict) -> bool:
    columns = tuple(values)
    prepared = _IGNORING.get((table.name, columns))
    if prepared is None:  # one fixed statement per table and set of columns (the columns left out keep defaults)
        def build(dialect: str) -> Executable:
            key = next(iter(table.primary_key.columns))
            stmt = upsert_insert(dialect)(table).values({name: bindparam(name) for name in columns})
            return stmt.on_conflict_do_nothing().returning(key)
        prepared = _IGNORING[(table.name, columns)] = Prepared(build)
    return prepared.first(conn, values) is not None


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
