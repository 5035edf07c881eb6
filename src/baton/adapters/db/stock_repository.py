"""Stock levels, locked row by row and written back with Core; the ledger is append-only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, bindparam, insert, select, tuple_, update
from sqlalchemy.orm import Session

from baton.adapters.db import tables as t
from baton.adapters.db.hot import Prepared
from baton.adapters.db.repositories import Messages
from baton.adapters.db.sql import CoreRepository, insert_ignore
from baton.inventory.model import LedgerEntry, StockLevel
from baton.shared.clock import utcnow

C = t.stock_levels.c
Key = tuple[str, str]  # (location, sku)
Counters = tuple[int, int, int, int | None]  # on_hand, reserved, safety_stock, reorder_point


def _locking(where: ColumnElement[Any]) -> Any:
    return (select(C.location, C.sku, C.on_hand, C.reserved, C.safety_stock, C.updated_at, C.reorder_point)
            .where(where).order_by(C.sku, C.location).with_for_update())


_LOCK_SKUS = Prepared(_locking(C.sku.in_(bindparam("skus", expanding=True))))
_WRITE_BACK = Prepared(update(t.stock_levels)
                       .where(C.location == bindparam("k_location"), C.sku == bindparam("k_sku"))
                       .values(on_hand=bindparam("on_hand"), reserved=bindparam("reserved"),
                               safety_stock=bindparam("safety_stock"), updated_at=bindparam("updated_at"),
                               reorder_point=bindparam("reorder_point")))
_LEDGER = Prepared(insert(t.inventory_ledger))


class Stock(CoreRepository):
    """Every level this transaction locked, so the unit of work writes back exactly what changed."""

    def __init__(self, session: Session):
        super().__init__(session)
        self._held: dict[Key, tuple[StockLevel, Counters]] = {}

    def lock_skus(self, skus: Iterable[str]) -> dict[Key, StockLevel]:
        """Every stock level of these SKUs, locked in one fixed order (sku, location): no deadlocks."""
        return self._held_levels(_LOCK_SKUS.rows(self.db, {"skus": sorted(set(skus))}))

    def lock(self, keys: Iterable[Key]) -> dict[Key, StockLevel]:
        """The stock levels for these (location, sku) keys, created empty where missing, locked in order."""
        wanted = sorted(set(keys), key=lambda k: (k[1], k[0]))
        if not wanted:
            return {}
        found = self._select(tuple_(C.location, C.sku).in_(wanted))  # rare (returns, counts): through Core
        missing = [key for key in wanted if key not in found]
        for location, sku in missing:
            insert_ignore(self.s, t.stock_levels, {"location": location, "sku": sku, "on_hand": 0, "reserved": 0,
                                                   "safety_stock": 0, "updated_at": utcnow()})
        if missing:
            found.update(self._select(tuple_(C.location, C.sku).in_(missing)))
        return {key: found[key] for key in wanted}

    def record(self, entry: LedgerEntry) -> None:
        _LEDGER.executemany(self.db, [dict(
            id=entry.id, location=entry.location, sku=entry.sku, kind=str(entry.kind), delta=entry.delta,
            on_hand_after=entry.on_hand_after, reason=entry.reason, actor=entry.actor,
            reference=entry.reference, created_at=entry.created_at,
        )])

    def flush(self) -> None:
        """Write back the levels whose counters changed (absolute values: the rows are locked). A level that
        fell to its reorder point here announces inventory.low_stock: from the values in hand, no extra read."""
        changed = [level for level, seen in self._held.values() if _counters(level) != seen]
        if not changed:
            return
        _WRITE_BACK.executemany(self.db, [
            {"k_location": lv.location, "k_sku": lv.sku, "on_hand": lv.on_hand, "reserved": lv.reserved,
             "safety_stock": lv.safety_stock, "updated_at": lv.updated_at, "reorder_point": lv.reorder_point}
            for lv in changed
        ])
        fell = [lv.low_stock() for lv in changed if lv.low and not _low(self._held[(lv.location, lv.sku)][1])]
        if fell:
            Messages(self.s).add(fell, [])
        for level in changed:
            self._held[(level.location, level.sku)] = (level, _counters(level))

    def _select(self, where: ColumnElement[Any]) -> dict[Key, StockLevel]:
        return self._held_levels(self.db.execute(_locking(where)))

    def _held_levels(self, rows: Iterable[Any]) -> dict[Key, StockLevel]:
        result: dict[Key, StockLevel] = {}
        for row in rows:
            key = (row.location, row.sku)
            if key not in self._held:  # already held: keep the object this transaction may have changed
                level = StockLevel(row.location, row.sku, row.on_hand, row.reserved, row.safety_stock, row.updated_at,
                                   row.reorder_point)
                self._held[key] = (level, _counters(level))
            result[key] = self._held[key][0]
        return result


def _counters(level: StockLevel) -> Counters:
    return (level.on_hand, level.reserved, level.safety_stock, level.reorder_point)


def _low(seen: Counters) -> bool:
    on_hand, reserved, safety_stock, reorder_point = seen
    return reorder_point is not None and on_hand - reserved - safety_stock <= reorder_point
