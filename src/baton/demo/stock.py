"""Stock keeping of the demo shop: daily replenishment, store transfers, purchase orders for backorders and
preorder releases. Every unit moves through baton.inventory.services, so the ledger explains it."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.catalog.model import StockPolicy
from baton.demo.catalog import DemoProduct
from baton.demo.data import SITES
from baton.inventory.model import MovementKind
from baton.inventory.services import move_stock, set_reorder_point

ROLE = {s.code: s.role for s in SITES}
COUNTRY = {s.code: s.country for s in SITES}
MAIN = {"US": "WH-EWR", "DE": "WH-DUI"}


@dataclass(frozen=True)
class Level:
    location: str
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.safety_stock


class Keeper:
    def __init__(self, container: Container, rng: random.Random, catalog: list[DemoProduct]):
        self.container = container
        self.rng = rng
        self.by_sku = {p.sku: p for p in catalog}
        self.purchase_orders = 0
        self.movements = 0

    # -- reading -----------------------------------------------------------------------------------------------
    def levels(self, *, location: str | None = None, skus: list[str] | None = None,
               below: int | None = None) -> list[Level]:
        c = t.stock_levels.c
        stmt = select(c.location, c.sku, c.on_hand, c.reserved, c.safety_stock).order_by(c.location, c.sku)
        if below is not None:
            stmt = stmt.where(c.on_hand - c.reserved - c.safety_stock < below)
        if location is not None:
            stmt = stmt.where(c.location == location)
        if skus is not None:
            stmt = stmt.where(c.sku.in_(skus))
        with self.container.engine.connect() as conn:
            levels = [Level(*row) for row in conn.execute(stmt)]
        return sorted(levels, key=lambda lv: (lv.location, lv.sku))  # the same order on every database

    def shelves(self, store: str) -> dict[str, int]:
        """What a store can hand over now: available units of its plain stocked products."""
        return {lv.sku: lv.available for lv in self.levels(location=store)
                if lv.available > 0 and self.by_sku[lv.sku].policy is StockPolicy.STOCKED}

    # -- writing -----------------------------------------------------------------------------------------------
    def _po(self) -> str:
        self.purchase_orders += 1
        return f"PO-{24000 + self.purchase_orders}"

    def receive(self, location: str, sku: str, quantity: int, why: str = "purchase order") -> None:
        reference = self._po()
        move_stock(self.container.uow(), location, sku, MovementKind.RECEIPT, quantity,
                   f"{why} {reference} received", "purchasing", reference)
        self.movements += 1

    def transfer(self, source: str, target: str, sku: str, quantity: int) -> None:
        reference = f"TR-{source}-{target}"
        move_stock(self.container.uow(), source, sku, MovementKind.TRANSFER, -quantity, f"transfer to {target}",
                   "replenishment", reference)
        move_stock(self.container.uow(), target, sku, MovementKind.TRANSFER, quantity, f"transfer from {source}",
                   "replenishment", reference)
        self.movements += 2

    def alternative(self, location: str, needs: dict[str, int]) -> bool:
        """Whether another shipping location in the same country could take all these units now."""
        others = [s.code for s in SITES if s.ships and s.country == COUNTRY[location] and s.code != location]
        have: dict[str, dict[str, int]] = {}
        for lv in self.levels(skus=sorted(needs)):
            have.setdefault(lv.location, {})[lv.sku] = lv.available
        return any(all(have.get(code, {}).get(sku, 0) >= n for sku, n in needs.items()) for code in others)

    def write_off(self, location: str, sku: str, reason: str) -> None:
        """One unit is gone (damaged, lost): an adjustment, when it does not touch reserved units."""
        level = next(iter(self.levels(location=location, skus=[sku])), None)
        if level is not None and level.on_hand - level.reserved >= 1:
            move_stock(self.container.uow(), location, sku, MovementKind.ADJUSTMENT, -1, reason,
                       f"inventory@{location}")
            self.movements += 1

    def cover(self, location: str, needs: dict[str, int]) -> None:
        """Before units leave: a purchase order arrives for backorder/preorder units the shelf does not hold."""
        if not needs:
            return
        on_hand = {lv.sku: lv.on_hand for lv in self.levels(location=location, skus=sorted(needs))}
        for sku, units in sorted(needs.items()):
            short = units - on_hand.get(sku, 0)
            if short > 0:
                extra = self.rng.randint(0, 12) if ROLE[location] in ("main", "secondary") else 0
                self.receive(location, sku, short + extra)

    def restock_for(self, country: str, sku: str, requested: int, available: int) -> None:
        """An order found too little stock of a regular product: an urgent purchase order for the main warehouse."""
        self.receive(MAIN[country], sku, requested - max(available, 0) + self.rng.randint(20, 60), "urgent order")

    def replenish(self, weekly: bool) -> None:
        """The morning run: main warehouses and stores every day, the other warehouses once a week."""
        levels = self.levels(below=30)  # the thresholds below are lower; source warehouses are read on demand
        for lv in levels:
            product = self.by_sku[lv.sku]
            if product.scarce or product.policy is not StockPolicy.STOCKED:
                continue
            role = ROLE[lv.location]
            boost = min(3.0, 0.6 + product.popularity / 2)
            if role == "main" and lv.available < 10 * boost:
                self.receive(lv.location, lv.sku, int(self.rng.randint(40, 100) * boost) - min(lv.available, 0))
            elif role == "store" and lv.available < 2:
                quantity = self.rng.randint(4, 8)
                source = next(iter(self.levels(location=MAIN[COUNTRY[lv.location]], skus=[lv.sku])), None)
                if source is not None and source.available >= quantity + 10:
                    self.transfer(source.location, lv.location, lv.sku, quantity)
                else:
                    self.receive(lv.location, lv.sku, quantity, "store delivery")
            elif role in ("secondary", "dropship") and weekly and lv.available < 5:
                self.receive(lv.location, lv.sku, int(self.rng.randint(20, 50) * boost) - min(lv.available, 0))

    def reorder_points(self, share: float = 0.25) -> int:
        """Reorder points on a sample of the main warehouses' and stores' stocked products, a little above where
        the morning run replenishes, so inventory.low_stock is announced and low stock shows real rows. Scarce
        products (never replenished) all get one."""
        chosen = 0
        for lv in self.levels():
            product = self.by_sku[lv.sku]
            role = ROLE[lv.location]
            if product.policy is not StockPolicy.STOCKED or role not in ("main", "store"):
                continue
            if not product.scarce and self.rng.random() >= share:
                continue
            boost = min(3.0, 0.6 + product.popularity / 2)
            point = self.rng.randint(2, 4) if role == "store" else int(12 * boost) + self.rng.randint(0, 15)
            set_reorder_point(self.container.uow(), lv.location, lv.sku, point)
            chosen += 1
        return chosen

    def release(self, sku: str) -> None:
        """A preorder product arrives: every location holding preorders gets them, the main warehouses a stock."""
        held = {lv.location: lv for lv in self.levels(skus=[sku])}
        for code in sorted(set(held) | set(MAIN.values())):
            lv = held.get(code)
            short = (lv.reserved - lv.on_hand) if lv else 0
            extra = self.rng.randint(30, 80) if ROLE[code] == "main" else 0
            if short + extra > 0:
                self.receive(code, sku, short + extra, "release shipment")
