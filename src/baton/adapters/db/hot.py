"""Hot reads: the few fixed statements that run on (nearly) every request of the busiest routes.

On PostgreSQL they run on the driver's own connection as server-side prepared statements: no SQLAlchemy
statement building or execution context, which was ~40 % of the CPU of a tracking lookup or a token check
(bench/RESULTS.md). Elsewhere (SQLite) they run as a typed `text()` statement through SQLAlchemy. The caller
gets the same rows either way: tuples with attribute access, timestamps as aware UTC datetimes."""

from __future__ import annotations

import re
from collections import namedtuple
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.types import TypeEngine

from baton.adapters.db.schema import TS, UTCDateTime

_PARAM = re.compile(r"(?<![:\w]):(\w+)")


class HotRead:
    """One fixed read. `sql` uses `:name` parameters; a parameter listed in `lists` takes a list of values and
    must appear as `IN :name` (PostgreSQL receives it as `= ANY(array)`, one prepared statement for any length)."""

    def __init__(self, sql: str, columns: dict[str, TypeEngine[Any]], lists: tuple[str, ...] = ()):
        statement = text(sql).columns(**columns)
        if lists:
            statement = statement.bindparams(*(bindparam(name, expanding=True) for name in lists))
        self.statement = statement
        pg = sql
        for name in lists:
            pg = pg.replace(f"IN :{name}", f"= ANY(:{name})")
        self.pg_sql = _PARAM.sub(r"%(\1)s", pg)
        self.row = namedtuple("Row", list(columns))  # type: ignore[misc]
        self.utc = [i for i, kind in enumerate(columns.values()) if isinstance(kind, UTCDateTime)]

    def rows(self, conn: Connection, **params: Any) -> list[Any]:
        if conn.dialect.name != "postgresql":
            return list(conn.execute(self.statement, params))
        raw = conn.connection.driver_connection
        assert raw is not None
        rows = raw.execute(self.pg_sql, params, prepare=True).fetchall()
        if not self.utc:
            return [self.row(*row) for row in rows]
        return [self.row(*self._utc(row)) for row in rows]

    def first(self, conn: Connection, **params: Any) -> Any | None:
        rows = self.rows(conn, **params)
        return rows[0] if rows else None

    def _utc(self, row: tuple[Any, ...]) -> list[Any]:
        values = list(row)
        for i in self.utc:
            values[i] = TS.process_result_value(values[i], None)
        return values
