"""Random sequences of place / ship / cancel / refund / appease / pay again / retry through the API keep every
money invariant.

A hypothesis state machine drives a fresh shop (on SQLite and on PostgreSQL) with orders paid by a sandbox card
(any test token), by a storefront's external authorisation plus a card, or not through Baton at all. After every
step it checks, over every order, through the API and in the database:

- per payment: captured ≤ authorised, refunded ≤ captured, the counters are the sums of the succeeded
  transactions, a void released exactly what was not captured, the payment's status follows its amounts;
- per order: captured ≤ the total at placement, refunded ≤ captured, `payment_status` (stored on the order and
  derived by GET /payments) is what the payments say; when the card captures, captured is exactly the value
  shipped, and once nothing is left to ship it is the order's total with nothing left authorised;
- each payment moved exactly as a small model of the rules predicts (captures in the order payments were added,
  refunds card first, a declining card moves nothing, voids once nothing is left to ship);
- stock: every level equals the sum of its ledger, reservations match what is open, on hand went down by
  exactly what shipped;
- no request ever answers 5xx, and a refused request (4xx) changed nothing at all;
- a retried refund or shipment with the same Idempotency-Key replays (Idempotent-Replayed) and changes nothing;
  the same key with another body is refused with `idempotency_key_reused`;
- an order whose card was declined is paid again with another card (POST /orders/{id}/payments) and then goes on
  as a paid order; refunds by lines give back what the units cost, never a unit twice; appeasements move money
  like refunds; the money ledger stays balanced.
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
from baton.inventory.queries import ledger_mismatches, reservation_mismatches
from tests.conftest import Shop
from tests.integration.api_machine import ApiMachine, money

PRICES = {"A": 3000, "B": 1999, "C": 745}  # EUR minor units
STOCK = {("WH-BER", "A"): 2, ("WH-MUC", "A"): 2, ("WH-BER", "B"): 4, ("WH-MUC", "C"): 5}  # short now and then
# token → what its authorisation ends as: authorised, failed (declined) or pending (the gateway never answers)
TOKENS = {"tok_approve": "authorized", "tok_timeout": "authorized", "tok_capture_decline": "authorized",
          "tok_refund_decline": "authorized", "tok_decline": "failed", "tok_insufficient_funds": "failed",
          "tok_expired": "failed", "tok_error": "pending"}
MAX_ORDERS = 2
# What placing, shipping, cancelling or refunding writes to: a refused request adds no row to any of them
WRITTEN = [t.orders, t.order_lines, t.order_changes, t.order_holds, t.fulfillment_orders, t.fulfillment_lines,
           t.shipments, t.stock_levels, t.inventory_ledger, t.payments, t.payment_transactions, t.idempotency_keys,
           t.timeline, t.outbox, t.audit_log, t.order_refunds, t.journal_entries]
# Mostly cards that work, so that most orders ship and get refunded; every other token now and then.
CARDS = st.sampled_from(["tok_approve"] * 3 + ["tok_timeout", "tok_capture_decline", "tok_refund_decline"] * 2
                        + ["tok_decline", "tok_insufficient_funds", "tok_expired", "tok_error"])
# Another card for an order whose card was declined: mostly one that works (never one that leaves it pending)
RETRY_CARDS = st.sampled_from(["tok_approve"] * 3 + ["tok_capture_decline", "tok_refund_decline", "tok_decline"])


def one_in(n: int) -> st.SearchStrategy[bool]:
    return st.integers(0, n - 1).map(lambda k: k == 0)


def minor(amount: str) -> int:
    return int(Decimal(amount) * 100)


# -- the model: what each order and payment should hold ----------------------------------------------
@dataclass
class ModelPayment:
    method: str  # "sandbox" or "external"
    token: str | None  # the sandbox token; None for external
    requested: int
    captured: int = 0
    refunded: int = 0
    voided: bool | None = False  # None: either is right (a card whose last capture was declined)

    @property
    def authorization(self) -> str:
        return "authorized" if self.token is None else TOKENS[self.token]

    @property
    def authorized(self) -> int:
        return self.requested if self.authorization == "authorized" else 0

    @property
    def captures(self) -> bool:
        return self.token != "tok_capture_decline"

    @property
    def refunds(self) -> bool:
        return self.token != "tok_refund_decline"

    @property
    def uncaptured(self) -> int:
        return 0 if self.voided else self.authorized - self.captured

    @property
    def refundable(self) -> int:
        return self.captured - self.refunded


@dataclass
class ModelLine:
    id: str
    sku: str
    quantity: int
    shipped: int = 0
    cancelled: int = 0
    refunded: int = 0  # units refunded by lines

    @property
    def open(self) -> int:
        return self.quantity - self.shipped - self.cancelled

    def describe(self) -> str:
        return f"{self.sku}×{self.quantity} (shipped {self.shipped}, cancelled {self.cancelled}, {self.id})"


@dataclass
class ModelOrder:
    id: str
    lines: list[ModelLine]
    shipping: int
    placed_total: int
    payments: list[ModelPayment]
    refund_keys: dict[str, dict] = field(default_factory=dict)  # Idempotency-Key → body of a refund that was made
    repaid: bool = False  # a payment added after a refusal covered what was unpaid: the hold is gone

    def describe(self) -> str:
        paid = " + ".join(p.token or f"external {money(p.requested)}" for p in self.payments) or "no payment"
        lines = ", ".join(line.describe() for line in self.lines)
        return f"{self.id}: {lines}; shipping {money(self.shipping)}; {paid}"

    def line(self, line_id: str) -> ModelLine:
        return next(line for line in self.lines if line.id == line_id)

    @property
    def held(self) -> bool:
        return not self.repaid and any(p.authorization != "authorized" for p in self.payments)

    @property
    def unpaid(self) -> int:
        """What no authorised payment covers (nothing has shipped while an order is held)."""
        return max(0, self.total - sum(p.captured + p.uncaptured for p in self.payments
                                       if p.authorization == "authorized"))

    @property
    def open_units(self) -> int:
        return sum(line.open for line in self.lines)

    @property
    def shipped_value(self) -> int:
        shipped = any(line.shipped for line in self.lines)
        return sum(PRICES[line.sku] * line.shipped for line in self.lines) + (self.shipping if shipped else 0)

    @property
    def total(self) -> int:
        kept = {line.sku: line.quantity - line.cancelled for line in self.lines}
        return sum(PRICES[sku] * n for sku, n in kept.items()) + (self.shipping if any(kept.values()) else 0)

    def settle(self) -> None:
        """After a shipment or a cancellation: capture what shipped and is not captured yet (in the order the
        payments were added); once nothing is left to ship, release what can no longer be captured. Whether a
        card whose capture was just declined is released as well, the rules leave open."""
        due = self.shipped_value - sum(p.captured for p in self.payments)
        declined = set()
        for payment in self.payments:
            take = min(due, payment.uncaptured) if due > 0 else 0
            if take > 0:
                if payment.captures:
                    payment.captured += take
                else:
                    declined.add(id(payment))
                due -= take
        if self.open_units == 0:
            for payment in self.payments:
                if payment.uncaptured > 0:
                    payment.voided = None if id(payment) in declined else True

    def refund(self, amount: int) -> bool:
        """Card first: the payments in the reverse of the order they were added, each up to what it can refund.
        Whether any of them gave money back (a refund by lines counts its units unless every share was refused)."""
        gave = False
        for payment in reversed(self.payments):
            take = min(amount, payment.refundable)
            if take > 0:
                payment.refunded += take if payment.refunds else 0
                gave = gave or payment.refunds
                amount -= take
        return gave


# -- what the payments say, from the rules in baton.payments.status ------------------------------------------
def status_from_amounts(captured: int, refunded: int, uncaptured: int, all_voided: bool) -> str:
    if captured == 0:
        return "voided" if all_voided else "authorized"
    if refunded == captured:
        return "refunded"
    if refunded > 0:
        return "partially_refunded"
    return "captured" if uncaptured == 0 else "partially_captured"


def amounts(payment: dict) -> tuple[int, int, int, int]:
    """(authorized, captured, refunded, uncaptured) of a payment as the API shows it."""
    a, c, r = minor(payment["authorized"]), minor(payment["captured"]), minor(payment["refunded"])
    return a, c, r, 0 if payment["voided"] else a - c


def own_status(payment: dict) -> str:
    authorization = next(tx for tx in payment["transactions"] if tx["kind"] == "authorize")
    if authorization["status"] in ("failed", "pending"):
        return str(authorization["status"])
    _a, c, r, uncaptured = amounts(payment)
    return status_from_amounts(c, r, uncaptured, payment["voided"])


def order_status(payments: list[dict]) -> str:
    if not payments:
        return "none"
    live = [p for p in payments if own_status(p) != "failed"]
    if not live:
        return "failed"
    captured = sum(amounts(p)[1] for p in live)
    if captured == 0 and any(own_status(p) == "pending" for p in live):
        return "pending"
    return status_from_amounts(captured, sum(amounts(p)[2] for p in live), sum(amounts(p)[3] for p in live),
                               all(p["voided"] for p in live))


class MoneyMachine(ApiMachine):
    """One shop per run, on the session's database emptied first; the orders it placed are its model."""

    PRICES, STOCK = PRICES, STOCK

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[ModelOrder] = []
        self.shipments: list[tuple[str, str, dict]] = []  # (fulfilment order, Idempotency-Key, body) that shipped
        self.keys = 0
        self.seen = self.snapshot()

    # -- helpers --------------------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        response = self.call("GET", path)
        assert response.status_code == 200, response.text
        return response.json()

    def key(self, kind: str) -> str:
        self.keys += 1
        return f"{kind}-{self.keys}"

    def snapshot(self) -> dict[str, Any]:
        """Everything a request could change: every order with its payments (API), how many rows each table
        holds and every stock level (database)."""
        levels = t.stock_levels.c
        with self.container.engine.connect() as conn:
            counts = conn.execute(select(*[select(func.count()).select_from(table).scalar_subquery()
                                           .label(table.name) for table in WRITTEN])).one()
            stock = conn.execute(select(levels.location, levels.sku, levels.on_hand, levels.reserved)
                                 .order_by(levels.location, levels.sku)).all()
        return {
            "rows": counts._asdict(), "stock": [tuple(level) for level in stock],
            **{o.id: (self.get(f"/api/v1/orders/{o.id}"), self.get(f"/api/v1/orders/{o.id}/payments"))
               for o in self.orders},
        }

    def refused(self, response: Any, status: int, code: str | None = None, before: dict | None = None) -> None:
        """A refusal with this status (and code), which changed nothing at all."""
        assert response.status_code == status, response.text
        if code is not None:
            assert response.json()["code"] == code, response.text
        assert self.snapshot() == (self.seen if before is None else before), "a refused request changed something"

    def available(self, sku: str) -> int:
        kept = sum(line.quantity - line.cancelled for o in self.orders for line in o.lines if line.sku == sku)
        return sum(n for (_loc, s), n in STOCK.items() if s == sku) - kept

    def pick(self, data: st.DataObject, orders: list[ModelOrder]) -> ModelOrder:
        """One of `orders`, drawn by its description, which is what hypothesis shows of a failing sequence."""
        described = {order.describe(): order for order in orders}
        return described[data.draw(st.sampled_from(list(described)), label="order")]

    def with_open_units(self) -> list[ModelOrder]:
        return [o for o in self.orders if o.open_units]

    # -- rules ----------------------------------------------------------------------------------------
    @initialize(data=st.data())
    def a_first_order_paid_in_baton(self, data: st.DataObject) -> None:
        self.place(data, ["card", "external+card"])

    @precondition(lambda self: len(self.orders) < MAX_ORDERS)  # steps go to what happens to orders, mostly
    @rule(data=st.data())
    def place_an_order(self, data: st.DataObject) -> None:
        self.place(data, ["card", "external+card"] * 2 + ["none"])

    @precondition(lambda self: len(self.orders) < MAX_ORDERS)
    @rule(data=st.data())
    def place_an_order_whose_card_declines(self, data: st.DataObject) -> None:
        self.place(data, ["card", "external+card"], card="tok_decline")

    def place(self, data: st.DataObject, setups: list[str], card: str | None = None) -> None:
        skus = data.draw(st.lists(st.sampled_from(sorted(PRICES)), min_size=1, max_size=3, unique=True), label="skus")
        shipping = data.draw(st.sampled_from([0, 495]), label="shipping")
        setup = data.draw(st.sampled_from(setups), label="payment")
        card = card or data.draw(CARDS, label="card")
        items = [(sku, data.draw(st.integers(1, 3), label=f"quantity of {sku}")) for sku in skus]
        total = sum(PRICES[sku] * quantity for sku, quantity in items) + shipping
        payments: list[ModelPayment] = []
        payment: Any = None
        if setup == "external+card":
            external = data.draw(st.integers(1, total - 1), label="external amount")
            payments = [ModelPayment("external", None, external), ModelPayment("sandbox", card, total - external)]
            payment = [{"method": "external", "reference": f"ext_{self.key('ref')}", "amount": money(external)},
                       {"method": "sandbox", "token": card}]
        elif setup == "card":
            payments = [ModelPayment("sandbox", card, total)]
            payment = {"method": "sandbox", "token": card}
        body = Shop(self.client).order_body(items, shipping=money(shipping))
        if payment is not None:
            body["payment"] = payment
        response = self.call("POST", "/api/v1/orders", json=body)
        if any(quantity > self.available(sku) for sku, quantity in items):
            return self.refused(response, 409)
        assert response.status_code == 201, response.text
        placed = response.json()
        assert minor(placed["totals"]["total"]) == total
        lines = [ModelLine(line["id"], line["sku"], line["quantity"]) for line in placed["lines"]]
        assert [(line.sku, line.quantity) for line in lines] == items
        self.orders.append(ModelOrder(placed["id"], lines, shipping, total, payments))

    @precondition(lambda self: self.with_open_units())
    @rule(data=st.data(), held=one_in(5))
    def ship_everything_left_at_a_location(self, data: st.DataObject, held: bool) -> None:
        self.ship(data, held, whole=True, too_many=False)

    @precondition(lambda self: self.with_open_units())
    @rule(data=st.data(), held=one_in(5), too_many=one_in(6))
    def ship_some_units(self, data: st.DataObject, held: bool, too_many: bool) -> None:
        self.ship(data, held, whole=False, too_many=too_many)

    def ship(self, data: st.DataObject, held: bool, whole: bool, too_many: bool) -> None:
        """Accept (when still open) and ship one fulfilment order of an order, mostly of one that is not held."""
        shippable = [o for o in self.with_open_units() if not o.held]
        order = self.pick(data, shippable if shippable and not held else self.with_open_units())
        current, _payments = self.seen[order.id]
        active = [fo for fo in current["fulfillment_orders"] if fo["status"] in ("open", "accepted", "packed")
                  and any(line["remaining"] for line in fo["lines"])]
        assert active, "open units that no fulfilment order holds"  # stock is reserved at placement here
        fo = {fo["id"]: fo for fo in active}[data.draw(st.sampled_from([fo["id"] for fo in active]),
                                                       label="fulfilment order")]
        if fo["status"] == "open":
            accepted = self.call("POST", f"/api/v1/fulfillment-orders/{fo['id']}/accept")
            if order.held:
                return self.refused(accepted, 409, "order_on_hold")
            assert accepted.status_code == 200, accepted.text
        assert not order.held
        remaining = {line["line_id"]: line["remaining"] for line in fo["lines"] if line["remaining"]}
        if whole:
            body: dict[str, Any] = {"carrier": "DHL"}
            wanted = remaining
        else:
            chosen = data.draw(st.lists(st.sampled_from(sorted(remaining)), min_size=1, unique=True), label="lines")
            wanted = {line_id: data.draw(st.integers(1, remaining[line_id]), label="units") for line_id in chosen}
            if too_many:  # one unit more than is left on one line: refused
                wanted[chosen[0]] = remaining[chosen[0]] + 1
            body = {"carrier": "DHL", "lines": [{"line_id": k, "quantity": n} for k, n in wanted.items()]}
        key = self.key("ship")
        over = any(n > remaining[line_id] for line_id, n in wanted.items())
        before = self.snapshot() if over and fo["status"] == "open" else self.seen  # accepted: that changed
        shipped = self.call("POST", f"/api/v1/fulfillment-orders/{fo['id']}/ship", json=body,
                            headers={"Idempotency-Key": key})
        if over:
            return self.refused(shipped, 409, "over_shipment", before)
        assert shipped.status_code == 200, shipped.text
        for line_id, n in wanted.items():
            order.line(line_id).shipped += n
        order.settle()
        self.shipments.append((fo["id"], key, body))

    @precondition(lambda self: self.shipments)
    @rule(data=st.data(), same_body=st.sampled_from([True, True, False]))
    def retry_a_shipment(self, data: st.DataObject, same_body: bool) -> None:
        fo_id, key, body = data.draw(st.sampled_from(self.shipments), label="shipment")
        again = self.call("POST", f"/api/v1/fulfillment-orders/{fo_id}/ship",
                          json=body if same_body else {**body, "carrier": "UPS"}, headers={"Idempotency-Key": key})
        if not same_body:
            return self.refused(again, 422, "idempotency_key_reused")
        assert again.status_code == 200, again.text
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == self.get(f"/api/v1/fulfillment-orders/{fo_id}")
        assert self.snapshot() == self.seen, "a replayed shipment changed something"

    @precondition(lambda self: self.with_open_units())
    @rule(data=st.data(), mode=st.sampled_from(["some"] * 3 + ["everything", "too_many"]))
    def cancel_some_units(self, data: st.DataObject, mode: str) -> None:
        order = self.pick(data, self.with_open_units())
        open_lines = [line for line in order.lines if line.open]
        body: dict[str, Any] = {"reason": "customer asked"}
        if mode == "everything":
            wanted = {line.id: line.open for line in open_lines}
        else:
            described = {line.describe(): line for line in open_lines}
            chosen = [described[d] for d in data.draw(st.lists(st.sampled_from(list(described)), min_size=1,
                                                                unique=True), label="lines")]
            wanted = {line.id: data.draw(st.integers(1, line.open), label="units") for line in chosen}
            if mode == "too_many":
                wanted[chosen[0].id] = chosen[0].open + 1
            body["lines"] = [{"line_id": k, "quantity": n} for k, n in wanted.items()]
        response = self.call("POST", f"/api/v1/orders/{order.id}/cancel", json=body)
        if mode == "too_many":
            return self.refused(response, 409, "not_cancellable")
        assert response.status_code == 200, response.text
        for line_id, n in wanted.items():
            order.line(line_id).cancelled += n
        order.settle()

    def payable(self) -> list[ModelOrder]:
        """Orders held for a refused card (not one the gateway never answered) with units left to ship."""
        return [o for o in self.orders if o.held and o.open_units
                and not any(p.authorization == "pending" for p in o.payments)]

    @precondition(lambda self: self.payable())
    @rule(data=st.data(), card=RETRY_CARDS)
    def pay_again_with_another_card(self, data: st.DataObject, card: str) -> None:
        order = self.pick(data, self.payable())
        response = self.call("POST", f"/api/v1/orders/{order.id}/payments", json={"method": "sandbox", "token": card})
        unpaid = order.unpaid
        if unpaid == 0:  # cancelled down to what the authorised payments cover already
            return self.refused(response, 409, "order_paid")
        assert response.status_code == 201, response.text
        payment = ModelPayment("sandbox", card, unpaid)
        order.payments.append(payment)
        order.repaid = payment.authorization == "authorized"
        added = response.json()
        assert (added["order_status"] == "on_hold") == order.held, added
        assert minor(added["unpaid"]) == (0 if order.repaid else unpaid), added

    def refundable(self) -> list[ModelOrder]:
        return [o for o in self.orders if any(p.refundable for p in o.payments)]

    def with_units_to_refund(self) -> list[ModelOrder]:
        return [o for o in self.orders if any(line.shipped > line.refunded for line in o.lines)]

    @precondition(lambda self: self.with_units_to_refund())
    @rule(data=st.data(), too_many=one_in(6))
    def refund_some_lines(self, data: st.DataObject, too_many: bool) -> None:
        order = self.pick(data, self.with_units_to_refund())
        described = {line.describe(): line for line in order.lines if line.shipped > line.refunded}
        chosen = [described[d] for d in data.draw(st.lists(st.sampled_from(sorted(described)), min_size=1,
                                                            unique=True), label="lines to refund")]
        wanted = {line.id: data.draw(st.integers(1, line.shipped - line.refunded), label="units") for line in chosen}
        if too_many:  # one unit more than has shipped and was not refunded by lines: refused
            wanted[chosen[0].id] = chosen[0].shipped - chosen[0].refunded + 1
        body = {"lines": [{"line_id": k, "quantity": n} for k, n in wanted.items()], "reason": "damaged"}
        response = self.call("POST", f"/api/v1/orders/{order.id}/refunds", json=body)
        if too_many:
            return self.refused(response, 422, "refund_exceeds_shipped")
        amount = sum(PRICES[order.line(line_id).sku] * n for line_id, n in wanted.items())  # no discounts here
        if not order.payments:
            return self.refused(response, 409, "no_payments")
        if amount > sum(p.refundable for p in order.payments):
            return self.refused(response, 422, "refund_exceeds_captured")
        assert response.status_code == 201, response.text
        if order.refund(amount):
            for line_id, n in wanted.items():
                order.line(line_id).refunded += n

    @precondition(lambda self: self.refundable())  # the refusals of an order without money are the refunds' part
    @rule(data=st.data(), how=st.sampled_from(["amount"] * 2 + ["percent", "too_much"]))
    def appease(self, data: st.DataObject, how: str) -> None:
        order = self.pick(data, self.refundable())
        room = sum(p.refundable for p in order.payments)
        body: dict[str, Any] = {"reason": "goodwill"}
        if how == "percent":  # of every unit shipped, rounded half up
            percent = data.draw(st.sampled_from([5, 10, 50]), label="percent")
            amount = (sum(PRICES[line.sku] * line.shipped for line in order.lines) * percent + 50) // 100
            body["percent"] = str(percent)
        else:
            amount = room + 1 if how == "too_much" else data.draw(st.integers(1, max(room, 1)), label="amount")
            body["amount"] = money(amount)
        response = self.call("POST", f"/api/v1/orders/{order.id}/appeasements", json=body)
        if amount == 0:
            return self.refused(response, 422, "appeasement_nothing")
        if not order.payments:
            return self.refused(response, 409, "no_payments")
        if amount > room:
            return self.refused(response, 422, "refund_exceeds_captured")
        assert response.status_code == 201, response.text
        order.refund(amount)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), how=st.sampled_from(["some"] * 3 + ["all"] * 2 + ["one_more", "zero", "negative"]),
          keyed=st.integers(0, 3))
    def refund_an_amount(self, data: st.DataObject, how: str, keyed: int) -> None:
        refundable = self.refundable()
        order = self.pick(data, refundable if refundable and how in ("some", "all") else self.orders)
        room = sum(p.refundable for p in order.payments)
        amount = {"all": room, "one_more": room + 1, "zero": 0, "negative": -100}.get(how)
        self.refund(order, data.draw(st.integers(1, max(room, 1)), label="amount") if amount is None else amount,
                    keyed > 0)

    def refund(self, order: ModelOrder, amount: int, keyed: bool) -> None:
        body = {"amount": money(amount), "reason": f"goodwill {self.keys}"}
        key = self.key("refund") if keyed else None
        response = self.call("POST", f"/api/v1/orders/{order.id}/refunds", json=body,
                             headers={"Idempotency-Key": key} if key else None)
        if amount < 0:
            return self.refused(response, 422)  # not an amount at all
        if not order.payments:
            return self.refused(response, 409, "no_payments")
        if amount == 0:
            return self.refused(response, 422, "amount_not_positive")
        if amount > sum(p.refundable for p in order.payments):
            return self.refused(response, 422, "refund_exceeds_captured")
        assert response.status_code == 201, response.text
        order.refund(amount)
        if key:
            order.refund_keys[key] = body

    @precondition(lambda self: any(o.refund_keys for o in self.orders))
    @rule(data=st.data(), same_body=st.sampled_from([True, True, False]))
    def retry_a_refund(self, data: st.DataObject, same_body: bool) -> None:
        order = self.pick(data, [o for o in self.orders if o.refund_keys])
        key = data.draw(st.sampled_from(sorted(order.refund_keys)), label="key")
        body = order.refund_keys[key]
        if not same_body:
            body = {**body, "amount": money(minor(body["amount"]) + 1)}
        again = self.call("POST", f"/api/v1/orders/{order.id}/refunds", json=body, headers={"Idempotency-Key": key})
        if not same_body:
            return self.refused(again, 422, "idempotency_key_reused")
        assert again.status_code == 201, again.text
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == self.get(f"/api/v1/orders/{order.id}/payments")
        assert self.snapshot() == self.seen, "a replayed refund changed something"

    # -- after every step -------------------------------------------------------------------------------
    @invariant()
    def money_and_stock_add_up(self) -> None:
        self.seen = self.snapshot()
        assert self.get("/api/v1/ledger/trial-balance")["balanced"], "the money ledger does not balance"
        for order in self.orders:
            self.check_order(order, *self.seen[order.id])
        self.check_database()
        self.check_stock()

    def check_order(self, order: ModelOrder, placed: dict, listed: dict) -> None:
        payments = listed["items"]
        # every payment: captured ≤ authorised, refunded ≤ captured, counters = succeeded transactions
        for payment in payments:
            a, c, r, _uncaptured = amounts(payment)
            assert 0 <= r <= c <= a, payment
            succeeded: dict[str, int] = defaultdict(int)
            for tx in payment["transactions"]:
                if tx["status"] == "succeeded":
                    succeeded[tx["kind"]] += minor(tx["amount"])
            assert (succeeded["authorize"], succeeded["capture"], succeeded["refund"]) == (a, c, r), payment
            assert succeeded["void"] == (a - c if payment["voided"] else 0), payment
            assert payment["status"] == own_status(payment), payment
        # the order: its payment_status is what its payments say; captured within the total, refunded within that
        assert listed["payment_status"] == placed["payment_status"] == order_status(payments), (placed, listed)
        captured = sum(minor(p["captured"]) for p in payments)
        assert captured <= order.placed_total
        assert sum(minor(p["refunded"]) for p in payments) <= captured
        if order.payments and not order.held and all(p.captures for p in order.payments):
            assert captured == order.shipped_value, "each shipment captures exactly what it ships"
            if order.open_units == 0:  # nothing left to ship: all of the total captured, nothing left held
                assert captured == order.total
                held = sum(amounts(p)[3] for p in payments)
                assert held == 0, f"nothing is left to ship, yet {money(held)} stays authorised: {payments}"
        # and exactly what the model expects
        assert [(line["id"], line["quantities"]["shipped"], line["quantities"]["cancelled"])
                for line in placed["lines"]] == [(line.id, line.shipped, line.cancelled) for line in order.lines]
        assert minor(placed["totals"]["total"]) == order.total
        assert [p["method"] for p in payments] == [p.method for p in order.payments]
        for payment, expected in zip(payments, order.payments, strict=True):
            for tx in payment["transactions"]:  # the sandbox answers at once, except tok_error's authorisation
                assert tx["status"] != "pending" or (tx["kind"] == "authorize" and expected.token == "tok_error"), tx
            if expected.voided is None:
                expected.voided = payment["voided"]
            a, c, r, _uncaptured = amounts(payment)
            assert (a, c, r, payment["voided"]) == (expected.authorized, expected.captured, expected.refunded,
                                                   expected.voided), (payment, expected)

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
            lines = [line for o in self.orders for line in o.lines if line.sku == sku]
            initial = sum(n for (_loc, s), n in STOCK.items() if s == sku)
            assert sum(level[2] for level in levels) == initial - sum(line.shipped for line in lines)
            assert sum(level[3] for level in levels) == sum(line.open for line in lines)


def test_random_sequences_of_place_ship_cancel_refund_appease_and_retry_keep_every_money_invariant(
        database_url: str) -> None:
    # Given a fresh shop per run on this backend, when hypothesis drives random steps through the API,
    # then after every step the money and the stock add up (MoneyMachine.money_and_stock_add_up)
    machine = type("MoneyMachineOnThisBackend", (MoneyMachine,), {"database_url": database_url})
    run_state_machine_as_test(
        machine,
        settings=settings(max_examples=15, stateful_step_count=15, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
