"""Engines for SQLite (embedded, WAL) and PostgreSQL, configured the same way for every process."""

from __future__ import annotations

import json
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

WRITE = {"baton_write": True}


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo)
    # No pre-ping: it costs a round trip per request. A connection found dead is invalidated by SQLAlchemy
    # and that one request answers 503 (see entrypoints/http/problems.py); recycling keeps them fresh.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_recycle=1800, echo=echo,
                         json_deserializer=json_loads)


def json_loads(document: str | bytes) -> Any:
    """JSON columns as read: orjson, a tenth of the CPU of the standard library's parser on the token, address
    and message documents of the hot paths. What orjson refuses but PostgreSQL and SQLite may store (an integer
    beyond 64 bits, a lone surrogate escape) is parsed by `json`, as before."""
    try:
        return orjson.loads(document)
    except orjson.JSONDecodeError:
        return json.loads(document)


def read_engine(engine: Engine, pool_size: int = 10) -> Engine:
    """Single-statement reads in autocommit on PostgreSQL: no BEGIN and ROLLBACK round trips around them.

    A pool of its own whose connections stay in autocommit: borrowing from the write pool switched every
    checkout into autocommit and back, about a fifth of a hot read's CPU (bench/RESULTS.md). No overflow: a
    read holds its connection for one statement, and the pools of every process together must stay within the
    server's max_connections at a peak. It is disposed with the write engine, so whoever disposes one closes both."""
    if engine.dialect.name != "postgresql":
        return engine
    reads = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=pool_size, max_overflow=0,
                          pool_recycle=1800, echo=engine.echo, json_deserializer=json_loads)
    event.listen(engine, "engine_disposed", lambda _engine: reads.dispose())
    return reads


def _sqlite_engine(url: str, echo: bool) -> Engine:
    # isolation_level=None hands transaction control to us, so a write transaction can start with
    # BEGIN IMMEDIATE: it takes the single writer lock up front instead of failing on upgrade.
    engine = create_engine(url, echo=echo, connect_args={"isolation_level": None, "timeout": 30},
                           json_deserializer=json_loads)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("baton_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine

