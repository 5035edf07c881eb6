"""Random sequences of customer care through the API keep every quantity bucket, every payment and the stock exact
(issue 6, "Tests").

A hypothesis state machine drives a fresh shop (on SQLite and on PostgreSQL) with orders paid by a sandbox card
(a few SKUs, some stock scarce) and mixes: partial shipments (accepted first), deliveries, cancellations of open
units, order edits (a quantity down or up, a new line), returns driven through their states (approve or reject,
receive in parts, inspect resellable or damaged, refund, close), exchanges (a return plus a replacement order,
reserved now or on receipt, then completed), refunds by lines and by amount, appeasements. Replacement orders
join the orders it watches. After every step it checks, through the API and in the database:

- every order line's buckets lie within 0..quantity and fit together (cancelled + shipped ≤ quantity,
  delivered ≤ shipped, returned + return_requested ≤ delivered, written_off ≤ returned, allocated ≤ open);
- every return's lines fit their order lines (received ≤ requested, resellable + damaged ≤ received);
- per payment and per order: refunded ≤ captured ≤ authorised, each counter the sum of its succeeded transactions;
  an order captures exactly the value it shipped, and all of its total once nothing is left to ship;
- stock: every level equals the sum of its ledger, reserved equals what open fulfilment orders hold and what the
  order lines have open, and on hand per SKU is what was counted in, less what shipped, plus what came back
  resellable;
- the money ledger's trial balance is zero per currency;
- no request ever answers 5xx, and a refused request (4xx, with one of the codes that rule expects) changed
  nothing at all.

What it found (a dearer replacement placed on receipt left its charge pending) is fixed and kept as a regular test
in test_exchanges.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from baton.adapters.db import tables as t
from baton.adapters.db.tables import metadata
from baton.inventory.queries import ledger_mismatches, reservation_mismatches
from tests.conftest import LOCATIONS, Shop
from tests.integration.api_machine import ApiMachine, money

PRICES = {"A": 3000, "B": 1999, "C": 745}  # EUR minor units
STOCK = {("WH-BER", "A"): 3, ("WH-MUC", "A"): 1, ("WH-BER", "B"): 5, ("WH-MUC", "C"): 6}  # short now and then
MAX_ORDERS = 2  # steps go to what happens to orders, mostly
MAX_PLACED = 4  # more only once the first ones have nothing left to ship or to give back
CARD = {"method": "sandbox", "token": "tok_approve"}
# Tables no request of this machine writes on purpose (sessions, rate limits of sign-in): left out of the snapshot
UNWATCHED = {"rate_limits", "console_sessions", "order_number_seq"}
OPEN_FO = ("open", "accepted", "packed")
FINISHED = ("closed", "rejected")


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True now and then (False is what hypothesis draws first and shrinks to)."""
    return st.sampled_from([False] * (n - 1) + [True])


def minor(amount: str) -> int:
    return int(Decimal(amount) * 100)


@dataclass
class ModelOrder:
    """What the machine remembers of an order; everything else it reads back from the API."""

    id: str
    shipping: int
    replacement: bool = False  # placed by an exchange, paid by the returned units' value
    returns: list[str] = field(default_factory=list)  # return ids, oldest first

    def describe(self) -> str:
        return f"{self.id} ({'replacement, ' if self.replacement else ''}shipping {money(self.shipping)})"


