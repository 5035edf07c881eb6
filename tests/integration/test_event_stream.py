"""The event stream: every event fanned out is published once per pass, each order's events in sequence, to the
JSON-lines file (both databases) or NATS JetStream (the real server on loopback, when there is one)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from baton.adapters.db import tables as t
from baton.adapters.events.jsonl import JsonLinesSink
from baton.bootstrap import Container, bootstrap
from baton.entrypoints.cli.main import app as cli
from baton.events import stream, worker
from baton.events.catalogue import Published
from baton.shared.clock import utcnow
from baton.shared.messages import DomainEvent
from tests.conftest import Shop, unavailable

NATS_URL = "nats://127.0.0.1:4222"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def drain(container: Container, http: httpx.Client, sink: stream.Sink | None = None) -> None:
    for _ in range(200):
        if not worker.run_once(container, http, sink=sink).busy:
            return
    raise AssertionError("the worker never ran out of work")


def streamed(container: Container) -> list[dict[str, Any]]:
    path = Path(container.settings.events_file or "")
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def outbox_ids(container: Container) -> list[str]:
    with container.reader() as uow:
        return list(uow.session.connection().scalars(select(t.outbox.c.id)))


def queued(container: Container) -> int:
    with container.reader() as uow:
        return int(uow.session.connection().scalar(select(func.count()).select_from(t.stream_queue)) or 0)


def events_of(order_id: str, count: int) -> list[DomainEvent]:
    return [DomainEvent("order.edited", order_id, {"order_id": order_id, "n": n}) for n in range(count)]


def test_every_event_reaches_the_file_once_and_each_order_s_in_sequence(
        container: Container, shop: Shop, http: httpx.Client) -> None:
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    orders = [shop.order([("SKU-1", 1)]) for _ in range(3)]
    shop.ship_parcel(orders[0])

    drain(container, http)

    events = streamed(container)
    assert sorted(e["id"] for e in events) == sorted(outbox_ids(container))  # all, each once
    for order in orders:
        mine = [e for e in events if e["order_id"] == order["id"]]
        assert [e["sequence"] for e in mine] == list(range(1, len(mine) + 1))
        assert mine[0]["type"] == "order.placed" and mine[0]["data"]["number"] == order["number"]
    assert queued(container) == 0


def test_an_order_s_later_event_waits_for_an_earlier_one_queued_after_it_or_not_fanned_out_yet(
        container: Container) -> None:
    with container.uow() as uow:
        uow.messages.add(events_of("ord_x", 4), [])
        uow.commit()
    with container.reader() as uow:
        rows = uow.session.connection().execute(
            select(t.outbox).where(t.outbox.c.order_id == "ord_x").order_by(t.outbox.c.sequence)).all()
    events = [Published(r.id, r.type, r.version, r.order_id, r.sequence, r.occurred_at, r.payload) for r in rows]
    now = utcnow()
    with container.uow() as uow:  # two workers fanned out 3 then 2, each before the other committed; 1 is not yet
        uow.stream.enqueue([events[2]], now)
        uow.stream.enqueue([events[1]], now + timedelta(seconds=1))
        uow.session.connection().execute(t.outbox.update().where(t.outbox.c.id.in_([events[1].id, events[2].id]))
                                         .values(published_at=now))
        uow.commit()
    sink = Collector()
    assert stream.publish_due(container, sink, 1) == 0  # sequence 1 is not fanned out: 2 and 3 wait
    with container.uow() as uow:
        uow.session.connection().execute(t.outbox.update().where(t.outbox.c.id == events[0].id)
                                         .values(published_at=now))
        uow.stream.enqueue([events[0]], now + timedelta(seconds=2))  # queued last, published first
        uow.commit()
    assert stream.publish_due(container, sink, 1) == 3  # a batch of one takes its order's earlier events along
    assert [m["sequence"] for m in sink.messages] == [1, 2, 3]
    assert queued(container) == 0


class Collector:
    def __init__(self, fail: bool = False) -> None:
        self.messages: list[dict[str, Any]] = []
        self.fail = fail

    def publish(self, messages: list[dict[str, Any]]) -> None:
        if self.fail:
            raise ConnectionError("the stream is down")
        self.messages.extend(messages)

    def close(self) -> None:
        pass


def test_a_sink_that_fails_loses_nothing(container: Container, http: httpx.Client) -> None:
    with container.uow() as uow:
        uow.messages.add(events_of("ord_y", 3), [])
        uow.commit()
    down = Collector(fail=True)
    assert worker.run_once(container, http, sink=down).streamed == 0
    assert queued(container) == 3
    up = Collector()
    drain(container, http, up)
    assert [m["sequence"] for m in up.messages] == [1, 2, 3]


def test_a_rolled_back_change_puts_nothing_on_the_stream(container: Container, http: httpx.Client) -> None:
    with container.uow() as uow:
        uow.messages.add(events_of("ord_rolled_back", 2), [])  # never committed
    drain(container, http)
    assert streamed(container) == [] and queued(container) == 0


def test_the_stream_can_be_turned_off(container: Container, http: httpx.Client) -> None:
    off = bootstrap(container.settings.__class__(database_url=container.settings.database_url, events_file="off"))
    try:
        with off.uow() as uow:
            uow.messages.add(events_of("ord_z", 2), [])
            uow.commit()
        assert worker.run_once(off, http).fanned_out == 2
        assert queued(off) == 0
    finally:
        off.engine.dispose()


def test_events_tail_prints_the_file_s_events_filtered_by_type(
        container: Container, shop: Shop, http: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    order = shop.order([("SKU-1", 1)])
    drain(container, http)
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("BATON_EVENTS_FILE", str(container.settings.events_file))

    everything = CliRunner().invoke(cli, ["events", "tail", "--from-start", "--no-follow"])
    assert everything.exit_code == 0, everything.output
    lines = [json.loads(line) for line in everything.stdout.splitlines() if line.startswith("{")]
    assert [e["id"] for e in lines] == [e["id"] for e in streamed(container)]
    placed = CliRunner().invoke(cli, ["events", "tail", "--from-start", "--no-follow", "--type", "order.placed"])
    assert [json.loads(line)["order_id"] for line in placed.stdout.splitlines() if line.startswith("{")] == [
        order["id"]]
    bad = CliRunner().invoke(cli, ["events", "tail", "--type", "order.shipped"])
    assert bad.exit_code == 2 and "order.shipped" in bad.output


def test_the_jsonl_sink_appends_one_envelope_per_line(tmp_path: Path) -> None:
    sink = JsonLinesSink(tmp_path / "deep" / "events.jsonl")
    sink.publish([{"id": "evt_1", "type": "order.placed"}])
    sink.publish([{"id": "evt_2", "type": "order.placed"}, {"id": "evt_3", "type": "order.held"}])
    lines = (tmp_path / "deep" / "events.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["evt_1", "evt_2", "evt_3"]


# -- PostgreSQL: one publisher at a time --------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite: the writer lock does it
def test_only_one_worker_publishes_at_a_time_and_a_finished_one_lets_the_next_in(container: Container) -> None:
    with container.uow() as first:
        assert first.stream.lock_publisher()
        with container.uow() as second:
            assert not second.stream.lock_publisher()  # the first still publishes
    with container.uow() as third:
        assert third.stream.lock_publisher()  # the first's transaction ended: its lock went with it


# -- NATS JetStream --------------------------------------------------------------------------------------------------
@pytest.fixture
def nats_stream() -> Iterator[tuple[str, str]]:
    """A JetStream stream of this test's own on the local NATS server, deleted afterwards."""
    nats = pytest.importorskip("nats")
    name = f"BATON_TEST_{uuid.uuid4().hex[:8].upper()}"

    async def reachable() -> bool:
        try:
            client = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0,
                                        allow_reconnect=False)
        except Exception:
            return False
        await client.close()
        return True

    if not asyncio.run(reachable()):
        unavailable(f"NATS is missing: no NATS server with JetStream at {NATS_URL} (infrastructure, not a feature)")
    yield name, f"baton-test.{name.lower()}"

    async def delete() -> None:
        client = await nats.connect(NATS_URL)
        try:
            await client.jetstream().delete_stream(name)
        finally:
            await client.close()

    asyncio.run(delete())


