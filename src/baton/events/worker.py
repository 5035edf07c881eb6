"""The worker: fans the outbox out to webhook subscriptions and delivers what is due, at least once.

State lives in the database only, so any number of workers may run (PostgreSQL: each delivery is claimed with
FOR UPDATE SKIP LOCKED and stays locked while it is sent, so it is in flight in one worker at most; a worker
that dies releases its lock with its connection and the delivery is sent again). On SQLite run one worker: it
reads a due delivery, sends it outside any transaction (the database has one writer) and then records it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

import httpx

from baton.adapters.db.uow import UnitOfWork
from baton.adapters.db.webhook_repository import Job
from baton.adapters.events import open_sink
from baton.bootstrap import Container
from baton.events import catalogue, delivery, destinations, stream
from baton.events.webhooks import DeliveryStatus, after_failure, disabled_notice, should_disable
from baton.notifications import dispatch as notifications
from baton.shared.clock import utcnow

log = logging.getLogger("baton.worker")
BATCH = 20  # deliveries (and outbox events fanned out) per pass: small, so a stop request is honoured quickly
IDLE_SECONDS = 1.0  # how long an idle worker waits before looking again


@dataclass
class Pass:
    fanned_out: int = 0
    delivered: int = 0
    failed: int = 0
    notified: int = 0  # customer messages attempted
    streamed: int = 0  # events published on the event stream

    @property
    def busy(self) -> bool:
        return bool(self.fanned_out or self.delivered or self.failed or self.notified or self.streamed)


def run_once(container: Container, client: httpx.Client, batch: int = BATCH,
             sink: stream.Sink | None = None) -> Pass:
    """One pass: fan out up to `batch` events (queued for webhooks, notifications and the stream), publish the
    stream, then attempt up to `batch` due deliveries, each in its own transaction. Without a `sink` the
    configured one is opened for this pass."""
    done = Pass()
    with container.uow() as uow:
        now = utcnow()
        events = uow.webhooks.fan_out(now, batch)
        notifications.enqueue(uow, events, now)
        stream.enqueue(uow, events, now)
        uow.commit()
    done.streamed = _publish(container, sink, batch)
    done.fanned_out = len(events)
    for _ in range(batch):
        outcome = deliver_next(container, client)
        if outcome is None:
            break
        if outcome.delivered:
            done.delivered += 1
        else:
            done.failed += 1
    done.notified = notifications.send_due(container, batch)
    return done


def run(container: Container, stop: threading.Event, batch: int = BATCH, idle: float = IDLE_SECONDS) -> None:
    """Pass after pass until `stop` is set (the CLI sets it on SIGTERM/SIGINT); the current delivery finishes."""
    sink = open_sink(container.settings)
    try:
        with delivery.client() as client:
            while not stop.is_set():
                try:
                    busy = run_once(container, client, batch, sink).busy
                except Exception:  # a database hiccup must not end the worker; the next pass retries
                    log.exception("worker pass failed")
                    busy = False
                if not busy:
                    stop.wait(idle)
    finally:
        if sink is not None:
            sink.close()


def _publish(container: Container, sink: stream.Sink | None, batch: int) -> int:
    if sink is not None:
        return stream.publish_due(container, sink, batch)
    opened = open_sink(container.settings)
    if opened is None:
        return 0
    try:
        return stream.publish_due(container, opened, batch)
    finally:
        opened.close()


def deliver_next(container: Container, client: httpx.Client) -> delivery.Outcome | None:
    """Claim the next due delivery, send it, record the attempt. None when nothing is due."""
    if container.engine.dialect.name == "postgresql":
        with container.uow() as uow:  # the row stays locked while it is sent: no other worker sends it too
            job = uow.webhooks.claim_due(utcnow(), lock=True)
            if job is None:
                return None
            outcome = _send(client, job, container.settings.webhooks_allow_private)
            _record(uow, job, outcome, utcnow())
            uow.commit()
        return outcome
    with container.reader() as uow:
        job = uow.webhooks.claim_due(utcnow(), lock=False)
    if job is None:
        return None
    outcome = _send(client, job, container.settings.webhooks_allow_private)
    with container.uow() as uow:
        _record(uow, job, outcome, utcnow())
        uow.commit()
    return outcome


def _send(client: httpx.Client, job: Job, allow_private: bool) -> delivery.Outcome:
    try:  # checked again at every delivery: what the name resolves to may have changed since it was subscribed
        to = destinations.destination(job.url, allow_private)
    except destinations.Refused as refusal:
        return delivery.refused(str(refusal))
    e = job.event
    message = catalogue.envelope(e["id"], e["type"], e["version"], e["order_id"], e["sequence"], e["occurred_at"],
                                 e["payload"])
    return delivery.post(client, to, job.secret, e["id"], int(utcnow().timestamp()), catalogue.body(message))


def _record(uow: UnitOfWork, job: Job, outcome: delivery.Outcome, now: datetime) -> None:
    if outcome.delivered:
        status, next_at = DeliveryStatus.DELIVERED, now
    else:
        later = after_failure(job.attempts + 1, job.window_start, now)
        status, next_at = later.status, later.next_attempt_at
    uow.webhooks.record_attempt(job, now, outcome.status_code, outcome.latency_ms, outcome.response_excerpt,
                                outcome.error, status, next_at)
    if outcome.delivered:
        if job.failing_since is not None:
            uow.webhooks.failing(job.subscription_id, None)
        return
    failing_since = job.failing_since or now
    if job.failing_since is None:
        uow.webhooks.failing(job.subscription_id, now)
    if should_disable(failing_since, now) and uow.webhooks.disable(job.subscription_id, now):
        uow.audit.record("webhook.disabled", "webhook", job.subscription_id, {"status": "active"},
                         {"status": "disabled", "failing_since": failing_since.isoformat()})
        subject, body = disabled_notice(job.subscription_id, job.url, failing_since, uow.settings.public_url)
        for address in uow.webhooks.admin_addresses():  # sent by the notifications sender, like every mail
            uow.mail.add("webhook_disabled", address, subject, body)
        log.warning("webhook %s disabled: its deliveries failed since %s", job.subscription_id, failing_since)
