"""Two `baton worker` processes on PostgreSQL share 1,000 deliveries: each is sent once, and never the same event
by both at the same time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton.bootstrap import Container
from baton.events import services
from tests.e2e.receiver import Receiver
from tests.e2e.test_worker_crash import EVENTS, outbox, streamed_ids, undelivered, wait_until, worker_process

pytestmark = pytest.mark.xdist_group("worker")


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite runs one worker
def test_two_workers_deliver_1000_events_each_once_and_never_one_twice_at_once(
        container: Container, tmp_path: Path) -> None:
    events_file = tmp_path / "stream.jsonl"
    with Receiver(hold_until_concurrent=True) as receiver:
        _subscription, receiver.secret = services.subscribe(container.uow(), receiver.url, ["*"])
        ids = outbox(container)

        with worker_process(container, events_file), worker_process(container, events_file):
            assert receiver.wait_for(ids), f"{len(ids - set(receiver.arrivals))} event(s) never arrived"
            assert wait_until(lambda: undelivered(container) == 0)
            assert wait_until(lambda: streamed_ids(events_file) >= ids)

    assert receiver.overlaps == []  # no event was in flight in both workers at once
    assert receiver.max_in_flight >= 2  # the two workers did deliver at the same time
    assert set(receiver.arrivals) == ids and set(receiver.arrivals.values()) == {1}  # each exactly once
    assert len(ids) == EVENTS and receiver.bad_signatures == []
    lines = [json.loads(line) for line in events_file.read_text().splitlines() if line]
    assert len(lines) == EVENTS  # one publisher at a time: each event once on the stream too
    by_order: dict[str, list[int]] = {}
    for event in lines:
        by_order.setdefault(event["order_id"], []).append(event["sequence"])
    assert all(sequences == list(range(1, 11)) for sequences in by_order.values())  # each order in sequence
