"""The worker's side of notifications: turn published events into messages, then send what is due.

`enqueue` runs in the worker's fan-out transaction: each event that is a moment (moments.py) becomes one message
per channel the customer agreed to, rendered now in the customer's language, keyed "<event id>:<channel>" so an
event fanned out twice queues once. `send_due` claims due messages and mail-outbox rows one at a time
(PostgreSQL: FOR UPDATE SKIP LOCKED, held while sending; SQLite: read, send, record), sends them and records the
outcome; a failure is tried again after a back-off and ends `failed` after MAX_ATTEMPTS. The order's timeline
gets its sentence when the message is sent or finally failed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from baton.adapters.notify import senders as configured_senders
from baton.events.catalogue import Published
from baton.notifications.context import OrderFacts, context
from baton.notifications.defaults import DEFAULTS
from baton.notifications.message import (
    Channel,
    Message,
    MessageStatus,
    Outcome,
    after_failure,
    sentence,
    skipped_sentence,
)
from baton.notifications.moments import WANTED, Moment, moment_of
from baton.notifications.ports import Email, EmailSender, Senders
from baton.notifications.preferences import Preferences
from baton.notifications.template import Rendered, TemplateProblem, language_for, render
from baton.shared.clock import utcnow
from baton.shared.ids import new_id
from baton.shared.messages import TimelineEntry

if TYPE_CHECKING:
    from baton.adapters.db.uow import UnitOfWork
    from baton.bootstrap import Container

log = logging.getLogger("baton.notifications")
ACTOR = "notifications"  # how the timeline names the sender
OPTED_OUT = "the customer opted out of email updates"


def enqueue(uow: UnitOfWork, events: list[Published], now: datetime) -> int:
    """Called in the worker's fan-out transaction with the events it publishes. Returns messages queued."""
    wanted = [e for e in events if e.order_id is not None and e.type in WANTED]
    if not wanted:
        return 0
    facts = uow.notifications.order_facts(sorted({e.order_id for e in wanted if e.order_id}))
    prefs = uow.notifications.preferences(sorted({f.customer_id for f in facts.values()}))
    rows: list[dict[str, Any]] = []
    for event in wanted:
        order = facts.get(event.order_id or "")
        if order is None or order.erased:
            continue
        moment = moment_of(event.type, event.payload, order.delivery_method)
        if moment is not None:
            rows.extend(_rows(uow, event, order, moment, prefs[order.customer_id], now))
    added = uow.notifications.add(rows)
    _tell_skipped(uow, [row for row in rows if row["status"] == str(MessageStatus.SKIPPED)], added)
    return len(added)


def send_due(container: Container, batch: int) -> int:
    """Send up to `batch` due messages, each recorded in its own transaction. Returns messages attempted."""
    senders = configured_senders(container.settings, container.engine)
    done = 0
    while done < batch and _next(container, _MessageJob(senders)):
        done += 1
    if senders.email is not None:
        mail = _MailJob(senders.email)
        while done < batch and _next(container, mail):
            done += 1
    return done


# -- queueing -------------------------------------------------------------------------------------------------
def _rows(uow: UnitOfWork, event: Published, order: OrderFacts, moment: Moment, prefs: Preferences,
          now: datetime) -> list[dict[str, Any]]:
    shipment_id = event.payload.get("shipment_id")
    parcel = uow.notifications.parcel(shipment_id) if isinstance(shipment_id, str) else None
    language = language_for(order.language_tag)
    values = context(order, event.payload, parcel, moment, uow.settings.seller_name, uow.settings.public_url)
    rendered = _render(uow, moment, language, values)
    if rendered is None:
        return []
    base = {"order_id": order.order_id, "event_id": event.id, "moment": str(moment), "language": language,
            "attempts": 0, "next_attempt_at": now, "created_at": now, "sent_at": None, "resend_of": None}
    email_status = MessageStatus.QUEUED if prefs.email else MessageStatus.SKIPPED
    rows = [{**base, "id": new_id("msg"), "key": f"{event.id}:email", "channel": str(Channel.EMAIL),
             "recipient": order.email, "subject": rendered.subject, "body": rendered.body,
             "status": str(email_status), "last_error": None if prefs.email else OPTED_OUT}]
    if prefs.sms and order.phone:  # SMS only with recorded consent, and a number to text
        rows.append({**base, "id": new_id("msg"), "key": f"{event.id}:sms", "channel": str(Channel.SMS),
                     "recipient": order.phone, "subject": None, "body": rendered.sms,
                     "status": str(MessageStatus.QUEUED), "last_error": None})
    return rows


