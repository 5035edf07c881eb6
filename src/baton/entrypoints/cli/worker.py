"""`baton worker`: deliver the outbox (webhooks, notifications, the event stream) until stopped; `--once` runs one
pass. `embedded` is the same worker on a thread of `baton serve`."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import typer

from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.entrypoints.cli.output import console
from baton.events import delivery
from baton.events import worker as events_worker


def worker(
    once: bool = typer.Option(False, "--once", help="Run one pass (fan out, deliver what is due) and exit."),
    batch: int = typer.Option(events_worker.BATCH, min=1, max=500, help="Events and deliveries per pass."),
) -> None:
    """Deliver the outbox: webhooks, notifications and the event stream. On PostgreSQL run as many as you like, on
    any machine; on SQLite run one (and `baton serve --no-worker`). SIGTERM or Ctrl-C stops it after the delivery
    in hand; SIGKILL loses nothing either (what was in flight is sent again)."""
    container = bootstrap()
    if once:
        with delivery.client() as client:
            done = events_worker.run_once(container, client, batch)
        console.print(f"Fanned out {done.fanned_out} event(s); webhooks delivered {done.delivered}, failed "
                      f"{done.failed}; {done.notified} customer message(s) attempted; {done.streamed} published on "
                      "the event stream.")
        return
    stop = threading.Event()

    def stopping(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    console.print(f"Worker delivering from {container.engine.url.render_as_string()} (SIGTERM or Ctrl-C stops).")
    events_worker.run(container, stop, batch)
    console.print("Worker stopped.")


@contextmanager
def embedded(settings: Settings, *, enabled: bool = True) -> Iterator[None]:
    """`baton serve`'s worker: one on a thread of this process while the block runs, then stopped after the
    delivery in hand (a worker killed mid-delivery loses nothing either: the delivery is sent again)."""
    if not enabled:
        yield
        return
    container = bootstrap(settings)
    stop = threading.Event()
    thread = threading.Thread(target=events_worker.run, args=(container, stop), name="baton-outbox-worker",
                              daemon=True)
    thread.start()
    console.print("Outbox worker running in this process (--no-worker turns it off).")
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)
        container.engine.dispose()
