"""Returns, return policies and store credit, read and written with Core: plain domain objects, no ORM state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository, insert_ignore
from baton.returns.model import RefundTo, Return, ReturnLine, ReturnMethod, ReturnStatus
from baton.returns.policy import ReturnPolicy

R, RL, P, SC = t.returns.c, t.return_lines.c, t.return_policies.c, t.store_credit.c
_RETURN_FIELDS = ("order_id", "number", "currency", "status", "method", "refund_to", "tracking_number", "location",
                  "reject_reason", "refund_amount", "deductions", "requested_by", "created_at", "updated_at",
                  "version")
_LINE_FIELDS = ("order_line_id", "sku", "quantity", "reason", "comment", "received", "resellable", "damaged",
                "refunded")


class Returns(CoreRepository):
    def add(self, rma: Return) -> None:
        self.db.execute(insert(t.returns).values(id=rma.id, **_values(rma, _RETURN_FIELDS)))
        self.db.execute(insert(t.return_lines), [{"id": line.id, "return_id": rma.id, **_values(line, _LINE_FIELDS)}
                                                 for line in rma.lines])

    def save(self, rma: Return) -> None:
        """Write back the return and the counts of its lines (the row is locked by `get(lock=True)`)."""
        self.db.execute(update(t.returns).where(R.id == rma.id).values(**_values(rma, _RETURN_FIELDS)))
        for line in rma.lines:
            self.db.execute(update(t.return_lines).where(RL.id == line.id).values(**_values(line, _LINE_FIELDS)))

    def get(self, return_id: str, *, lock: bool = False) -> Return | None:
        stmt = select(t.returns).where(R.id == return_id)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        if row is None:
            return None
        lines = self.db.execute(select(t.return_lines).where(RL.return_id == return_id).order_by(RL.id)).all()
        return _return(row, lines)

    def of_order(self, order_id: str) -> list[Return]:
        rows = self.db.execute(select(t.returns).where(R.order_id == order_id).order_by(R.created_at, R.id)).all()
        if not rows:
            return []
        lines: dict[str, list[Any]] = {row.id: [] for row in rows}
        for line in self.db.execute(select(t.return_lines).where(RL.return_id.in_(list(lines))).order_by(RL.id)):
            lines[line.return_id].append(line)
        return [_return(row, lines[row.id]) for row in rows]

    def count_of_order(self, order_id: str) -> int:
        return int(self.db.scalar(select(func.count()).select_from(t.returns).where(R.order_id == order_id)) or 0)


class ReturnPolicies(CoreRepository):
    def get(self, channel: str) -> ReturnPolicy:
        """The channel's policy, or the defaults when none was set."""
        row = self.db.execute(select(t.return_policies).where(P.channel == channel)).first()
        if row is None:
            return ReturnPolicy(channel)
        return ReturnPolicy(row.channel, row.window_days, row.restocking_fee_percent, dict(row.return_shipping_fee),
                            row.updated_at)

    def put(self, policy: ReturnPolicy) -> None:
        values = {"window_days": policy.window_days, "restocking_fee_percent": policy.restocking_fee_percent,
                  "return_shipping_fee": policy.return_shipping_fee, "updated_at": policy.updated_at}
        if not insert_ignore(self.s, t.return_policies, {"channel": policy.channel, **values}):
            self.db.execute(update(t.return_policies).where(P.channel == policy.channel).values(**values))


@dataclass(frozen=True)
class CreditEntry:
    """One movement of a customer's store credit (+ issued, − spent)."""

    id: str
    customer_id: str
    currency: str
    amount: int
    order_id: str | None
    return_id: str | None
    memo: str
    created_at: datetime
    payment_id: str | None = None  # a store credit payment's spend (−), release or refund (+)