def _render(uow: UnitOfWork, moment: Moment, language: str, values: dict[str, Any]) -> Rendered | None:
    """With the admin's template; if that fails on this order (it rendered for the sample), the built-in one, so
    the customer still hears. None only if even that fails (a bug: logged, the worker carries on)."""
    override = uow.notifications.override(str(moment), language)
    if override is not None:
        try:
            return render(override, values)
        except TemplateProblem as problem:
            log.warning("template %s/%s failed (%s); the built-in one is used", moment, language, problem)
    try:
        return render(DEFAULTS[language][moment], values)
    except TemplateProblem:
        log.exception("built-in template %s/%s failed", moment, language)
        return None


def _tell_skipped(uow: UnitOfWork, rows: list[dict[str, Any]], added: set[str]) -> None:
    entries = [TimelineEntry(row["order_id"], ACTOR, "notification_skipped",
                             skipped_sentence(Moment(row["moment"]), Channel(row["channel"]), row["last_error"]),
                             {"message_id": row["id"], "channel": row["channel"], "moment": row["moment"]})
               for row in rows if row["id"] in added]
    uow.messages.add([], entries)


# -- sending --------------------------------------------------------------------------------------------------
class _Job(Protocol):
    """One kind of thing to send: how to claim the next due item, send it, and record the outcome."""

    def claim(self, uow: UnitOfWork, now: datetime, lock: bool) -> Any: ...

    def send(self, item: Any) -> Outcome: ...

    def record(self, uow: UnitOfWork, item: Any, outcome: Outcome, now: datetime) -> None: ...


def _next(container: Container, job: _Job) -> bool:
    """Claim one due item, send it, record the outcome. False when nothing is due."""
    if container.engine.dialect.name == "postgresql":
        with container.uow() as uow:  # the row stays locked while it is sent: no other worker sends it too
            item = job.claim(uow, utcnow(), True)
            if item is None:
                return False
            outcome = _safely(job.send, item)
            job.record(uow, item, outcome, utcnow())
            uow.commit()
        return True
    with container.reader() as uow:
        item = job.claim(uow, utcnow(), False)
    if item is None:
        return False
    outcome = _safely(job.send, item)
    with container.uow() as uow:
        job.record(uow, item, outcome, utcnow())
        uow.commit()
    return True


def _safely(send: Callable[[Any], Outcome], item: Any) -> Outcome:
    try:
        return send(item)
    except Exception as failed:  # an adapter's bug must not stop the worker: the item is tried again
        log.exception("sending failed")
        return Outcome(False, f"{type(failed).__name__}: {failed}"[:300])


class _MessageJob:
    def __init__(self, senders: Senders):
        self.senders = senders

    def claim(self, uow: UnitOfWork, now: datetime, lock: bool) -> Message | None:
        channels = {Channel.SMS} | ({Channel.EMAIL} if self.senders.email is not None else set())
        return uow.notifications.claim_due(now, channels, lock=lock)  # email waits while no SMTP is configured

    def send(self, message: Message) -> Outcome:
        if message.channel is Channel.SMS:
            return self.senders.sms.send(message.id, message.recipient, message.body)
        assert self.senders.email is not None  # email is claimed only when a sender is configured
        return self.senders.email.send(Email(message.id, message.recipient, message.subject or "", message.body,
                                             message.language))

    def record(self, uow: UnitOfWork, message: Message, outcome: Outcome, now: datetime) -> None:
        if outcome.sent:
            status, next_at = MessageStatus.SENT, now
        else:
            status, next_at = after_failure(message.attempts + 1, outcome, now)
        if not uow.notifications.record(message, status, now, next_at, None if outcome.sent else outcome.error):
            return  # recorded by another worker meanwhile
        if status is MessageStatus.QUEUED:
            return  # tried again later: the timeline hears of it once it is settled
        text = sentence(message, outcome)
        if outcome.sent and message.channel is Channel.SMS and self.senders.sms.sandbox:
            text = text.rstrip(".") + " (SMS sandbox: recorded, not sent)."
        uow.messages.add([], [TimelineEntry(message.order_id, ACTOR, f"notification_{status}", text,
                                            {"message_id": message.id, "channel": str(message.channel),
                                             "moment": str(message.moment), "attempts": message.attempts + 1})])


class _MailJob:
    """The mail outbox: sign-in links and codes, admin notices (no timeline: they belong to no order)."""

    def __init__(self, sender: EmailSender):
        self.sender = sender

    def claim(self, uow: UnitOfWork, now: datetime, lock: bool) -> dict[str, Any] | None:
        return uow.notifications.claim_mail(now, lock=lock)

    def send(self, mail: dict[str, Any]) -> Outcome:
        return self.sender.send(Email(mail["id"], mail["to_address"], mail["subject"], mail["body"]))

    def record(self, uow: UnitOfWork, mail: dict[str, Any], outcome: Outcome, now: datetime) -> None:
        if outcome.sent:
            status, next_at = "sent", now
        else:
            failed, next_at = after_failure(mail["attempts"] + 1, outcome, now)
            status = "failed" if failed is MessageStatus.FAILED else "queued"
        uow.notifications.record_mail(mail, status, now, next_at, None if outcome.sent else outcome.error)
