"""Prepared statements of the capture hot path (adapters/db/hot.py) behave exactly as SQLAlchemy's execution:
the same values go in and come out on both databases, and a driver error is SQLAlchemy's error, with a dead
PostgreSQL connection invalidated so that the request answers 503 once and the next one works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from baton.adapters.db import tables as t
from baton.adapters.db.hot import Prepared, pipelined
from baton.bootstrap import Container
from baton.inventory.queries import stock_rows

AUDIT = t.audit_log.c
BY_ID = Prepared(select(t.audit_log).where(AUDIT.id == bindparam("id")))
BY_IDS = Prepared(select(AUDIT.id, AUDIT.after).where(AUDIT.id.in_(bindparam("ids", expanding=True)))
                  .order_by(AUDIT.id))
INSERT = Prepared(insert(t.audit_log))


def entry(n: int, **changes: object) -> dict[str, object]:
    return {"id": f"aud_test{n:04d}", "at": datetime(2026, 12, 7, 3, n % 60, tzinfo=UTC) + timedelta(microseconds=n),
            "actor_kind": "token", "actor_id": "tok_1", "actor_name": "test", "actor_role": None,
            "action": "order.place", "target_type": "order", "target_id": f"ord_{n}", "before": None,
            "after": {"number": f"BT-{n}", "lines": [1, 2], "note": "ünïcode"}, "source_address": None,
            "request_id": None, **changes}


def test_a_prepared_insert_and_select_store_and_read_what_sqlalchemy_does(container: Container) -> None:
    # given rows written by SQLAlchemy and by a prepared statement (one alone, two at once)
    with container.engine.begin() as conn:
        conn.execute(insert(t.audit_log), [entry(1)])
        INSERT.executemany(conn, [entry(2)])
        INSERT.executemany(conn, [entry(3), entry(4, before={"status": "placed"})])
    # when both read them back
    with container.engine.connect() as conn:
        core = {row.id: row._asdict() for row in conn.execute(select(t.audit_log))}
        prepared = {n: BY_ID.first(conn, {"id": f"aud_test{n:04d}"}) for n in range(1, 5)}
        many = BY_IDS.rows(conn, {"ids": ["aud_test0004", "aud_test0002", "aud_unknown"]})
        unknown = BY_ID.first(conn, {"id": "aud_unknown"})
    # then every value is the same, JSON null and aware UTC timestamps included
    for n in range(1, 5):
        row = prepared[n]
        assert row is not None
        assert row._asdict() == core[f"aud_test{n:04d}"]
        expected = entry(n, before={"status": "placed"}) if n == 4 else entry(n)
        assert row._asdict() == expected
        assert row.at.tzinfo is not None and row.at.utcoffset() == timedelta(0)
    assert [(r.id, r.after["number"]) for r in many] == [("aud_test0002", "BT-2"), ("aud_test0004", "BT-4")]
    assert unknown is None


def test_a_missing_parameter_is_refused_before_anything_is_sent(container: Container) -> None:
    row = entry(5)
    del row["action"]
    with container.engine.begin() as conn, pytest.raises((KeyError, DBAPIError)):
        INSERT.executemany(conn, [row])


def test_a_constraint_broken_inside_a_pipeline_is_sqlalchemys_integrity_error(container: Container) -> None:
    # given a row that exists
    with container.engine.begin() as conn:
        INSERT.executemany(conn, [entry(6)])
    # when the same key is inserted again among other statements sent together
    with pytest.raises(IntegrityError), container.engine.begin() as conn, pipelined(conn):
        INSERT.executemany(conn, [entry(7)])
        INSERT.executemany(conn, [entry(6)])
    # then nothing of that transaction was kept
    with container.engine.connect() as conn:
        assert BY_ID.first(conn, {"id": "aud_test0007"}) is None


def test_a_read_among_pipelined_statements_waits_for_its_rows(container: Container) -> None:
    # Given statements sent together (PostgreSQL's pipeline mode), a write and then a read of what it wrote
    with container.engine.begin() as conn, pipelined(conn):
        INSERT.executemany(conn, [entry(8)])
        INSERT.executemany(conn, [entry(9), entry(10)])
        # When the read's rows are asked for before the pipeline is synchronised
        found = BY_IDS.rows(conn, {"ids": ["aud_test0008", "aud_test0009", "aud_test0010"]})
    # Then they are there: fetching waits for them (an empty answer would be a silent lie)
    assert [row.id for row in found] == ["aud_test0008", "aud_test0009", "aud_test0010"]
    assert found[0].after == entry(8)["after"]


def test_a_list_parameter_matches_whole_values_only(container: Container) -> None:
    # Given a row whose key fills its column (audit ids are VARCHAR(40))
    key = "aud_" + "x" * 36
    with container.engine.begin() as conn:
        INSERT.executemany(conn, [entry(11, id=key)])
    # When a list parameter asks for that key with more characters after it, and for the key itself
    with container.engine.connect() as conn:
        longer = BY_IDS.rows(conn, {"ids": [key + "yz"]})
        exact = BY_IDS.rows(conn, {"ids": [key]})
    # Then only the key itself matches: the list is not cut to the column's length on the way in
    assert longer == [] and [row.id for row in exact] == [key]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # a property of PostgreSQL's plan cache
def test_a_list_parameter_is_planned_once_not_on_every_execution(container: Container) -> None:
    # Given prepared statements with a list parameter: a capture statement and a hot read (the availability's)
    with container.engine.begin() as conn:
        INSERT.executemany(conn, [entry(n) for n in range(12, 15)])
    # When each runs ten times on one connection, with lists of different lengths
    with container.reads.connect() as conn:
        for n in range(10):
            BY_IDS.rows(conn, {"ids": [f"aud_test{12 + i:04d}" for i in range(n % 3 + 1)]})
            stock_rows(conn, [f"SKU-{i}" for i in range(n % 4 + 1)])
        plans = conn.execute(text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
                                  "WHERE statement LIKE '%ANY(%' ORDER BY statement")).all()
    # Then PostgreSQL runs its cached generic plan instead of planning anew each time (it did, given the array
    # itself: an unseen array looked longer than the ones shown, so the generic plan never looked cheaper)
    assert len(plans) == 2, plans
    for statement, generic, custom in plans:
        assert custom <= 5 and generic >= 5, (statement, generic, custom)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite has no server connection to lose
def test_a_connection_killed_under_a_prepared_statement_is_invalidated(container: Container) -> None:
    with container.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with container.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            BY_ID.first(conn, {"id": "aud_test0001"})
        assert raised.value.connection_invalidated
    with container.engine.connect() as conn:  # the pool hands out a working connection again
        assert BY_ID.first(conn, {"id": "aud_test0001"}) is None


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_hot_read_whose_connection_died_answers_503_once_and_then_works(container: Container, shop,
                                                                        anonymous) -> None:
    # Given a tracked order, read once so that the pool holds a connection
    shop.product("SHIRT")
    shop.stock("WH-BER", "SHIRT", 5)
    tracking_id = shop.order([("SHIRT", 1)])["tracking_id"]
    assert anonymous.get(f"/api/v1/track/{tracking_id}").status_code == 200
    # When the database drops every connection of the app (a restart, a failover)
    with container.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    # Then the next read says so plainly and can be retried, and the retry is answered
    failed = anonymous.get(f"/api/v1/track/{tracking_id}")
    assert failed.status_code == 503 and failed.json()["code"] == "database_reconnecting"
    assert failed.headers["retry-after"] == "1"
    assert anonymous.get(f"/api/v1/track/{tracking_id}").status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_reads_have_a_pool_of_their_own_in_autocommit_and_close_with_the_engine(container: Container) -> None:
    # Given a read (the hot reads borrow these connections: no switching into autocommit and back per request)
    with container.reads.connect() as conn:
        assert conn.connection.driver_connection.autocommit is True
        assert conn.execute(text("SELECT 1")).scalar() == 1
    with container.engine.connect() as conn:  # writes keep their transactions
        assert conn.connection.driver_connection.autocommit is False
    assert container.reads is not container.engine and container.reads.pool.checkedin() == 1
    # When the application disposes its engine (shutdown, tests)
    container.engine.dispose()
    # Then the read pool is closed too: no connection is left behind
    assert container.reads.pool.checkedin() == 0


def test_json_that_orjson_refuses_is_still_read_back_as_stored(container: Container) -> None:
    # given documents with an integer beyond 64 bits and a lone surrogate escape, which orjson refuses to parse
    big = {"number": 123456789012345678901234567890, "text": "\ud800", "float": 0.1}
    with container.engine.begin() as conn:
        conn.execute(insert(t.audit_log), [entry(7, after=big), entry(8)])
    # when they are read back through SQLAlchemy and through a prepared statement
    with container.engine.connect() as conn:
        core = conn.execute(select(AUDIT.after).where(AUDIT.id == "aud_test0007")).scalar_one()
        prepared = BY_ID.first(conn, {"id": "aud_test0007"})
        plain = BY_ID.first(conn, {"id": "aud_test0008"})
    # then both give the document stored, and an ordinary one is unchanged
    assert core == big and prepared is not None and prepared.after == big
    assert plain is not None and plain.after == entry(8)["after"]
