"""What happens to a demo order after capture: locations accept, pack, ship (sometimes in two parcels),
deliver or hand over; some reject and the order is re-routed; customers and agents cancel. Each step is a
call of the real service, scheduled on the clockwork at a plausible later moment."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.catalog.model import StockPolicy
from baton.demo.catalog import DemoProduct
from baton.demo.clockwork import Clockwork, days, hours
from baton.demo.data import CARRIERS
from baton.demo.orders import AGENTS
from baton.demo.stock import COUNTRY, Keeper
from baton.fulfillment import services as fulfillment
from baton.orders.holds import HoldKind
from baton.orders.model import Order
from baton.orders.services import cancel_order
from baton.payments import flows
from baton.shared.errors import BatonError

T = TypeVar("T")
ACTIVE = ("open", "accepted", "packed")
ASSOCIATES = ("alex", "sam", "jordan", "kim", "lena", "max", "noor", "taylor", "chris", "jule")
WAREHOUSE_REASONS = ("Short-staffed today; cannot make the carrier cut-off.",
                     "Over today's capacity after a large B2B wave.",
                     "Picking robot down for maintenance.")
STORE_REASONS = ("Not found on the shelf.", "Last unit damaged (display model).")
CANCEL_REASONS = ("Customer changed their mind.", "Ordered by mistake.", "Found a better price elsewhere.",
                  "Delivery would arrive too late.")
LINE_CANCEL_REASONS = ("Customer removed the item by phone.", "Wrong size ordered; customer will reorder.")


@dataclass(frozen=True)
class Line:
    id: str
    position: int
    sku: str
    quantity: int
    cancelled: int
    shipped: int
    allocated: int

    @property
    def unallocated(self) -> int:
        return self.quantity - self.cancelled - self.shipped - self.allocated


@dataclass(frozen=True)
class FoLine:
    line_id: str
    position: int
    sku: str
    remaining: int
    awaiting: int


@dataclass(frozen=True)
class Fo:
    id: str
    location: str
    status: str
    created_at: datetime
    lines: tuple[FoLine, ...]


@dataclass
class OrderPlan:
    order_id: str
    country: str  # the customer's: parcels abroad travel longer
    scenario: str  # normal, partial, cancel, cancel_line, reject, pickup_reject
    halt: str | None  # for showcase orders: the last step that happens (placed, accepted, packed, shipped ...)
    fast: bool  # showcase orders move within hours, so they reach their step before now
    pickup: bool
    placed_at: datetime
    not_before: datetime | None = None  # no parcel leaves before a scheduled line cancellation
    changed: bool = False  # lines were cancelled since capture: fulfilment orders must be read again


@dataclass
class FoPlan:
    fo_id: str
    order: OrderPlan
    location: str
    lines: tuple[FoLine, ...]
    halt: str | None
    first_parcel: bool = True
    carrier: str = "carrier"


class Lifecycle:
    def __init__(self, container: Container, rng: random.Random, catalog: list[DemoProduct], keeper: Keeper,
                 clock: Clockwork):
        self.container = container
        self.rng = rng
        self.by_sku = {p.sku: p for p in catalog}
        self.keeper = keeper
        self.clock = clock
        self.status: dict[str, str] = {}  # fulfilment order id -> status as last seen
        self.counts: Counter[str] = Counter()
        self.refusals: list[str] = []

    # -- plumbing ------------------------------------------------------------------------------------------
    def _call(self, what: str, service: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """Run a service; an expected refusal (a BatonError) is counted and reported, never hidden."""
        try:
            return service(self.container.uow(), *args, **kwargs)
        except BatonError as exc:
            self.counts["refused"] += 1
            self.refusals.append(f"{self.clock.moment:%Y-%m-%d %H:%M} {what}: {exc.code}: {exc}")
            return None

    def settle(self, order_id: str) -> Order | None:
        """What the API does after placing, shipping, handing over and cancelling: ask the gateways for the
        authorisations, captures and voids the step decided (captures issue their invoices)."""
        try:
            return flows.settle_pending(self.container.uow, self.container.gateway, order_id)
        except BatonError as exc:
            self.counts["refused"] += 1
            self.refusals.append(f"{self.clock.moment:%Y-%m-%d %H:%M} settle payments: {exc.code}: {exc}")
            return None

    @staticmethod
    def payment_held(order: Order | None) -> bool:
        return order is not None and any(hold.kind == HoldKind.PAYMENT for hold in order.active_holds)

    def _later(self, plan: OrderPlan, low: float, high: float, unit: Callable[[float], timedelta] = hours) -> datetime:
        span = unit(self.rng.uniform(low, high))
        return (self.clock.moment + (span / 8 if plan.fast else span)).replace(microsecond=0)

    def _actor(self, location: str) -> str:
        return f"{self.rng.choice(ASSOCIATES)}@{location}"

    def _active(self, fp: FoPlan) -> bool:
        return self.status.get(fp.fo_id) in ACTIVE

    def state(self, order_id: str) -> tuple[list[Line], list[Fo]]:
        ol, fo, fl = t.order_lines.c, t.fulfillment_orders.c, t.fulfillment_lines.c
        with self.container.engine.connect() as conn:
            lines = [Line(*row) for row in conn.execute(
                select(ol.id, ol.position, ol.sku, ol.quantity, ol.cancelled, ol.shipped, ol.allocated)
                .where(ol.order_id == order_id).order_by(ol.position))]
            rows = conn.execute(
                select(fo.id, fo.location, fo.status, fo.created_at, fl.order_line_id, fl.sku,
                       fl.quantity - fl.shipped - fl.cancelled, fl.awaiting_stock)
                .join_from(t.fulfillment_orders, t.fulfillment_lines, fl.fulfillment_order_id == fo.id)
                .where(fo.order_id == order_id)).all()
        position = {line.id: line.position for line in lines}
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        fos = [Fo(key, group[0][1], group[0][2], group[0][3],
                  tuple(sorted((FoLine(r[4], position[r[4]], r[5], r[6], r[7]) for r in group),
                               key=lambda x: x.position)))
               for key, group in grouped.items()]
        # routing creates at most one fulfilment order per location at a moment: (created_at, location) is unique
        return lines, sorted(fos, key=lambda f: (f.created_at, f.location))

    def _remaining(self, fo_id: str) -> list[FoLine]:
        ol, fl = t.order_lines.c, t.fulfillment_lines.c
        with self.container.engine.connect() as conn:
            rows = conn.execute(
                select(fl.order_line_id, ol.position, fl.sku, fl.quantity - fl.shipped - fl.cancelled,
                       fl.awaiting_stock)
                .join_from(t.fulfillment_lines, t.order_lines, ol.id == fl.order_line_id)
                .where(fl.fulfillment_order_id == fo_id).order_by(ol.position)).all()
        return [FoLine(*row) for row in rows if row[3] > 0]

    # -- following an order -------------------------------------------------------------------------------------
    def follow(self, plan: OrderPlan, fos: list[Fo], rerouted: bool = False) -> None:
        """Schedule the first step of every new fulfilment order."""
        for index, fo in enumerate(fos):
            self.status[fo.id] = fo.status
            if fo.status not in ACTIVE:
                continue
            halt = plan.halt
            if plan.scenario == "cancel" or (halt == "shipped_part" and index > 0):
                halt = "accepted"
            fp = FoPlan(fo.id, plan, fo.location, fo.lines, halt)
            if plan.scenario in ("reject", "pickup_reject") and index == 0 and not rerouted:
                self.clock.at(self._later(plan, 0.5, 8), partial(self._reject, fp))
            elif halt != "placed":
                self.clock.at(self._later(plan, 0.3, 10), partial(self._accept, fp))

    def _accept(self, fp: FoPlan) -> None:
        if not self._active(fp):
            return
        fo = self._call("accept", fulfillment.accept, fp.fo_id, self._actor(fp.location))
        if fo is None:
            return
        self.status[fp.fo_id] = str(fo.status)
        if fp.halt == "accepted":
            return
        if fp.order.pickup or self.rng.random() < 0.2:
            self.clock.at(self._later(fp.order, 0.5, 5), partial(self._pack, fp))
        else:
            self.clock.at(self._ship_time(fp, self._later(fp.order, 3, 26)), partial(self._ship, fp))

    def _pack(self, fp: FoPlan) -> None:
        if not self._active(fp):
            return
        fo = self._call("pack", fulfillment.pack, fp.fo_id, self._actor(fp.location))
        if fo is None:
            return
        self.status[fp.fo_id] = str(fo.status)
        if fp.halt == "packed":
            return
        if fp.order.pickup:
            self.clock.at(self._later(fp.order, 3, 72), partial(self._hand_over, fp))
        else:
            self.clock.at(self._ship_time(fp, self._later(fp.order, 2, 20)), partial(self._ship, fp))

    def _ship_time(self, fp: FoPlan, earliest: datetime) -> datetime:
        """Units that wait for stock leave once it arrives: preorders after release, backorders after a PO."""
        moment = max(earliest, fp.order.not_before or earliest)
        for line in fp.lines:
            if not line.awaiting:
                continue
            product = self.by_sku[line.sku]
            if product.policy is StockPolicy.PREORDER:
                ready = self.clock.now + days(product.release_day) + hours(self.rng.uniform(6, 48))
            else:
                ready = fp.order.placed_at + days(self.rng.uniform(3, 12) / (8 if fp.order.fast else 1))
            moment = max(moment, ready)
        return moment.replace(microsecond=0)

    def _ship(self, fp: FoPlan) -> None:
        if not self._active(fp):
            return
        left = self._remaining(fp.fo_id) if fp.order.changed or not fp.first_parcel else \
            [line for line in fp.lines if line.remaining > 0]
        self.keeper.cover(fp.location, {line.sku: line.remaining for line in left
                                        if self.by_sku[line.sku].policy is not StockPolicy.STOCKED})
        units = sum(line.remaining for line in left)
        split = fp.first_parcel and fp.order.scenario == "partial" and units >= 2
        lines = None
        if split:
            lines = {left[0].line_id: left[0].remaining} if len(left) > 1 else {left[0].line_id: units // 2}
        fp.first_parcel = False
        carrier, service, tracking = self._parcel(fp.location)
        fp.carrier = carrier
        fo = self._call("ship", fulfillment.ship, fp.fo_id, carrier=carrier, tracking_number=tracking,
                        service=service, lines=lines, actor=self._actor(fp.location))
        if fo is None:
            return
        self.status[fp.fo_id] = str(fo.status)
        self.counts["parcels"] += 1
        self.settle(fp.order.order_id)  # the parcel's value is captured and invoiced
        if fp.halt in ("shipped", "shipped_part"):
            return
        if split:
            self.clock.at(self._later(fp.order, 1, 4, days), partial(self._ship, fp))
            return
        if self.lost(fp):
            return  # the carrier never delivers it: a claim follows
        abroad = COUNTRY[fp.location] != fp.order.country
        low, high = (5, 9) if abroad else ((1.5, 5) if fp.order.country == "US" else (1, 3))
        self.clock.at(self._later(fp.order, low, high, days), partial(self._deliver, fp))

    def _parcel(self, location: str) -> tuple[str, str, str]:
        carrier, services, prefix, digits = self.rng.choice(CARRIERS[COUNTRY[location]])
        alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ" if prefix == "1Z" else "0123456789"
        return carrier, self.rng.choice(services), prefix + "".join(self.rng.choices(alphabet, k=digits))

    def _deliver(self, fp: FoPlan) -> None:
        if self.status.get(fp.fo_id) != "shipped":
            return
        fo = self._call("deliver", fulfillment.deliver, fp.fo_id, f"carrier:{fp.carrier.lower()}")
        if fo is not None:
            self.status[fp.fo_id] = str(fo.status)
            self.arrived(fp)

    def _hand_over(self, fp: FoPlan) -> None:
        if self.status.get(fp.fo_id) != "packed":
            return
        fo = self._call("hand over", fulfillment.deliver, fp.fo_id, self._actor(fp.location))
        if fo is not None:
            self.status[fp.fo_id] = str(fo.status)
            self.settle(fp.order.order_id)  # paid at the counter: captured and invoiced
            self.arrived(fp)

    # -- after the goods arrived (demo.aftercare) ----------------------------------------------------------------
    def arrived(self, fp: FoPlan) -> None:
        """A parcel was delivered or handed over."""

    def lost(self, fp: FoPlan) -> bool:
        """Whether a parcel just shipped gets lost in transit (never delivered)."""
        return False

    # -- when things go differently -----------------------------------------------------------------------------
    def _reject(self, fp: FoPlan) -> None:
        if not self._active(fp):
            return
        needs = {line.sku: line.remaining for line in fp.lines}
        if not fp.order.pickup and not self.keeper.alternative(fp.location, needs):
            self._accept(fp)  # nobody nearby could take over: the location works the order after all
            return
        reasons = STORE_REASONS if fp.order.pickup else WAREHOUSE_REASONS
        fo = self._call("reject", fulfillment.reject, fp.fo_id, self.rng.choice(reasons), self._actor(fp.location),
                        self.container.strategy)
        if fo is None:
            return
        self.counts["rejections"] += 1
        lines, fos = self.state(fp.order.order_id)
        self.follow(fp.order, [new for new in fos if new.id not in self.status], rerouted=True)
        for each in fos:
            self.status[each.id] = each.status
        if fp.order.pickup and fp.lines:
            self.keeper.write_off(fp.location, fp.lines[0].sku, "not found on the shelf during a pickup")
        if any(line.unallocated for line in lines) and fp.order.halt != "backordered":
            self.clock.at(self._later(fp.order, 1, 3, days), partial(self.cancel_unallocated, fp.order))

    def cancel(self, plan: OrderPlan) -> None:
        order = self._call("cancel", cancel_order, plan.order_id, None, self.rng.choice(CANCEL_REASONS), "customer")
        self._after_cancel(plan, order)

    def cancel_line(self, plan: OrderPlan, line_id: str, quantity: int) -> None:
        order = self._call("cancel line", cancel_order, plan.order_id, {line_id: quantity},
                           self.rng.choice(LINE_CANCEL_REASONS), self.rng.choice(AGENTS))
        self._after_cancel(plan, order)

    def cancel_unallocated(self, plan: OrderPlan) -> None:
        lines, _ = self.state(plan.order_id)
        waiting = {line.id: line.unallocated for line in lines if line.unallocated > 0}
        if waiting:
            order = self._call("cancel waiting units", cancel_order, plan.order_id, waiting,
                               "No location can supply the units; the customer agreed to cancel.",
                               self.rng.choice(AGENTS))
            self._after_cancel(plan, order)

    def _after_cancel(self, plan: OrderPlan, order: Any) -> None:
        if order is None:
            return
        plan.changed = True
        self.counts["cancellations"] += 1
        self.settle(plan.order_id)  # what can no longer be captured is released
        for fo in order.fulfillment_orders:
            self.status[fo.id] = str(fo.status)
