"""Hot reads: the few fixed statements that run on (nearly) every request of the busiest routes.

On PostgreSQL they run on the driver's own connection as server-side prepared statements: no SQLAlchemy
statement building or execution context, which was ~40 % of the CPU of a tracking lookup or a token check
(bench/RESULTS.md). Elsewhere (SQLite) they run as a typed `text()` statement through SQLAlchemy. The caller
gets the same rows either way: tuples with attribute access, timestamps as aware UTC datetimes."""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, Executable, TextClause, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

from baton.adapters.db.schema import TS, UTCDateTime

_PARAM = re.compile(r"(?<![:\w]):(\w+)")
_PG = postgresql.dialect()
_SIZE = re.compile(r"\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\)")  # VARCHAR(64), NUMERIC(10, 2), TIMESTAMP(6) WITH TIME ZONE


class HotRead:
    """One fixed read. `sql` uses `:name` parameters; a parameter listed in `lists` (with its elements' type)
    takes a list of values and must appear as `IN :name` (PostgreSQL receives it as one array, `any_of`: one
    prepared statement for any length, planned once)."""

    def __init__(self, sql: str, columns: dict[str, TypeEngine[Any]],
                 lists: dict[str, TypeEngine[Any]] | None = None):
        statement = text(sql).columns(**columns)
        if lists:
            statement = statement.bindparams(*(bindparam(name, expanding=True) for name in lists))
        self.statement = statement
        pg = sql
        for name, kind in (lists or {}).items():
            pg = pg.replace(f"IN :{name}", any_of(name, kind.compile(dialect=_PG)))
        self.pg_sql = _PARAM.sub(r"%(\1)s", pg)
        self.row = namedtuple("Row", list(columns))  # type: ignore[misc]
        self.utc = [i for i, kind in enumerate(columns.values()) if isinstance(kind, UTCDateTime)]

    def rows(self, conn: Connection, **params: Any) -> list[Any]:
        if conn.dialect.name != "postgresql":
            return list(conn.execute(self.statement, params))
        rows = on_driver(conn, self.pg_sql, lambda cur: cur.execute(self.pg_sql, params, prepare=True).fetchall())
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


def any_of(name: str, element_type: str) -> str:
    """`= ANY(%(name)s)`, with the array behind a sub-select the planner cannot look into. Given the array
    itself, PostgreSQL plans the prepared statement anew on every execution: it takes an unseen array to be
    longer than the ones it is shown, so the generic plan never looks cheaper. Planning was over a third of the
    server's CPU for an availability read (bench/RESULTS.md); behind the sub-select every plan is the same and
    the cached, generic one is used from the sixth execution on. The elements are cast to `element_type` without
    its length or precision (VARCHAR(64) -> VARCHAR): such a cast would cut a longer value to fit, and match it."""
    base = _SIZE.sub("", element_type)
    return f"= ANY((SELECT %({name})s::{base}[])::{base}[])"


@contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """Statements that return nothing, sent together and synchronised once (PostgreSQL's pipeline mode): one round
    trip instead of one each. Elsewhere they run one by one as usual."""
    if conn.dialect.name != "postgresql":
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        with raw.pipeline():
            yield
    except conn.dialect.loaded_dbapi.Error as error:  # raised at the sync: wrapped, a dead connection invalidated
        conn._handle_dbapi_exception(error, None, None, None, None)


_CURSORS: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()  # psycopg connection -> its reused cursor


def on_driver(conn: Connection, sql: str, run: Callable[[Any], Any]) -> Any:
    """`run(cursor)` on the psycopg connection under `conn`, with its cursor reused (making one costs as much as a
    small query). A driver error is SQLAlchemy's error, as through `Connection.execute`: wrapped, and a dead
    connection invalidated, so the request answers 503 once (entrypoints/http/problems.py) and the pool heals."""
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        cur = _CURSORS.get(raw)
        if cur is None or cur.closed:
            cur = _CURSORS[raw] = raw.cursor()
        return run(cur)
    except conn.dialect.loaded_dbapi.Error as error:
        conn._handle_dbapi_exception(error, sql, None, None, None)


Build = Callable[[str], Executable]  # the statement for a dialect name ("postgresql", "sqlite")


@dataclass(frozen=True)
class _Bind:
    name: str
    default: Any
    required: bool
    process: Callable[[Any], Any] | None
    expanding: bool


@dataclass
class _Compiled:
    sql: str
    binds: tuple[_Bind, ...]
    types: tuple[TypeEngine[Any], ...]  # of the result columns
    row: Any  # a namedtuple class of the result columns (None for text(): plain tuples)
    returns_rows: bool  # a SELECT, a RETURNING, or text() (which may)
    results: tuple[Callable[[Any], Any] | None, ...] | None = None  # known from the first result's column types


