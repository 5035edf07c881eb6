"""The order aggregate: the order as placed (never rewritten), its lines and quantity buckets,
the changes made since, the fulfilment orders that carry it to the customer, and the holds that stop them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from baton.fulfillment.model import FulfillmentLine, FulfillmentOrder
from baton.orders.holding import Holding
from baton.orders.holds import OrderHold
from baton.orders.status import derive_fulfillment_status, derive_order_status
from baton.routing.model import RoutingPlan
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id
from baton.shared.messages import DomainEvent, Recorder, TimelineEntry
from baton.shared.money import allocate, to_decimal_string
from baton.tax.model import PricesInclude, TaxBreakdown

MAX_LINE_AMOUNT = 10**15  # minor units: keeps every total of up to 500 lines inside a 64-bit integer


class Channel(enum.StrEnum):
    WEB = "web"  # the storefront
    APP = "app"  # the mobile app
    MARKETPLACE = "marketplace"  # a third-party marketplace
    STORE = "store"  # a point of sale in one of our stores
    PHONE = "phone"  # an agent placing it on the customer's behalf
    B2B = "b2b"  # a business buyer


class DeliveryMethod(enum.StrEnum):
    SHIP = "ship"  # parcels to the shipping address
    PICKUP = "pickup"  # the customer collects at a store


@dataclass(eq=False)
class OrderLine:
    sku: str
    name: str
    unit_price: int  # minor units, snapshot at placement
    quantity: int  # ordered; never changes
    stock_policy: str
    position: int = 0
    discount: int = 0  # this line's share of order-level discounts, minor units
    tax_class: str = "standard"  # the product's, at placement
    tax_rate: str = "0"  # the rate applied, an exact decimal ("0.19")
    tax: int = 0  # the tax of all units ordered, after discount (contained in the price when prices include tax)
    cancelled: int = 0
    allocated: int = 0  # routed to a location and not yet shipped
    shipped: int = 0
    delivered: int = 0
    return_requested: int = 0
    returned: int = 0
    written_off: int = 0
    id: str = field(default_factory=lambda: new_id("line"))

    @property
    def open(self) -> int:
        """Units neither cancelled nor shipped."""
        return self.quantity - self.cancelled - self.shipped

    @property
    def unallocated(self) -> int:
        """Open units no location holds: waiting for stock or for re-routing."""
        return self.open - self.allocated

    @property
    def kept(self) -> int:
        return self.quantity - self.cancelled

    def amounts(self) -> tuple[int, int, int]:
        """(subtotal, discount, tax) of the units still on the order."""
        return self.unit_price * self.kept, self.share(self.discount, self.kept), self.share(self.tax, self.kept)

    def share(self, amount: int, units: int) -> int:
        """The part of a line amount (discount, tax) that `units` of its units carry: prorated and rounded down,
        so the units kept or shipped first never carry more than their part and all units carry it all."""
        return amount * units // self.quantity

    def check_buckets(self) -> None:
        ok = (
            self.cancelled >= 0
            and self.shipped >= 0
            and self.cancelled + self.shipped <= self.quantity
            and 0 <= self.allocated <= self.open
            and 0 <= self.delivered <= self.shipped
            and 0 <= self.returned + self.return_requested <= self.delivered
            and 0 <= self.written_off <= self.returned
        )
        if not ok:
            raise AssertionError(f"quantity buckets of line {self.id} broke: {self.buckets()}")

    def buckets(self) -> dict[str, int]:
        return {
            "ordered": self.quantity, "cancelled": self.cancelled, "allocated": self.allocated,
            "unallocated": self.unallocated, "shipped": self.shipped, "delivered": self.delivered,
            "return_requested": self.return_requested, "returned": self.returned,
            "written_off": self.written_off,
        }


@dataclass(eq=False)
class OrderChange:
    """One later change of a placed order, with its quantity and money delta."""

    order_id: str
    kind: str  # "cancellation" (edits, returns and appeasements come with customer care)
    actor: str
    reason: str
    lines: list[dict[str, Any]]  # [{"line_id", "sku", "quantity"}] quantities removed (+) from the order
    amount_delta: int  # change of the order total, minor units (negative: the customer owes less)
    id: str = field(default_factory=lambda: new_id("chg"))
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Totals:
    subtotal: int
    discount: int
    shipping: int
    tax: int
    total: int


@dataclass(frozen=True)
class Customer:
    email: str
    name: str | None
    phone: str | None


@dataclass(frozen=True)
class Discount:
    code: str
    amount: int


class Order(Holding, Recorder):
    def __init__(
        self, *, number: str, channel: Channel, currency: str, customer_id: str, customer: Customer,
        shipping_address: dict[str, Any] | None, delivery_method: DeliveryMethod, pickup_location: str | None,
        lines: list[OrderLine], shipping: int = 0, discounts: tuple[Discount, ...] = (),
        placed_at: datetime | None = None, tracking_id: str, id: str | None = None,
        billing_address: dict[str, Any] | None = None, actor: str = "system",
        prices_include: PricesInclude = PricesInclude.TAX_EXCLUSIVE, tax: TaxBreakdown | None = None,
        tax_note: str | None = None,
    ) -> None:
        if not lines:
            raise InvalidInput("lines", "an order needs at least one line.")
        for index, line in enumerate(lines):
            if line.unit_price * line.quantity > MAX_LINE_AMOUNT:
                raise InvalidInput(f"lines[{index}].quantity", "price × quantity is beyond what one order line "
                                   "may carry; split the order.", code="amount_too_large")
        self.id = id or new_id("ord")
        self.number = number
        self.tracking_id = tracking_id
        self.channel = channel
        self.currency = currency
        self.customer_id = customer_id
        self.customer_email = customer.email
        self.customer_name = customer.name
        self.customer_phone = customer.phone
        self.shipping_address = shipping_address
        self.billing_address = billing_address
        self.delivery_method = delivery_method
        self.pickup_location = pickup_location
        self.shipping = shipping
        self.shipping_tax = 0
        self.prices_include = str(prices_include)
        self.discounts = [{"code": d.code, "amount": d.amount} for d in discounts]
        self.placed_at = placed_at or utcnow()
        self.updated_at = self.placed_at
        self.version = 1
        for position, line in enumerate(lines):
            line.position = position
        self.lines = lines
        self.fulfillment_orders: list[FulfillmentOrder] = []
        self.payment_status = "none"  # derived from the order's payments by the payments flows; kept for lists
        self.changes: list[OrderChange] = []
        self.holds: list[OrderHold] = []
        self._spread_discounts(sum(d.amount for d in discounts))
        if tax is not None:
            self._apply_tax(tax)
        self.refresh()
        self._placed(actor, tax_note)

    # -- totals -----------------------------------------------------------------------------
    def _spread_discounts(self, total_discount: int) -> None:
        gross = [line.unit_price * line.quantity for line in self.lines]
        if total_discount > sum(gross):
            raise InvalidInput("discounts", "discounts add up to more than the lines cost.")
        for line, share in zip(self.lines, allocate(total_discount, gross), strict=True):
            line.discount = share

    def _apply_tax(self, tax: TaxBreakdown) -> None:
        """The tax computed for these lines (tax.model spreads discounts exactly as `_spread_discounts`)."""
        if [taxed.discount for taxed in tax.lines] != [line.discount for line in self.lines]:
            raise AssertionError("the tax breakdown spread the discounts differently from the order")
        for line, taxed in zip(self.lines, tax.lines, strict=True):
            line.tax, line.tax_rate, line.tax_class = taxed.tax, format(taxed.rate.normalize(), "f"), taxed.tax_class
        self.shipping_tax = tax.shipping.tax

    @property
    def tax_added(self) -> bool:
        """Prices without tax (tax-exclusive): the tax comes on top of them; otherwise it is contained in them."""
        return self.prices_include == PricesInclude.TAX_EXCLUSIVE

    def value_of(self, line: OrderLine, units: int) -> int:
        """What `units` units of the line cost the customer: price less their share of discounts, plus their
        share of tax when it comes on top. For the units kept it is the line's part of the order's total."""
        value = line.unit_price * units - line.share(line.discount, units)
        return value + (line.share(line.tax, units) if self.tax_added else 0)

    @property
    def shipping_value(self) -> int:
        """What the shipping charge costs the customer (with its tax when tax comes on top)."""
        return self.shipping + (self.shipping_tax if self.tax_added else 0)

    @property
    def totals(self) -> Totals:
        subtotal = discount = tax = 0
        for line in self.lines:
            line_subtotal, line_discount, line_tax = line.amounts()
            subtotal += line_subtotal
            discount += line_discount
            tax += line_tax
        cancelled = self.is_fully_cancelled
        shipping, shipping_tax = (0, 0) if cancelled else (self.shipping, self.shipping_tax)
        tax += shipping_tax
        total = subtotal - discount + shipping + (tax if self.tax_added else 0)
        return Totals(subtotal, discount, shipping, tax, total)

    def money(self, minor: int) -> str:
        return f"{self.currency} {to_decimal_string(minor, self.currency)}"

    # -- lookups ----------------------------------------------------------------------------
    @property
    def is_fully_cancelled(self) -> bool:
        return all(line.kept == 0 for line in self.lines)

    def line(self, line_id: str) -> OrderLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise NotFound(f"Order {self.number} has no line {line_id}.", code="line_not_found")

    def fulfillment_order(self, fo_id: str) -> FulfillmentOrder:
        for fo in self.fulfillment_orders:
            if fo.id == fo_id:
                return fo
        raise NotFound(f"Order {self.number} has no fulfilment order {fo_id}.")

    @property
    def rejected_locations(self) -> frozenset[str]:
        return frozenset(fo.location for fo in self.fulfillment_orders if fo.status == "rejected")

    # -- derived state ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the derived statuses; called after every change, never set by hand."""
        for line in self.lines:
            line.check_buckets()
        self.status = derive_order_status(self)
        self.fulfillment_status = derive_fulfillment_status(self)
        self.total = self.totals.total

    def audit_view(self) -> dict[str, Any]:
        """The fields the audit log compares before and after a change (no personal data: erasure keeps it)."""
        return {"number": self.number, "status": str(self.status), "fulfillment_status": str(self.fulfillment_status),
                "total": to_decimal_string(self.total, self.currency), "currency": self.currency,
                "version": self.version,
                **{f"lines.{line.id}": {k: v for k, v in line.buckets().items() if v} for line in self.lines},
                **{f"fulfillment_orders.{fo.id}": f"{fo.location} {fo.status}" for fo in self.fulfillment_orders},
                **{f"holds.{h.id}": f"{h.kind} {'active' if h.active else 'released'}" for h in self.holds}}

    def touch(self) -> None:
        self.refresh()
        self.version += 1
        self.updated_at = utcnow()

    # -- messages ---------------------------------------------------------------------------
    def tell(self, actor: str, kind: str, message: str, **data: Any) -> None:
        self.note(TimelineEntry(self.id, actor, kind, message, data))

    def announce(self, event_type: str, **payload: Any) -> None:
        self.record(DomainEvent(event_type, self.id, {"order_id": self.id, "number": self.number, **payload}))

    def _placed(self, actor: str, tax_note: str | None) -> None:
        units = sum(line.quantity for line in self.lines)
        totals = self.totals
        if totals.tax:
            tax_note = f"{'plus' if self.tax_added else 'including'} tax of {self.money(totals.tax)}"
        self.tell(
            actor, "placed",
            f"Order {self.number} placed on {self.channel} by {self.customer_email}: {units} unit(s) of "
            f"{len(self.lines)} product(s), total {self.money(totals.total)}"
            + (f" ({tax_note})." if tax_note else "."),
        )
        self.announce("order.placed", channel=str(self.channel), total=totals.total, currency=self.currency)

    # -- routing ----------------------------------------------------------------------------
    def apply_routing(self, plan: RoutingPlan, actor: str) -> list[FulfillmentOrder]:
        """Create one fulfilment order per location of the plan and count the units as allocated."""
        by_location: dict[str, list[FulfillmentLine]] = {}
        for allocation in plan.allocations:
            line = self.line(allocation.line_id)
            if allocation.quantity > line.unallocated:
                raise AssertionError(f"routing placed {allocation.quantity} of line {line.id}, open {line.unallocated}")
            line.allocated += allocation.quantity
            by_location.setdefault(allocation.location, []).append(
                FulfillmentLine(line.id, line.sku, allocation.quantity, allocation.awaiting_stock)
            )
        created = [FulfillmentOrder(self.id, location, lines) for location, lines in by_location.items()]
        self.fulfillment_orders.extend(created)
        for reason in plan.reasons:
            self.tell(actor, "routed", reason)
        for fo in created:
            self.announce("fulfillment_order.routed", fulfillment_order_id=fo.id, location=fo.location,
                          units=sum(line.quantity for line in fo.lines))
        self.touch()
        return created

    def unallocated_demands(self) -> list[tuple[OrderLine, int]]:
        return [(line, line.unallocated) for line in self.lines if line.unallocated > 0]