def test_events_go_to_nats_jetstream_in_order_and_a_repeat_is_dropped(
        container: Container, http: httpx.Client, nats_stream: tuple[str, str]) -> None:
    from baton.adapters.events.nats import NatsSink, tail

    name, prefix = nats_stream
    with container.uow() as uow:
        uow.messages.add([*events_of("ord_n", 5), DomainEvent("inventory.low_stock", None, {"sku": "A"})], [])
        uow.commit()
    sink = NatsSink(NATS_URL, stream=name, prefix=prefix)
    try:
        drain(container, http, sink)
        again = [stream.message(e) for e in _published(container)]
        sink.publish(again[:2])  # a worker that died before recording its batch publishes it again
    finally:
        sink.close()

    received: list[dict[str, Any]] = []
    asyncio.run(tail(NATS_URL, received.append, from_start=True, keep_following=False, stream=name, prefix=prefix))
    assert sorted(e["id"] for e in received) == sorted(outbox_ids(container))  # the repeat was dropped
    assert [e["sequence"] for e in received if e["order_id"] == "ord_n"] == [1, 2, 3, 4, 5]
    assert {e["type"] for e in received} == {"order.edited", "inventory.low_stock"}


def _published(container: Container) -> list[Published]:
    with container.reader() as uow:
        rows = uow.session.connection().execute(select(t.outbox).order_by(t.outbox.c.sequence)).all()
    return [Published(r.id, r.type, r.version, r.order_id, r.sequence, r.occurred_at, r.payload) for r in rows]