class Prepared:
    """A fixed Core statement of the order-capture hot path, built once (at import), not per call.

    On PostgreSQL it is compiled once per process and run on psycopg's own connection, with SQLAlchemy's own
    bind and result processors (JSON, UTC timestamps): the same values go in and come out as through
    `Connection.execute`, without its per-call cache lookup, execution context and result set-up, which were
    ~45 % of an order's CPU (bench/RESULTS.md). Expanding `IN` parameters become `= ANY(array)` (`any_of`); driver
    errors are handed to SQLAlchemy, so a dropped connection is invalidated and answered as before. Elsewhere
    (SQLite) the statement runs through SQLAlchemy."""

    def __init__(self, statement: Executable | Build):
        self._build: Build = statement if callable(statement) else (lambda _dialect: statement)
        self._statements: dict[str, Executable] = {}
        self._compiled: _Compiled | None = None

    def rows(self, conn: Connection, params: dict[str, Any] | None = None) -> list[Any]:
        if conn.dialect.name != "postgresql":
            return list(conn.execute(self.statement(conn.dialect.name), params or {}))
        form = self._form(conn)
        values = _values(form, params or {})
        rows = self._run(conn, form, lambda cur: cur.execute(form.sql, values, prepare=True))
        if form.row is None:
            return rows
        if not any(form.results or ()):
            return [form.row._make(row) for row in rows]
        return [form.row._make([f(v) if f else v for f, v in zip(form.results, row, strict=True)])  # type: ignore[arg-type]
                for row in rows]

    def first(self, conn: Connection, params: dict[str, Any] | None = None) -> Any | None:
        rows = self.rows(conn, params)
        return rows[0] if rows else None

    def scalar(self, conn: Connection, params: dict[str, Any] | None = None) -> Any:
        """The first column of the first row; None without a row."""
        row = self.first(conn, params)
        return row[0] if row is not None else None

    def executemany(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """One statement, many parameter sets (pipelined by psycopg); for statements without a result."""
        if not rows:
            return
        if conn.dialect.name != "postgresql":
            conn.execute(self.statement(conn.dialect.name), rows)
            return
        form = self._form(conn)
        if len(rows) == 1:
            self.rows(conn, rows[0])
            return
        values = [_values(form, row) for row in rows]
        self._run(conn, form, lambda cur: cur.executemany(form.sql, values))

    def statement(self, dialect: str) -> Executable:
        if dialect not in self._statements:
            self._statements[dialect] = self._build(dialect)
        return self._statements[dialect]

    def _run(self, conn: Connection, form: _Compiled, call: Callable[[Any], Any]) -> list[tuple[Any, ...]]:
        def fetch(cur: Any) -> list[tuple[Any, ...]]:
            call(cur)
            if not form.returns_rows:  # nothing to wait for: inside `pipelined` it is only queued
                return []
            rows = cur.fetchall()  # (fetching is what waits for a pipelined result, not reading the description)
            if form.results is None:  # SQLAlchemy's result processors may depend on the column's type oid
                dialect = conn.dialect
                form.results = tuple(kind._cached_result_processor(dialect, column.type_code)
                                     for kind, column in zip(form.types, cur.description, strict=False))
            return rows

        return on_driver(conn, form.sql, fetch)

    def _form(self, conn: Connection) -> _Compiled:
        if self._compiled is None:
            self._compiled = _compile(self.statement("postgresql"), conn.dialect)
        return self._compiled


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    processors = compiled._bind_processors
    binds = tuple(_Bind(name, bind.value, bind.required, processors.get(name), bind.expanding)
                  for bind, name in compiled.bind_names.items())
    sql = compiled.string
    for bind, name in compiled.bind_names.items():
        if bind.expanding:
            sql = sql.replace(f"IN (__[POSTCOMPILE_{name}])", any_of(name, bind.type.compile(dialect=dialect)))
    if "__[POSTCOMPILE_" in sql:
        raise ValueError(f"a Prepared statement cannot expand this parameter: {sql}")
    columns = compiled._result_columns or []
    row = namedtuple("Row", [c.keyname for c in columns], rename=True) if columns else None
    returns_rows = bool(columns) or isinstance(statement, TextClause)
    return _Compiled(sql, binds, tuple(c.type for c in columns), row, returns_rows)


def _values(form: _Compiled, params: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for bind in form.binds:
        if bind.name in params:
            value = params[bind.name]
        elif bind.required:
            raise KeyError(f"missing parameter {bind.name!r} for: {form.sql}")
        else:
            value = bind.default() if callable(bind.default) else bind.default
        if bind.process is not None:  # for None too: a JSON column may store it as JSON null
            value = [bind.process(v) for v in value] if bind.expanding else bind.process(value)
        elif bind.expanding:
            value = list(value)
        values[bind.name] = value
    return values