class StoreCredit(CoreRepository):
    def add(self, entry: CreditEntry) -> None:
        self.db.execute(insert(t.store_credit).values(**entry.__dict__))

    def balances(self, customer_id: str) -> dict[str, int]:
        """The customer's balance per currency (currencies with entries only)."""
        rows = self.db.execute(select(SC.currency, func.sum(SC.amount)).where(SC.customer_id == customer_id)
                               .group_by(SC.currency).order_by(SC.currency))
        return {currency: int(total) for currency, total in rows}

    def issued_for_order(self, order_id: str) -> int:
        """Store credit issued for refunds of this order (it counts against what the order can give back); what a
        store credit payment of the order got back is that payment's own refund, not counted here."""
        total = self.db.scalar(select(func.sum(SC.amount)).where(SC.order_id == order_id, SC.amount > 0,
                                                                SC.payment_id.is_(None)))
        return int(total or 0)

    def locked_balance(self, customer_id: str, currency: str) -> int:
        """The customer's balance in `currency`, with the customer's row locked (FOR UPDATE on PostgreSQL; SQLite
        has one writer) until commit: two orders spending the same balance at once take turns."""
        self.db.execute(select(t.customers.c.id).where(t.customers.c.id == customer_id).with_for_update())
        total = self.db.scalar(select(func.sum(SC.amount)).where(SC.customer_id == customer_id,
                                                                SC.currency == currency))
        return int(total or 0)

    def customer_of_order(self, order_id: str) -> str:
        return str(self.db.scalar(select(t.orders.c.customer_id).where(t.orders.c.id == order_id)))


def _values(obj: object, names: tuple[str, ...]) -> dict[str, Any]:
    values = {name: getattr(obj, name) for name in names}
    for name in ("status", "method", "refund_to"):
        if name in values:
            values[name] = str(values[name])
    return values


def _return(row: Any, lines: Sequence[Any]) -> Return:
    return Return(
        id=row.id, order_id=row.order_id, number=row.number, currency=row.currency, method=ReturnMethod(row.method),
        refund_to=RefundTo(row.refund_to), requested_by=row.requested_by, tracking_number=row.tracking_number,
        location=row.location, status=ReturnStatus(row.status), reject_reason=row.reject_reason,
        refund_amount=row.refund_amount, deductions=row.deductions, created_at=row.created_at,
        updated_at=row.updated_at, version=row.version,
        lines=[ReturnLine(id=line.id, **{name: getattr(line, name) for name in _LINE_FIELDS}) for line in lines],
    )


@dataclass(frozen=True)
class GiftCard:
    id: str
    last4: str
    currency: str
    issued_by: str
    created_at: datetime


@dataclass(frozen=True)
class GiftCardEntry:
    """One movement of a gift card's balance (+ issued, released or refunded; − held by a payment)."""

    id: str
    gift_card_id: str
    amount: int
    payment_id: str | None
    memo: str
    created_at: datetime


G, GE = t.gift_cards.c, t.gift_card_entries.c


class GiftCards(CoreRepository):
    def add(self, card: GiftCard, code_hash: str) -> None:
        self.db.execute(insert(t.gift_cards).values(code_hash=code_hash, **card.__dict__))

    def add_entry(self, entry: GiftCardEntry) -> None:
        self.db.execute(insert(t.gift_card_entries).values(**entry.__dict__))

    def get(self, card_id: str) -> GiftCard | None:
        row = self.db.execute(select(t.gift_cards).where(G.id == card_id)).first()
        return _card(row) if row else None

    def by_code(self, code_hash: str, *, lock: bool = False) -> GiftCard | None:
        """The card of a code (its SHA-256); locked until commit when spending, so parallel payments take turns."""
        stmt = select(t.gift_cards).where(G.code_hash == code_hash)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return _card(row) if row else None

    def of_payment(self, payment_id: str) -> str | None:
        """The card a payment holds money of."""
        found = self.db.scalar(select(GE.gift_card_id).where(GE.payment_id == payment_id).limit(1))
        return str(found) if found else None

    def balance(self, card_id: str) -> int:
        return int(self.db.scalar(select(func.sum(GE.amount)).where(GE.gift_card_id == card_id)) or 0)

    def entries(self, card_id: str) -> list[GiftCardEntry]:
        rows = self.db.execute(select(t.gift_card_entries).where(GE.gift_card_id == card_id)
                               .order_by(GE.created_at, GE.id))
        return [GiftCardEntry(r.id, r.gift_card_id, r.amount, r.payment_id, r.memo, r.created_at) for r in rows]


def _card(row: Any) -> GiftCard:
    return GiftCard(row.id, row.last4, row.currency, row.issued_by, row.created_at)
