"""`baton serve` runs one outbox worker in-process by default (in the parent with --workers N), and none with
--no-worker (for deployments that run `baton worker` separately)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.bootstrap import Container
from baton.events import services
from tests.e2e.receiver import Receiver
from tests.e2e.server import BatonServer
from tests.e2e.test_worker_crash import outbox, streamed_ids, wait_until

pytestmark = pytest.mark.xdist_group("server")
RUNNING = "Outbox worker running in this process"


def served(container: Container, tmp_path: Path, *command: str) -> BatonServer:
    env = {"BATON_WEBHOOKS_ALLOW_PRIVATE": "1", "BATON_EVENTS_FILE": str(tmp_path / "stream.jsonl")}
    return BatonServer(container.settings.database_url, env=env, command=list(command))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_delivers_webhooks_and_the_stream_with_its_own_worker(container: Container, tmp_path: Path) -> None:
    with Receiver() as receiver, served(container, tmp_path, "serve") as server:
        _subscription, receiver.secret = services.subscribe(container.uow(), receiver.url, ["*"])
        ids = outbox(container, orders=5, per_order=4)
        assert receiver.wait_for(ids, timeout=60), server.output()
        assert wait_until(lambda: streamed_ids(tmp_path / "stream.jsonl") >= ids, timeout=60)
        assert server.output().count(RUNNING) == 1
    assert receiver.bad_signatures == []


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_serve_with_several_processes_runs_one_worker_in_the_parent(container: Container, tmp_path: Path) -> None:
    with Receiver() as receiver, served(container, tmp_path, "serve", "--workers", "2") as server:
        _subscription, receiver.secret = services.subscribe(container.uow(), receiver.url, ["*"])
        ids = outbox(container, orders=10, per_order=5)
        assert receiver.wait_for(ids, timeout=60), server.output()
        assert server.output().count(RUNNING) == 1  # the parent's, none in the two serving processes
    assert set(receiver.arrivals.values()) == {1}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_with_no_worker_leaves_the_outbox_to_baton_worker(container: Container, tmp_path: Path) -> None:
    with served(container, tmp_path, "serve", "--no-worker") as server:
        assert RUNNING not in server.output()
