"""Customer notifications with Core: templates, preferences, the facts messages are written from, queued
messages and the mail outbox (claimed like webhook deliveries: FOR UPDATE SKIP LOCKED on PostgreSQL, so a
message is in flight in one worker at most; SQLite ignores the clause and runs one worker)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.hot import Prepared
from baton.adapters.db.sql import CoreRepository, insert_ignore_conn, upsert_insert
from baton.notifications.context import OrderFacts, Parcel
from baton.notifications.message import Channel, Message, MessageStatus
from baton.notifications.moments import Moment
from baton.notifications.preferences import Preferences
from baton.notifications.template import Template

_M, _T, _P, _X = (t.notification_messages.c, t.notification_templates.c, t.notification_preferences.c,
                  t.mail_outbox.c)
_OVERRIDE = Prepared(select(_T.subject, _T.body, _T.sms).where(_T.moment == bindparam("moment"),
                                                               _T.language == bindparam("language")))


class Notifications(CoreRepository):
    # -- templates -----------------------------------------------------------------------------------------
    def overrides(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(row.moment, row.language): dict(row._mapping) for row in self.db.execute(
            select(t.notification_templates))}

    def override(self, moment: str, language: str) -> Template | None:
        row = _OVERRIDE.first(self.db, {"moment": moment, "language": language})
        return Template(row.subject, row.body, row.sms) if row else None

    def save_template(self, moment: str, language: str, template: Template, by: str, at: datetime) -> None:
        values = {"subject": template.subject, "body": template.body, "sms": template.sms, "updated_at": at,
                  "updated_by": by}
        self.db.execute(self._upsert(t.notification_templates, {"moment": moment, "language": language, **values},
                                     [_T.moment, _T.language], values))

    def delete_template(self, moment: str, language: str) -> bool:
        return bool(self.db.execute(delete(t.notification_templates).where(
            _T.moment == moment, _T.language == language)).rowcount)

    # -- preferences ---------------------------------------------------------------------------------------
    def preferences(self, customer_ids: list[str]) -> dict[str, Preferences]:
        found = {row.customer_id: Preferences(row.customer_id, row.email, row.sms_consent_at, row.sms_consent_by,
                                              row.updated_at)
                 for row in self.db.execute(select(t.notification_preferences).where(
                     _P.customer_id.in_(customer_ids)))} if customer_ids else {}
        return {cid: found.get(cid) or Preferences(cid) for cid in customer_ids}

    def save_preferences(self, p: Preferences) -> None:
        values = {"email": p.email, "sms_consent_at": p.sms_consent_at, "sms_consent_by": p.sms_consent_by,
                  "updated_at": p.updated_at}
        self.db.execute(self._upsert(t.notification_preferences, {"customer_id": p.customer_id, **values},
                                     [_P.customer_id], values))

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        c = t.customers.c
        row = self.db.execute(select(c.id, c.email, c.phone, c.language, c.erased_at).where(
            c.id == customer_id)).first()
        return dict(row._mapping) if row else None

    # -- what messages are written from --------------------------------------------------------------------
    def order_facts(self, order_ids: list[str]) -> dict[str, OrderFacts]:
        o, c, loc = t.orders.c, t.customers.c, t.locations.c
        stmt = (select(o.id, o.number, o.tracking_id, o.customer_id, o.customer_email, o.customer_name,
                       o.customer_phone, c.phone.label("profile_phone"), o.currency, o.total, o.delivery_method,
                       loc.name.label("pickup_name"), c.language, c.erased_at)
                .join(t.customers, c.id == o.customer_id).outerjoin(t.locations, loc.code == o.pickup_location)
                .where(o.id.in_(order_ids)))
        return {r.id: OrderFacts(r.id, r.number, r.tracking_id, r.customer_id, r.customer_email, r.customer_name,
                                 r.customer_phone or r.profile_phone, r.currency, r.total, r.delivery_method,
                                 r.pickup_name, r.language, r.erased_at is not None)
                for r in self.db.execute(stmt)} if order_ids else {}

    def order_id(self, reference: str) -> str | None:
        """The id of the order with this id or number."""
        o = t.orders.c
        return self.db.execute(select(o.id).where(or_(o.id == reference, o.number == reference))).scalar()

    def parcel(self, shipment_id: str) -> Parcel | None:
        s = t.shipments.c
        row = self.db.execute(select(s.carrier, s.tracking_number).where(s.id == shipment_id)).first()
        return Parcel(row.carrier, row.tracking_number) if row else None

    # -- messages ------------------------------------------------------------------------------------------
    def add(self, rows: list[dict[str, Any]]) -> set[str]:
        """Queue messages; a row whose key exists already is left out (an event fanned out twice). Returns the
        ids of the new ones."""
        # one fixed statement per row: a multi-row VALUES would be compiled anew for every batch size
        return {row["id"] for row in rows if insert_ignore_conn(self.db, t.notification_messages, row)}

    def claim_due(self, now: datetime, channels: set[Channel], *, lock: bool) -> Message | None:
        if not channels:
            return None
        stmt = (select(t.notification_messages)
                .where(_M.status == str(MessageStatus.QUEUED), _M.next_attempt_at <= now,
                       _M.channel.in_([str(ch) for ch in channels]))
                .order_by(_M.next_attempt_at, _M.id).limit(1))
        row = self.db.execute(stmt.with_for_update(skip_locked=True) if lock else stmt).first()
        if row is None:
            return None
        return Message(row.id, row.order_id, Moment(row.moment), Channel(row.channel), row.language, row.recipient,
                       row.subject, row.body, row.attempts, row.resend_of)

    def record(self, message: Message, status: MessageStatus, at: datetime, next_attempt_at: datetime,
               error: str | None) -> bool:
        """Move the message on after a try; False when another worker recorded this try first."""
        return bool(self.db.execute(update(t.notification_messages).where(
            _M.id == message.id, _M.attempts == message.attempts, _M.status == str(MessageStatus.QUEUED),
        ).values(attempts=message.attempts + 1, status=str(status), next_attempt_at=next_attempt_at,
                 sent_at=at if status is MessageStatus.SENT else None, last_error=error)).rowcount)

    def of_order(self, order_id: str) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in self.db.execute(
            select(t.notification_messages).where(_M.order_id == order_id).order_by(_M.created_at, _M.id))]

    def message(self, order_id: str, message_id: str) -> dict[str, Any] | None:
        row = self.db.execute(select(t.notification_messages).where(
            _M.id == message_id, _M.order_id == order_id)).first()
        return dict(row._mapping) if row else None

    def listed(self, status: str | None, limit: int) -> list[dict[str, Any]]:
        stmt = select(t.notification_messages).order_by(_M.created_at.desc(), _M.id.desc()).limit(limit)
        if status:
            stmt = stmt.where(_M.status == status)
        return [dict(row._mapping) for row in self.db.execute(stmt)]

    def export(self, customer_id: str, order_ids: list[str]) -> dict[str, Any]:
        """What a privacy export holds of notifications: the preferences and every message of the orders."""
        columns = ("id", "order_id", "moment", "channel", "language", "recipient", "subject", "body", "status",
                   "created_at", "sent_at")
        stmt = select(*(_M[name] for name in columns)).where(_M.order_id.in_(order_ids)).order_by(_M.created_at, _M.id)
        messages = [dict(row._mapping) for row in self.db.execute(stmt)] if order_ids else []
        return {"preferences": self.preferences([customer_id])[customer_id].view(), "messages": messages}

    def erase(self, order_ids: list[str], alias: str, erased: str) -> int:
        """A customer's erasure: their orders' messages keep moment, channel and status, not address or text;
        queued ones will never go; what the SMS sandbox recorded of them goes."""
        if not order_ids:
            return 0
        ids = list(self.db.execute(select(_M.id).where(_M.order_id.in_(order_ids))).scalars())
        if ids:
            self.db.execute(delete(t.sms_sandbox).where(t.sms_sandbox.c.message_id.in_(ids)))
            self.db.execute(update(t.notification_messages).where(
                _M.id.in_(ids), _M.status == str(MessageStatus.QUEUED),
            ).values(status=str(MessageStatus.SKIPPED), last_error="the customer's personal data was erased"))
            self.db.execute(update(t.notification_messages).where(_M.id.in_(ids)).values(
                recipient=alias, subject=None, body=erased))
        return len(ids)

    # -- the mail outbox (sign-in links and codes, admin notices) ------------------------------------------
    def claim_mail(self, now: datetime, *, lock: bool) -> dict[str, Any] | None:
        stmt = (select(_X.id, _X.kind, _X.to_address, _X.subject, _X.body, _X.attempts)
                .where(_X.status == "queued", or_(_X.next_attempt_at.is_(None), _X.next_attempt_at <= now))
                .order_by(_X.created_at, _X.id).limit(1))
        row = self.db.execute(stmt.with_for_update(skip_locked=True) if lock else stmt).first()
        return dict(row._mapping) if row else None

    def record_mail(self, mail: dict[str, Any], status: str, at: datetime, next_attempt_at: datetime,
                    error: str | None) -> bool:
        return bool(self.db.execute(update(t.mail_outbox).where(
            _X.id == mail["id"], _X.attempts == mail["attempts"], _X.status == "queued",
        ).values(attempts=mail["attempts"] + 1, status=status, next_attempt_at=next_attempt_at,
                 sent_at=at if status == "sent" else None, last_error=error)).rowcount)

    def _upsert(self, table: Any, values: dict[str, Any], keys: list[Any], changes: dict[str, Any]) -> Any:
        factory = upsert_insert(self.db.dialect.name)
        return factory(table).values(**values).on_conflict_do_update(index_elements=keys, set_=changes)


def sandbox_texts(conn: Any) -> list[dict[str, Any]]:
    """What the SMS sandbox recorded, oldest first (tests and the demo read it)."""
    s = t.sms_sandbox.c
    return [dict(row._mapping) for row in conn.execute(select(t.sms_sandbox).order_by(s.at, s.id))]


def record_sandbox_text(conn: Any, row: dict[str, Any]) -> None:
    conn.execute(insert(t.sms_sandbox).values(**row))
