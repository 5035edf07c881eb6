"""`baton worker`: deliver the outbox (webhooks) until stopped; `--once` runs one pass."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console
from baton.events import delivery
from baton.events import worker as events_worker


def worker(
    once: bool = typer.Option(False, "--once", help="Run one pass (fan out, deliver what is due) and exit."),
    batch: int = typer.Option(events_worker.BATCH, min=1, max=500, help="Events and deliveries per pass."),
) -> None:
    """Deliver webhooks from the outbox. On PostgreSQL run as many as you like, on any machine; on SQLite run one.
    SIGTERM or Ctrl-C stops it after the delivery in hand."""
    container = bootstrap()
    if once:
        with delivery.client() as client:
            done = events_worker.run_once(container, client, batch)
        console.print(f"Fanned out {done.fanned_out} event(s); delivered {done.delivered}, failed {done.failed}.")
        return
    stop = threading.Event()

    def stopping(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    console.print(f"Worker delivering from {container.engine.url.render_as_string()} (SIGTERM or Ctrl-C stops).")
    events_worker.run(container, stop, batch)
    console.print("Worker stopped.")