class CareMachine(ApiMachine):
    """One shop per run, on the session's database emptied first."""

    PRICES, STOCK = PRICES, STOCK

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[ModelOrder] = []
        self.exchanges: list[str] = []  # exchange ids, oldest first
        self.seen = self.snapshot()

    # -- helpers --------------------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        response = self.call("GET", path)
        assert response.status_code == 200, response.text
        return response.json()

    def snapshot(self) -> dict[str, Any]:
        """Everything a request could change: every order with its payments and returns (API), how many rows each
        table holds and every stock level (database)."""
        tables = [table for table in metadata.sorted_tables if table.name not in UNWATCHED]
        levels = t.stock_levels.c
        with self.container.engine.connect() as conn:
            counts = conn.execute(select(*[select(func.count()).select_from(table).scalar_subquery()
                                           .label(table.name) for table in tables])).one()
            stock = conn.execute(select(levels.location, levels.sku, levels.on_hand, levels.reserved)
                                 .order_by(levels.location, levels.sku)).all()
        return {
            "rows": counts._asdict(), "stock": [tuple(level) for level in stock],
            "orders": {o.id: (self.get(f"/api/v1/orders/{o.id}"), self.get(f"/api/v1/orders/{o.id}/payments"),
                              self.get(f"/api/v1/orders/{o.id}/returns")["items"],
                              self.get(f"/api/v1/orders/{o.id}/exchanges")["items"]) for o in self.orders},
        }

    def outcome(self, response: Any, ok: int, refusals: dict[str, int], before: dict | None = None) -> bool:
        """True when the request succeeded with `ok`; else it must be one of the expected refusals (code → status)
        and have changed nothing at all."""
        if response.status_code == ok:
            return True
        problem = response.json()
        assert refusals.get(problem.get("code")) == response.status_code, response.text
        assert self.snapshot() == (self.seen if before is None else before), "a refused request changed something"
        return False

    def pick(self, data: st.DataObject, orders: list[ModelOrder]) -> ModelOrder:
        """One of `orders`, drawn by its description, which is what hypothesis shows of a failing sequence."""
        described = {order.describe(): order for order in orders}
        return described[data.draw(st.sampled_from(sorted(described)), label="order")]

    def current(self, order: ModelOrder) -> dict:
        return self.seen["orders"][order.id][0]

    def refundable(self, order: ModelOrder) -> int:
        return sum(minor(p["captured"]) - minor(p["refunded"]) for p in self.seen["orders"][order.id][1]["items"])

    def where(self, test: Any) -> list[ModelOrder]:
        return [o for o in self.orders if any(test(line["quantities"]) for line in self.current(o)["lines"])]

    def with_open_units(self) -> list[ModelOrder]:
        return self.where(lambda q: q["ordered"] - q["cancelled"] - q["shipped"] > 0)

    def with_returnable_units(self) -> list[ModelOrder]:
        return self.where(lambda q: q["delivered"] > q["returned"] + q["return_requested"])

    def with_shipped_units(self) -> list[ModelOrder]:
        return self.where(lambda q: q["shipped"] > 0)

    def with_undelivered_parcels(self) -> list[tuple[ModelOrder, dict]]:
        return [(o, fo) for o in self.orders for fo in self.current(o)["fulfillment_orders"]
                if any(s["status"] != "delivered" for s in fo["shipments"])]

    def live_returns(self) -> list[tuple[ModelOrder, dict]]:
        return [(o, rma) for o in self.orders for rma in self.seen["orders"][o.id][2] if rma["status"] not in FINISHED]

    def available(self, sku: str) -> int:
        return sum(on_hand - reserved for _loc, s, on_hand, reserved in self.seen["stock"] if s == sku)

    # -- placing, shipping, delivering, cancelling ----------------------------------------------------
    @initialize(data=st.data())
    def a_first_order(self, data: st.DataObject) -> None:
        self.place(data)

    @precondition(lambda self: self.placed() < MAX_ORDERS or (self.placed() < MAX_PLACED and not (
        self.with_open_units() or self.with_money() or self.with_returnable_units() or self.live_returns())))
    @rule(data=st.data())
    def place_an_order(self, data: st.DataObject) -> None:
        self.place(data)

    def place(self, data: st.DataObject) -> None:
        skus = data.draw(st.lists(st.sampled_from(sorted(PRICES)), min_size=1, max_size=3, unique=True), label="skus")
        items = [(sku, data.draw(st.integers(1, 3), label=f"quantity of {sku}")) for sku in skus]
        shipping = data.draw(st.sampled_from([0, 495]), label="shipping")
        body = {**Shop(self.client).order_body(items, shipping=money(shipping)), "payment": CARD}
        response = self.call("POST", "/api/v1/orders", json=body)
        scarce = any(quantity > self.available(sku) for sku, quantity in items)
        if not self.outcome(response, 201, {"out_of_stock": 409} if scarce else {}):
            return
        assert not scarce, "placed more than was available"
        placed = response.json()
        assert minor(placed["totals"]["total"]) == sum(PRICES[s] * q for s, q in items) + shipping
        self.orders.append(ModelOrder(placed["id"], shipping))

    @precondition(lambda self: self.with_open_units())
    @rule(data=st.data(), whole=st.booleans(), too_many=one_in(6))
    def ship_some_units(self, data: st.DataObject, whole: bool, too_many: bool) -> None:
        """Accept (when still open) and ship part or all of one fulfilment order."""
        order = self.pick(data, self.with_open_units())
        active = {fo["id"]: fo for fo in self.current(order)["fulfillment_orders"]
                  if fo["status"] in OPEN_FO and any(line["remaining"] for line in fo["lines"])}
        assert active, "open units that no fulfilment order holds"  # stock is reserved at placement here
        fo = active[data.draw(st.sampled_from(sorted(active)), label="fulfilment order")]
        # an edit of a replacement (paid by exchange credit) waits on a payment hold: nothing ships meanwhile
        held = {"order_on_hold": 409} if any(hold["active"] for hold in self.current(order)["holds"]) else {}
        before = self.seen
        if fo["status"] == "open":
            if not self.outcome(self.call("POST", f"/api/v1/fulfillment-orders/{fo['id']}/accept"), 200, held):
                return
            before = self.snapshot()
        remaining = {line["line_id"]: line["remaining"] for line in fo["lines"] if line["remaining"]}
        body: dict[str, Any] = {"carrier": "DHL"}
        if not whole:
            chosen = data.draw(st.lists(st.sampled_from(sorted(remaining)), min_size=1, unique=True), label="lines")
            wanted = {line_id: data.draw(st.integers(1, remaining[line_id]), label="units") for line_id in chosen}
            if too_many:  # one unit more than is left on one line: refused
                wanted[chosen[0]] = remaining[chosen[0]] + 1
            body["lines"] = [{"line_id": k, "quantity": n} for k, n in wanted.items()]
        shipped = self.call("POST", f"/api/v1/fulfillment-orders/{fo['id']}/ship", json=body)
        over = too_many and not whole
        if self.outcome(shipped, 200, {"over_shipment": 409, **held} if over else held, before):
            assert not over and not held, shipped.text

    @precondition(lambda self: self.with_undelivered_parcels())
    @rule(data=st.data())
    def deliver_one_parcel(self, data: st.DataObject) -> None:
        """One parcel arrived, whatever else of its fulfilment order is still on its way or still to ship."""
        parcels = {f"{s['id']} of {o.id}": (fo, s) for o, fo in self.with_undelivered_parcels()
                   for s in fo["shipments"] if s["status"] != "delivered"}
        fo, parcel = parcels[data.draw(st.sampled_from(sorted(parcels)), label="parcel")]
        delivered = self.call("POST", f"/api/v1/fulfillment-orders/{fo['id']}/shipments/{parcel['id']}/deliver")
        assert self.outcome(delivered, 200, {}), delivered.text
        after = delivered.json()
        assert all(s["status"] == "delivered" for s in after["shipments"] if s["id"] == parcel["id"]), after
        everything = after["status"] == "delivered"
        assert everything == (fo["status"] == "shipped" and all(s["status"] == "delivered" for s in after["shipments"]))

    @precondition(lambda self: self.with_undelivered_parcels())
    @rule(data=st.data(), partly=one_in(5))
    def deliver_the_parcels_of_a_fulfilment_order(self, data: st.DataObject, partly: bool) -> None:
        """The carrier handed over every parcel of a fulfilment order that shipped (refused while units are left)."""
        parcels = self.with_undelivered_parcels()
        shipped = [(o, fo) for o, fo in parcels if fo["status"] == "shipped"]
        choices = {f"{fo['id']} of {o.id}": fo for o, fo in (shipped if shipped and not partly else parcels)}
        fo = choices[data.draw(st.sampled_from(sorted(choices)), label="fulfilment order")]
        delivered = self.call("POST", f"/api/v1/fulfillment-orders/{fo['id']}/deliver")
        # parcels are delivered per fulfilment order, once all of it left: a partly shipped one is refused
        whole = fo["status"] == "shipped"
        if self.outcome(delivered, 200, {} if whole else {"invalid_transition": 409}):
            assert whole and all(s["status"] == "delivered" for s in delivered.json()["shipments"]), delivered.text

    @precondition(lambda self: self.with_open_units())
    @rule(data=st.data(), too_many=one_in(6))
    def cancel_some_open_units(self, data: st.DataObject, too_many: bool) -> None:
        order = self.pick(data, self.with_open_units())
        open_units = {line["id"]: line["quantity"] - line["quantities"]["cancelled"] - line["quantities"]["shipped"]
                      for line in self.current(order)["lines"]}
        open_units = {line_id: n for line_id, n in open_units.items() if n}
        chosen = data.draw(st.lists(st.sampled_from(sorted(open_units)), min_size=1, unique=True), label="lines")
        wanted = {line_id: data.draw(st.integers(1, open_units[line_id]), label="units") for line_id in chosen}
        if too_many:
            wanted[chosen[0]] = open_units[chosen[0]] + 1
        body = {"reason": "customer asked", "lines": [{"line_id": k, "quantity": n} for k, n in wanted.items()]}
        response = self.call("POST", f"/api/v1/orders/{order.id}/cancel", json=body)
        assert self.outcome(response, 200, {"not_cancellable": 409} if too_many else {}) != too_many

    # -- order edits ------------------------------------------------------------------------------------
    @precondition(lambda self: self.with_open_units())
    @rule(data=st.data(), how=st.sampled_from(["down", "up", "add", "below_shipped"]))
    def edit_an_order(self, data: st.DataObject, how: str) -> None:
        """A quantity down or up (the units the line keeps), or a new line; below what shipped is refused."""
        order = self.pick(data, self.with_open_units())
        current = self.current(order)
        body: dict[str, Any] = {"version": current["version"], "reason": "customer called"}
        refusals = {"out_of_stock": 409}
        if how == "add":
            sku = data.draw(st.sampled_from(sorted(PRICES)), label="new sku")
            body["add_lines"] = [{"sku": sku, "quantity": data.draw(st.integers(1, 2), label="units")}]
        else:
            lines = {line["id"]: line for line in current["lines"]}
            if how == "below_shipped":
                lines = {k: line for k, line in lines.items() if line["quantities"]["shipped"]}
                if not lines:
                    return
            line = lines[data.draw(st.sampled_from(sorted(lines)), label="line")]
            q = line["quantities"]
            kept, shipped = q["ordered"] - q["cancelled"], q["shipped"]
            quantity = {"down": lambda: data.draw(st.integers(shipped, max(shipped, kept - 1)), label="keep"),
                        "up": lambda: kept + data.draw(st.integers(1, 2), label="more"),
                        "below_shipped": lambda: shipped - 1}[how]()
            body["lines"] = [{"line_id": line["id"], "quantity": quantity}]
            if how == "below_shipped":
                refusals = {"line_shipped": 409}
            elif how == "down" and quantity == kept:
                refusals = {"nothing_to_edit": 422, "no_change": 422, "edit_nothing": 422}
        response = self.call("POST", f"/api/v1/orders/{order.id}/edits", json=body)
        if self.outcome(response, 200, refusals):
            assert how != "below_shipped", "a shipped unit was edited away"
            edited = response.json()
            assert minor(edited["order"]["totals"]["total"]) - minor(current["totals"]["total"]) == minor(
                edited["amount_delta"]), edited

    # -- returns ------------------------------------------------------------------------------------------
    @precondition(lambda self: self.with_returnable_units())
    @rule(data=st.data(), too_many=one_in(6))
    def open_a_return(self, data: st.DataObject, too_many: bool) -> None:
        order = self.pick(data, self.with_returnable_units())
        room = {line["id"]: line["quantities"]["delivered"] - line["quantities"]["returned"]
                - line["quantities"]["return_requested"] for line in self.current(order)["lines"]}
        room = {line_id: n for line_id, n in room.items() if n > 0}
        chosen = data.draw(st.lists(st.sampled_from(sorted(room)), min_size=1, unique=True), label="lines")
        wanted = {line_id: data.draw(st.integers(1, room[line_id]), label="units") for line_id in chosen}
        if too_many:
            wanted[chosen[0]] = room[chosen[0]] + 1
        body = {"method": "ship_back", "lines": [{"line_id": k, "quantity": n, "reason": "too small"}
                                                 for k, n in wanted.items()]}
        response = self.call("POST", f"/api/v1/orders/{order.id}/returns", json=body)
        # units refunded by lines cannot come back for a second refund: too_many_units then as well
        if self.outcome(response, 201, {"too_many_units": 422}):
            assert not too_many, "a return of more units than were delivered was opened"
            order.returns.append(response.json()["id"])

    @precondition(lambda self: self.live_returns())
    @rule(data=st.data(), steps=st.integers(1, 6))
    def drive_a_return(self, data: st.DataObject, steps: int) -> None:
        """A few steps of one return that is not finished, each checked on its own."""
        choices = {f"{rma['number']}": rma["id"] for _o, rma in self.live_returns()}
        return_id = choices[data.draw(st.sampled_from(sorted(choices)), label="return")]
        for _ in range(steps):
            rma = self.get(f"/api/v1/returns/{return_id}")
            if rma["status"] in FINISHED:
                return
            self.step_a_return(data, rma)
            self.seen = self.snapshot()

    def step_a_return(self, data: st.DataObject, rma: dict, forward: bool = False) -> None:
        """The next step of a return: approve, receive (some), inspect (some), refund, close; or reject it, or
        close it, whatever state it is in (refused where its state does not allow it)."""
        step = "next" if forward else data.draw(st.sampled_from(["next"] * 8 + ["reject", "close"]), label="step")
        partial = data.draw(st.booleans(), label="partly")
        status = rma["status"]
        path = f"/api/v1/returns/{rma['id']}"
        wrong = {"return_wrong_state": 409}
        if step == "reject":  # its exchange ends too, unless the replacement has shipped already
            response = self.call("POST", f"{path}/reject", json={"reason": "worn"})
            shipped = {"exchange_replacement_shipped": 409} if self.replacement_shipped(rma["id"]) else {}
            if self.outcome(response, 200, shipped if status in ("requested", "approved") else wrong):
                self.check_exchange_ended(rma["id"])
        elif step == "close":  # a return of an open exchange ends with the exchange (completed or rejected)
            response = self.call("POST", f"{path}/close")
            exchange = self.exchange_of(rma["id"])
            in_exchange = exchange is not None and exchange["status"] in ("waiting", "placed")
            closable = status in ("approved", "inspected", "refunded", "exchanged")
            self.outcome(response, 200, wrong if not closable else {"return_in_open_exchange": 409}
                         if in_exchange else {})
        elif status == "requested":
            self.outcome(self.call("POST", f"{path}/approve"), 200, {})
        elif status == "approved" or (status == "inspected" and partial and self.outstanding(rma)):
            self.receive(data, rma, partial)
        elif status == "received":
            self.inspect(data, rma, partial)
        elif status == "inspected":  # the card may have given back the money already (appeasements, refunds)
            response = self.call("POST", f"{path}/refund")
            self.outcome(response, 200, {"refund_exceeds_captured": 422, "return_is_exchanged": 409})
        else:  # refunded or exchanged
            self.outcome(self.call("POST", f"{path}/close"), 200, {})

    def exchange_of(self, return_id: str) -> dict | None:
        return next((e for o in self.orders for e in self.seen["orders"][o.id][3]
                     if e["return_id"] == return_id and e["original_order_id"] == o.id), None)

    def replacement_shipped(self, return_id: str) -> bool:
        exchange = self.exchange_of(return_id)
        if exchange is None or exchange["status"] not in ("waiting", "placed") or not exchange["replacement_order_id"]:
            return False
        replacement = self.get(f"/api/v1/orders/{exchange['replacement_order_id']}")
        return any(line["quantities"]["shipped"] for line in replacement["lines"])

    def check_exchange_ended(self, return_id: str) -> None:
        """A rejected return's exchange is cancelled, and so is every open unit of its replacement."""
        exchange = self.exchange_of(return_id)
        if exchange is None or exchange["status"] not in ("waiting", "placed"):
            return
        ended = self.get(f"/api/v1/exchanges/{exchange['id']}")
        assert ended["status"] == "cancelled", ended
        if ended["replacement_order_id"]:
            replacement = self.get(f"/api/v1/orders/{ended['replacement_order_id']}")
            assert all(line["quantities"]["cancelled"] == line["quantity"] for line in replacement["lines"])

    @staticmethod
    def outstanding(rma: dict) -> dict[str, int]:
        return {line["line_id"]: line["quantity"] - line["received"] for line in rma["lines"]
                if line["quantity"] > line["received"]}

    def receive(self, data: st.DataObject, rma: dict, partial: bool) -> None:
        outstanding = self.outstanding(rma)
        counts = {k: data.draw(st.integers(1, n), label="received") if partial else n for k, n in outstanding.items()}
        body: dict[str, Any] = {"lines": [{"line_id": k, "quantity": n} for k, n in counts.items()]}
        if rma["location"] is None:
            body["location"] = data.draw(st.sampled_from(sorted(LOCATIONS)), label="received at")
        self.outcome(self.call("POST", f"/api/v1/returns/{rma['id']}/receive", json=body), 200, {})

    def inspect(self, data: st.DataObject, rma: dict, partial: bool) -> None:
        verdicts = []
        for line in rma["lines"]:
            uninspected = line["received"] - line["resellable"] - line["damaged"]
            if uninspected:
                judged = data.draw(st.integers(1, uninspected), label="judged") if partial else uninspected
                good = data.draw(st.integers(0, judged), label="resellable")
                verdicts.append({"line_id": line["line_id"], "resellable": good, "damaged": judged - good})
        response = self.call("POST", f"/api/v1/returns/{rma['id']}/inspect", json={"lines": verdicts})
        self.outcome(response, 200, {})

    # -- exchanges ------------------------------------------------------------------------------------------
    @precondition(lambda self: self.with_returnable_units())
    @rule(data=st.data(), reserve=st.sampled_from(["now", "now", "on_receipt"]))
    def exchange_some_units(self, data: st.DataObject, reserve: str) -> None:
        """Swap delivered units of one line for another SKU (maybe a scarce one): a return plus a replacement
        order, reserved now or once the units are received."""
        order = self.pick(data, self.with_returnable_units())
        room = {line["id"]: line["quantities"]["delivered"] - line["quantities"]["returned"]
                - line["quantities"]["return_requested"] for line in self.current(order)["lines"]}
        line_id = data.draw(st.sampled_from(sorted(k for k, n in room.items() if n > 0)), label="line")
        units = data.draw(st.integers(1, room[line_id]), label="units")
        sku = data.draw(st.sampled_from(sorted(PRICES)), label="replacement sku")
        body = {"method": "ship_back", "reserve": reserve,
                "lines": [{"line_id": line_id, "quantity": units, "sku": sku, "reason": "other size"}]}
        response = self.call("POST", f"/api/v1/orders/{order.id}/exchanges", json=body)
        scarce = reserve == "now" and units > self.available(sku)
        refusals = {"too_many_units": 422, **({"out_of_stock": 409} if scarce else {})}
        if not self.outcome(response, 201, refusals):
            return
        assert not scarce, "an exchange reserved more than was available"
        made = response.json()
        assert made["status"] == ("placed" if reserve == "now" else "waiting"), made
        self.exchanges.append(made["id"])
        order.returns.append(made["return_id"])
        self.adopt_replacements()

    def adopt_replacements(self) -> None:
        """Replacement orders join the orders the machine watches, once placed (at once, or on receipt)."""
        known = {o.id for o in self.orders}
        for exchange_id in self.exchanges:
            replacement = self.get(f"/api/v1/exchanges/{exchange_id}")["replacement_order_id"]
            if replacement and replacement not in known:
                placed = self.get(f"/api/v1/orders/{replacement}")
                self.orders.append(ModelOrder(replacement, minor(placed["totals"]["shipping"]), replacement=True))
                known.add(replacement)

    def open_exchanges(self) -> list[dict]:
        return [e for o in self.orders for e in self.seen["orders"][o.id][3]
                if e["status"] != "completed" and e["original_order_id"] == o.id]

    def waiting_exchanges(self) -> list[dict]:
        return [e for e in self.open_exchanges() if e["status"] == "waiting"]

    @precondition(lambda self: self.waiting_exchanges())
    @rule(data=st.data())
    def retry_a_waiting_exchange(self, data: st.DataObject) -> None:
        """Place the replacement of an exchange still waiting: refused while its units are expected or while its
        SKUs are short."""
        waiting = {e["id"]: e for e in self.waiting_exchanges()}
        exchange = waiting[data.draw(st.sampled_from(sorted(waiting)), label="exchange")]
        rma = self.get(f"/api/v1/returns/{exchange['return_id']}")
        expected = any(line["quantity"] > line["received"] for line in rma["lines"])
        short = any(swap["quantity"] > self.available(swap["sku"]) for swap in exchange["lines"])
        refusals = {"exchange_not_ready": 409} if expected else {"out_of_stock": 409} if short else {}
        response = self.call("POST", f"/api/v1/exchanges/{exchange['id']}/retry")
        if self.outcome(response, 200, refusals):
            assert response.json()["status"] == "placed", response.text
            self.adopt_replacements()

    @precondition(lambda self: self.open_exchanges())
    @rule(data=st.data(), early=one_in(4))
    def complete_an_exchange(self, data: st.DataObject, early: bool) -> None:
        """Mostly once its units were sent back and inspected; refused until every unit came back and was
        inspected (or while the replacement waits)."""
        exchanges = {e["id"]: e for e in self.open_exchanges()}
        exchange = exchanges[data.draw(st.sampled_from(sorted(exchanges)), label="exchange")]
        for _ in range(0 if early else 4):  # send the units back: approve, receive, inspect (each step checked)
            rma = self.get(f"/api/v1/returns/{exchange['return_id']}")
            if rma["status"] in ("inspected", *FINISHED):
                break
            self.step_a_return(data, rma, forward=True)
            self.seen = self.snapshot()
        response = self.call("POST", f"/api/v1/exchanges/{exchange['id']}/complete")
        # return_wrong_state: its return was rejected or closed meanwhile; refund_exceeds_captured: a cheaper
        # replacement's difference cannot go back, refunds and appeasements gave the money back already
        refusals = {"exchange_not_ready": 409, "exchange_wrong_state": 409, "return_wrong_state": 409,
                    "refund_exceeds_captured": 422}
        if self.outcome(response, 200, refusals):
            assert response.json()["status"] == "completed", response.text

    # -- money back -----------------------------------------------------------------------------------------
    @precondition(lambda self: self.with_shipped_units())
    @rule(data=st.data(), too_many=one_in(6))
    def refund_some_lines(self, data: st.DataObject, too_many: bool) -> None:
        order = self.pick(data, self.with_shipped_units())
        shipped = {line["id"]: line["quantities"]["shipped"] for line in self.current(order)["lines"]
                   if line["quantities"]["shipped"]}
        chosen = data.draw(st.lists(st.sampled_from(sorted(shipped)), min_size=1, unique=True), label="lines")
        wanted = {line_id: data.draw(st.integers(1, shipped[line_id]), label="units") for line_id in chosen}
        if too_many:  # more than ever shipped: refused whatever was refunded before
            wanted[chosen[0]] = shipped[chosen[0]] + 1
        body = {"lines": [{"line_id": k, "quantity": n} for k, n in wanted.items()], "reason": "damaged"}
        response = self.call("POST", f"/api/v1/orders/{order.id}/refunds", json=body)
        refusals = {"refund_exceeds_shipped": 422} if too_many else {"refund_exceeds_shipped": 422,
                                                                     "refund_exceeds_captured": 422}
        if self.outcome(response, 201, refusals):
            assert not too_many, "a refund by lines gave back more units than shipped"

    def placed(self) -> int:
        return sum(not o.replacement for o in self.orders)

    def with_money(self) -> list[ModelOrder]:
        return [o for o in self.orders if self.refundable(o)]

    # also when nothing is left to ship or give back (refused then): a shop with nothing left to do ends here
    @precondition(lambda self: self.with_money() or (self.orders and not self.with_open_units()))
    @rule(data=st.data(), how=st.sampled_from(["some"] * 3 + ["all", "one_more"]))
    def refund_an_amount(self, data: st.DataObject, how: str) -> None:
        """Of an order with money to give back, when there is one (else refused: nothing was captured)."""
        order = self.pick(data, self.with_money() or self.orders)
        room = self.refundable(order)
        amount = {"all": room, "one_more": room + 1}.get(how)
        if amount is None:
            amount = data.draw(st.integers(1, max(room // 4, 1)), label="amount")  # leave some for the returns
        response = self.call("POST", f"/api/v1/orders/{order.id}/refunds",
                             json={"amount": money(amount), "reason": "goodwill"})
        expected = {"amount_not_positive": 422} if amount == 0 else (
            {"refund_exceeds_captured": 422} if amount > room else {})
        assert self.outcome(response, 201, expected) == (not expected)

    @precondition(lambda self: self.with_money())
    @rule(data=st.data(), how=st.sampled_from(["amount"] * 2 + ["percent", "too_much"]))
    def appease(self, data: st.DataObject, how: str) -> None:
        order = self.pick(data, self.with_money())
        room = self.refundable(order)
        body: dict[str, Any] = {"reason": "goodwill"}
        if how == "percent":
            body["percent"] = str(data.draw(st.sampled_from([5, 10, 50]), label="percent"))
            expected = {"appeasement_nothing": 422, "refund_exceeds_captured": 422}
        else:
            amount = room + 1 if how == "too_much" else data.draw(st.integers(1, max(room // 4, 1)), label="amount")
            body["amount"] = money(amount)
            expected = {"refund_exceeds_captured": 422} if amount > room else {}
        response = self.call("POST", f"/api/v1/orders/{order.id}/appeasements", json=body)
        if self.outcome(response, 201, expected):
            assert how != "too_much", "an appeasement gave back more than was captured"

    # -- after every step -------------------------------------------------------------------------------
    @invariant()
    def buckets_money_and_stock_add_up(self) -> None:
        self.adopt_replacements()
        self.seen = self.snapshot()
        balance = self.get("/api/v1/ledger/trial-balance")
        assert balance["balanced"], f"the money ledger does not balance: {balance}"
        for order in self.orders:
            current, payments, returns, _exchanges = self.seen["orders"][order.id]
            self.check_buckets(current, returns)
            self.check_money(order, current, payments["items"], returns)
        self.check_database()
        self.check_stock()

    @staticmethod
    def check_buckets(current: dict, returns: list[dict]) -> None:
        for line in current["lines"]:
            q = line["quantities"]
            assert q["ordered"] == line["quantity"], line
            assert all(0 <= q[name] <= q["ordered"] for name in q if name != "ordered"), line
            opened = q["ordered"] - q["cancelled"] - q["shipped"]
            assert q["cancelled"] + q["shipped"] <= q["ordered"], line
            assert q["allocated"] <= opened and q["delivered"] <= q["shipped"], line
            assert q["returned"] + q["return_requested"] <= q["delivered"], line
            assert q["written_off"] <= q["returned"], line
        lines = {line["id"]: line["quantities"] for line in current["lines"]}
        requested: dict[str, int] = defaultdict(int)
        received: dict[str, int] = defaultdict(int)
        damaged: dict[str, int] = defaultdict(int)
        for rma in returns:
            for line in rma["lines"]:
                assert line["received"] <= line["quantity"], rma
                assert line["resellable"] + line["damaged"] <= line["received"], rma
                assert line["refunded"] <= line["resellable"] + line["damaged"], rma
                received[line["line_id"]] += line["received"]
                damaged[line["line_id"]] += line["damaged"]
                if rma["status"] not in FINISHED:
                    requested[line["line_id"]] += line["quantity"] - line["received"]
        for line_id, q in lines.items():  # the order line's buckets are what its returns say
            assert (q["returned"], q["written_off"], q["return_requested"]) == (
                received[line_id], damaged[line_id], requested[line_id]), (q, returns)

    @staticmethod
    def check_money(order: ModelOrder, current: dict, payments: list[dict], returns: list[dict]) -> None:
        authorised = captured = refunded = 0
        for payment in payments:
            a, c, r = minor(payment["authorized"]), minor(payment["captured"]), minor(payment["refunded"])
            assert 0 <= r <= c <= a, payment
            succeeded: dict[str, int] = defaultdict(int)
            for tx in payment["transactions"]:
                assert tx["status"] in ("succeeded", "failed"), tx  # tok_approve answers at once
                if tx["status"] == "succeeded":
                    succeeded[tx["kind"]] += minor(tx["amount"])
            assert (succeeded["authorize"], succeeded["capture"], succeeded["refund"]) == (a, c, r), payment
            authorised, captured, refunded = authorised + a, captured + c, refunded + r
        assert 0 <= refunded <= captured <= authorised, payments
        assert sum(minor(rma["refund_amount"]) for rma in returns) <= refunded, (returns, payments)
        lines = current["lines"]
        shipped = sum(minor(line["unit_price"]) * line["quantities"]["shipped"] for line in lines)
        shipped_value = shipped + (order.shipping if any(line["quantities"]["shipped"] for line in lines) else 0)
        assert captured == shipped_value, f"captured {money(captured)}, shipped {money(shipped_value)}: {payments}"
        if all(line["quantities"]["ordered"] == line["quantities"]["cancelled"] + line["quantities"]["shipped"]
               for line in lines):
            assert captured == minor(current["totals"]["total"]), (current["totals"], payments)

    def check_database(self) -> None:
        with self.container.engine.connect() as conn:
            assert ledger_mismatches(conn) == []
            assert reservation_mismatches(conn) == []
            sums: dict[tuple[str, str], int] = defaultdict(int)
            tx = t.payment_transactions.c
            for row in conn.execute(select(tx.payment_id, tx.kind, tx.amount).where(tx.status == "succeeded")):
                sums[(row.payment_id, row.kind)] += row.amount
            for row in conn.execute(select(t.payments)):
                assert (row.authorized, row.captured, row.refunded) == (
                    sums[(row.id, "authorize")], sums[(row.id, "capture")], sums[(row.id, "refund")]), row

    def check_stock(self) -> None:
        for sku in PRICES:
            levels = [level for level in self.seen["stock"] if level[1] == sku]
            lines = [line for o in self.orders for line in self.current(o)["lines"] if line["sku"] == sku]
            restocked = sum(line["resellable"] for o in self.orders for rma in self.seen["orders"][o.id][2]
                            for line in rma["lines"] if line["sku"] == sku)
            initial = sum(n for (_loc, s), n in STOCK.items() if s == sku)
            shipped = sum(line["quantities"]["shipped"] for line in lines)
            assert sum(level[2] for level in levels) == initial - shipped + restocked, (sku, levels)
            assert sum(level[3] for level in levels) == sum(line["quantities"]["allocated"] for line in lines)
            for o in self.orders:  # stocked SKUs: every open unit is held at placement (a replacement may wait)
                for line in self.current(o)["lines"]:
                    q = line["quantities"]
                    assert o.replacement or q["allocated"] == q["ordered"] - q["cancelled"] - q["shipped"], line


def test_random_sequences_of_ship_edit_return_refund_and_appease_keep_buckets_money_and_stock_exact(
        database_url: str) -> None:
    # Given a fresh shop per run on this backend, when hypothesis drives random care steps through the API,
    # then after every step the buckets, the money and the stock add up (CareMachine.buckets_money_and_stock_add_up)
    machine = type("CareMachineOnThisBackend", (CareMachine,), {"database_url": database_url})
    run_state_machine_as_test(
        machine,
        settings=settings(max_examples=5, stateful_step_count=40, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
