"""Repositories: load and add aggregates. Writes lock what they change (FOR UPDATE on PostgreSQL;
SQLite's BEGIN IMMEDIATE already makes the writer exclusive)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from baton.adapters.db import tables as t
from baton.catalog.model import Location, Product
from baton.fulfillment.model import FulfillmentOrder
from baton.inventory.model import LedgerEntry, StockLevel
from baton.orders.model import Order
from baton.shared.clock import utcnow
from baton.shared.ids import new_id
from baton.shared.messages import DomainEvent, TimelineEntry


def insert_ignore(session: Session, table: t.Table, values: dict) -> bool:
    """INSERT that does nothing when the key exists; True when a row was inserted.
    On PostgreSQL a concurrent inserter of the same key is waited for first, so the answer is final."""
    dialect = session.get_bind().dialect.name
    factory = pg_insert if dialect == "postgresql" else sqlite_insert
    key = next(iter(table.primary_key.columns))
    stmt = factory(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(stmt).first() is not None


class Products:
    def __init__(self, session: Session):
        self.s = session

    def add(self, product: Product) -> None:
        self.s.add(product)

    def get(self, sku: str) -> Product | None:
        return self.s.get(Product, sku)

    def get_many(self, skus: Iterable[str]) -> dict[str, Product]:
        rows = self.s.scalars(select(Product).where(t.products.c.sku.in_(set(skus))))
        return {p.sku: p for p in rows}


class Locations:
    def __init__(self, session: Session):
        self.s = session

    def add(self, location: Location) -> None:
        self.s.add(location)

    def get(self, code: str) -> Location | None:
        return self.s.get(Location, code)

    def active(self) -> list[Location]:
        return list(self.s.scalars(select(Location).where(t.locations.c.active.is_(True))))


class Stock:
    def __init__(self, session: Session):
        self.s = session

    def lock_skus(self, skus: Iterable[str]) -> dict[tuple[str, str], StockLevel]:
        """Every stock level of these SKUs, locked in one fixed order so concurrent buyers never deadlock."""
        stmt = (
            select(StockLevel).where(t.stock_levels.c.sku.in_(sorted(set(skus))))
            .order_by(t.stock_levels.c.sku, t.stock_levels.c.location).with_for_update()
        )
        return {(level.location, level.sku): level for level in self.s.scalars(stmt)}

    def lock(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], StockLevel]:
        """The stock levels for these (location, sku) keys, created empty where missing, locked in order."""
        wanted = sorted(set(keys), key=lambda k: (k[1], k[0]))
        if not wanted:
            return {}
        stmt = (
            select(StockLevel)
            .where(tuple_(t.stock_levels.c.location, t.stock_levels.c.sku).in_(wanted))
            .order_by(t.stock_levels.c.sku, t.stock_levels.c.location).with_for_update()
        )
        found = {(level.location, level.sku): level for level in self.s.scalars(stmt)}
        missing = [key for key in wanted if key not in found]
        for location, sku in missing:
            insert_ignore(self.s, t.stock_levels, {"location": location, "sku": sku, "on_hand": 0, "reserved": 0,
                                                  "safety_stock": 0, "updated_at": utcnow()})
        if missing:
            return self.lock(wanted)
        return found

    def record(self, entry: LedgerEntry) -> None:
        self.s.execute(insert(t.inventory_ledger).values(
            id=entry.id, location=entry.location, sku=entry.sku, kind=str(entry.kind), delta=entry.delta,
            on_hand_after=entry.on_hand_after, reason=entry.reason, actor=entry.actor,
            reference=entry.reference, created_at=entry.created_at,
        ))


class Orders:
    def __init__(self, session: Session):
        self.s = session

    def add(self, order: Order) -> None:
        self.s.add(order)

    def get(self, order_id: str, *, lock: bool = False) -> Order | None:
        stmt = select(Order).where(t.orders.c.id == order_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def order_id_of_fulfillment_order(self, fo_id: str) -> str | None:
        return self.s.scalar(select(t.fulfillment_orders.c.order_id).where(t.fulfillment_orders.c.id == fo_id))

    def next_number(self) -> str:
        result = self.s.execute(insert(t.order_number_seq).values())
        value = result.inserted_primary_key[0]  # type: ignore[attr-defined]
        self.s.execute(delete(t.order_number_seq).where(t.order_number_seq.c.value == value))
        return f"BT-{100000 + int(value)}"

    def seen(self) -> list[Order]:
        return [obj for obj in self.s.identity_map.values() if isinstance(obj, Order)]


class Customers:
    def __init__(self, session: Session):
        self.s = session

    def upsert(self, email: str, name: str | None, phone: str | None, now: datetime | None = None) -> str:
        """The customer id for this email, created on first sight (matched case-insensitively)."""
        email = email.strip().lower()
        insert_ignore(self.s, t.customers, {"id": new_id("cus"), "email": email, "name": name, "phone": phone,
                                            "created_at": now or utcnow()})
        found = self.s.scalar(select(t.customers.c.id).where(t.customers.c.email == email))
        assert found is not None
        return str(found)


class Messages:
    """Timeline entries and outbox events, appended in the transaction of the change."""

    def __init__(self, session: Session):
        self.s = session

    def add(self, events: list[DomainEvent], timeline: list[TimelineEntry]) -> None:
        if timeline:
            self.s.execute(insert(t.timeline), [
                {"id": e.id, "order_id": e.order_id, "at": e.at, "actor": e.actor, "kind": e.kind,
                 "message": e.message, "data": e.data} for e in timeline
            ])
        if events:
            self.s.execute(insert(t.outbox), [
                {"id": e.id, "type": e.type, "order_id": e.order_id, "payload": e.payload,
                 "occurred_at": e.occurred_at, "published_at": None} for e in events
            ])


class Idempotency:
    def __init__(self, session: Session):
        self.s = session

    def claim(self, scope: str, key: str, fingerprint: str) -> tuple[bool, str | None, str | None]:
        """(claimed, fingerprint of an earlier request, its resource id). A concurrent request with the same
        key waits on PostgreSQL until the first commits or rolls back, then sees its outcome."""
        claimed = insert_ignore(self.s, t.idempotency_keys, {
            "scope": scope, "key": key, "fingerprint": fingerprint, "resource_id": None, "created_at": utcnow()})
        if claimed:
            return True, None, None
        row = self.s.execute(select(t.idempotency_keys.c.fingerprint, t.idempotency_keys.c.resource_id).where(
            t.idempotency_keys.c.scope == scope, t.idempotency_keys.c.key == key)).one()
        return False, row.fingerprint, row.resource_id

    def complete(self, scope: str, key: str, resource_id: str | None) -> None:
        self.s.execute(t.idempotency_keys.update().where(
            t.idempotency_keys.c.scope == scope, t.idempotency_keys.c.key == key).values(resource_id=resource_id))


__all__ = ["Customers", "FulfillmentOrder", "Idempotency", "Locations", "Messages", "Orders", "Products", "Stock"]
