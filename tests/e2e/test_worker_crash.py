"""A `baton worker` killed with SIGKILL in the middle of a delivery loses nothing: a new worker delivers every
event at least once, signed, and the one that was in flight again (both databases)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bench.processes import baton_command
from sqlalchemy import func, select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.events import services
from baton.shared.messages import DomainEvent
from tests.e2e.receiver import Receiver

pytestmark = pytest.mark.xdist_group("worker")
EVENTS = 1000


def outbox(container: Container, orders: int = 100, per_order: int = EVENTS // 100) -> set[str]:
    """`orders` × `per_order` events written as the services write them, one transaction per order."""
    ids: set[str] = set()
    for n in range(orders):
        order_id = f"ord_{n:04d}"
        events = [DomainEvent("order.edited", order_id, {"order_id": order_id, "n": i}) for i in range(per_order)]
        with container.uow() as uow:
            uow.messages.add(events, [])
            uow.commit()
        ids.update(e.id for e in events)
    return ids


@contextmanager
def worker_process(container: Container, events_file: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real `baton worker` on the test's database; its output in a file (a pipe could fill and block it)."""
    env = {**os.environ, "BATON_DATABASE_URL": container.settings.database_url, "PYTHONUNBUFFERED": "1",
           "BATON_WEBHOOKS_ALLOW_PRIVATE": "1", "BATON_EVENTS_FILE": str(events_file)}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([*baton_command(), "worker"], env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()  # SIGTERM: the worker finishes the delivery in hand and stops
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.seek(0)
            output = log.read().decode(errors="replace")
            assert "Traceback" not in output, output


def undelivered(container: Container) -> int:
    with container.reader() as uow:
        return int(uow.session.connection().scalar(select(func.count()).select_from(t.webhook_deliveries).where(
            t.webhook_deliveries.c.status != "delivered")) or 0)


def streamed_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {json.loads(line)["id"] for line in path.read_text().splitlines() if line.endswith("}")}


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> bool:
    """Poll a condition with a deadline (the worker is another process: there is nothing to wait on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_mid_delivery_loses_nothing(container: Container, tmp_path: Path) -> None:
    events_file = tmp_path / "stream.jsonl"
    with Receiver(hold_request=250) as receiver:
        _subscription, receiver.secret = services.subscribe(container.uow(), receiver.url, ["*"])
        ids = outbox(container)

        with worker_process(container, events_file) as first:
            assert receiver.holding.wait(timeout=120), "the worker never reached the 250th delivery"
            os.kill(first.pid, signal.SIGKILL)  # while the 250th delivery waits for its answer
            assert first.wait(timeout=30) == -signal.SIGKILL
        receiver.release.set()
        held = receiver.held_id
        assert held is not None and len(receiver.arrivals) < EVENTS

        with worker_process(container, events_file):
            assert receiver.wait_for(ids), f"{len(ids - set(receiver.arrivals))} event(s) never arrived"
            assert wait_until(lambda: undelivered(container) == 0)
            assert wait_until(lambda: streamed_ids(events_file) >= ids), "the stream lost events"

    assert set(receiver.arrivals) == ids  # every event arrived, none is missing, nothing unknown came
    assert receiver.arrivals[held] >= 2  # the delivery in flight when the worker died was sent again
    assert receiver.bad_signatures == []
