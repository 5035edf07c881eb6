"""Use cases of ordering: capture (with atomic reservation, routing and risk screening), cancellation, holds."""

from __future__ import annotations

from collections.abc import Callable

from baton.adapters.db.uow import UnitOfWork
from baton.catalog.model import Product, StockPolicy
from baton.inventory.model import StockLevel
from baton.orders import cancellation
from baton.orders.commands import PlaceOrder
from baton.orders.errors import OutOfStock
from baton.orders.holds import HoldKind
from baton.orders.model import Channel, Customer, DeliveryMethod, Discount, Order, OrderLine
from baton.orders.risk_services import screen
from baton.orders.taxation import tax_of
from baton.payments import flows as payment_flows
from baton.payments import services as payment_services
from baton.routing.model import Candidate, Demand, RoutingPlan, RoutingRequest, RoutingStrategy
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_tracking_id
from baton.shared.money import check_currency, to_minor
from baton.shared.stock_effects import StockEffect


def place_order(uow: UnitOfWork, cmd: PlaceOrder, strategy: RoutingStrategy) -> Order:
    """Capture, price, reserve and route in one transaction; returns the new order, committed."""
    _check_shape(cmd)
    with uow:
        products = _products(uow, cmd)
        locations = uow.locations.candidates()
        _check_pickup(cmd, locations)
        levels = uow.stock.lock_skus(products)
        lines = _lines(cmd, products)
        tax = tax_of(uow.tax_settings, cmd, lines, products, locations, utcnow().date())
        customer_id = uow.customers.upsert(cmd.email, cmd.name, cmd.phone)
        order = Order(
            number=uow.orders.next_number(), tracking_id=new_tracking_id(), channel=Channel(cmd.channel),
            currency=cmd.currency, customer_id=customer_id, customer=Customer(cmd.email.strip().lower(),
                                                                              cmd.name, cmd.phone),
            shipping_address=cmd.shipping_address, billing_address=cmd.billing_address,
            delivery_method=DeliveryMethod(cmd.delivery_method), pickup_location=cmd.pickup_location,
            lines=lines, shipping=to_minor(cmd.shipping, cmd.currency, "shipping"),
            discounts=tuple(Discount(d.code, to_minor(d.amount, cmd.currency, f"discounts[{i}].amount"))
                            for i, d in enumerate(cmd.discounts)),
            actor=cmd.actor, id=cmd.order_id,
            prices_include=tax.prices_include, tax=tax.breakdown, tax_note=tax.note,
        )
        if order.channel == Channel.PHONE:  # an agent on the customer's behalf: the timeline names both
            order.tell(cmd.actor, "placed_on_behalf",
                       f"Placed by {cmd.actor} on behalf of {order.customer_email}, by phone.")
        plan = strategy.plan(routing_request(order, locations, levels, products))
        if plan.shortages:
            raise OutOfStock(plan.shortages)
        reserve(uow, order, plan, levels, products, cmd.actor)
        screen(uow, order)  # a matching risk rule holds it: stock stays reserved, nothing ships until released
        if cmd.payments:
            payment_flows.await_authorization(order, cmd.payments, cmd.actor)
        uow.add_order(order)
        if cmd.payments:  # after the order row: payments refer to it
            payment_services.open_payments(uow, order.id, order.currency, order.total, cmd.payments)
        uow.created_id = order.id
        uow.audit.record("order.place", "order", order.id, None, order.audit_view())
        uow.commit()
        return order


def cancel_order(uow: UnitOfWork, order_id: str, lines: dict[str, int] | None, reason: str, actor: str,
                 check: Callable[[Order], None] | None = None) -> Order:
    """`check` may refuse the cancellation on the locked order (self-service: nothing may be picked yet)."""
    with uow:
        order = uow.orders.get(order_id, lock=True)
        if order is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        if check is not None:
            check(order)
        before = order.audit_view()
        change, effects = cancellation.cancel(order, lines, reason, actor)
        apply_stock_effects(uow, effects, actor, order.number)
        payment_flows.begin_due_captures(uow, order, f"cancellation {change.id}")  # voids what can't be captured
        uow.audit.record("order.cancel", "order", order.id, before, order.audit_view())
        uow.commit()
        return order


def hold_order(uow: UnitOfWork, order_id: str, kind: HoldKind, reasons: list[str], actor: str) -> Order:
    """Stop the fulfilment of an order until the hold is released."""
    with uow:
        order = _locked(uow, order_id)
        before = order.audit_view()
        order.hold(kind, reasons, actor)
        uow.audit.record("order.hold", "order", order.id, before, order.audit_view())
        uow.commit()
        return order


def release_order(uow: UnitOfWork, order_id: str, hold_id: str | None, note: str, actor: str) -> Order:
    """Release one hold of an order, or all of them (`hold_id` None); fulfilment goes on once none is active."""
    with uow:
        order = _locked(uow, order_id)
        before = order.audit_view()
        order.release(hold_id, actor, note)
        uow.audit.record("order.release", "order", order.id, before, order.audit_view())
        uow.commit()
        return order


def _locked(uow: UnitOfWork, order_id: str) -> Order:
    order = uow.orders.get(order_id, lock=True)
    if order is None:
        raise NotFound(f"No order with id {order_id}.", code="order_not_found")
    return order


def apply_stock_effects(uow: UnitOfWork, effects: list[StockEffect], actor: str, reference: str) -> None:
    levels = uow.stock.lock((e.location, e.sku) for e in effects)
    for effect in effects:
        level = levels[(effect.location, effect.sku)]
        if effect.kind == "release":
            level.release(effect.quantity)
        else:
            uow.stock.record(level.ship(effect.quantity, actor=actor, reference=reference))


def routing_request(order: Order, locations: list[Candidate], levels: dict[tuple[str, str], StockLevel],
                    products: dict[str, Product], excluded: frozenset[str] = frozenset(),
                    allow_unallocated: bool = False) -> RoutingRequest:
    address = order.shipping_address or {}
    lat, lon = address.get("latitude"), address.get("longitude")
    return RoutingRequest(
        demands=tuple(
            Demand(line.id, line.sku, quantity, StockPolicy(products[line.sku].stock_policy).may_oversell)
            for line, quantity in order.unallocated_demands()
        ),
        delivery_method=str(order.delivery_method),
        pickup_location=order.pickup_location,
        destination=(float(lat), float(lon)) if lat is not None and lon is not None else None,
        locations=tuple(locations),
        available={key: level.available for key, level in levels.items()},
        excluded=excluded,
        allow_unallocated=allow_unallocated,
        destination_country=address.get("country"),
    )


def reserve(uow: UnitOfWork, order: Order, plan: RoutingPlan, levels: dict[tuple[str, str], StockLevel],
             products: dict[str, Product], actor: str) -> None:
    missing = [(a.location, a.sku) for a in plan.allocations if (a.location, a.sku) not in levels]
    if missing:  # backorders at a location that never held the SKU
        levels.update(uow.stock.lock(missing))
    for allocation in plan.allocations:
        policy = StockPolicy(products[allocation.sku].stock_policy)
        levels[(allocation.location, allocation.sku)].reserve(allocation.quantity, may_oversell=policy.may_oversell)
    order.apply_routing(plan, actor)


def _check_shape(cmd: PlaceOrder) -> None:
    check_currency(cmd.currency)
    if not cmd.lines:
        raise InvalidInput("lines", "an order needs at least one line.")
    for index, line in enumerate(cmd.lines):
        if line.quantity <= 0:
            raise InvalidInput(f"lines[{index}].quantity", "must be at least 1.")
    if cmd.delivery_method == "pickup" and not cmd.pickup_location:
        raise InvalidInput("pickup_location", "a pickup order names the store that hands it over.")
    if cmd.delivery_method == "ship" and not cmd.shipping_address:
        raise InvalidInput("shipping_address", "an order to ship needs a shipping address.")


def _products(uow: UnitOfWork, cmd: PlaceOrder) -> dict[str, Product]:
    products = uow.products.get_many(line.sku for line in cmd.lines)
    for index, line in enumerate(cmd.lines):
        product = products.get(line.sku)
        if product is None or not product.active:
            raise InvalidInput(f"lines[{index}].sku", f"no product with SKU '{line.sku}' is for sale.",
                               code="unknown_sku")
    return products


def _check_pickup(cmd: PlaceOrder, locations: list[Candidate]) -> None:
    if cmd.delivery_method != "pickup":
        return
    store = next((loc for loc in locations if loc.code == cmd.pickup_location), None)
    if store is None or not store.pickup:
        raise InvalidInput("pickup_location", f"'{cmd.pickup_location}' is not a location that offers pickup.")


def _lines(cmd: PlaceOrder, products: dict[str, Product]) -> list[OrderLine]:
    lines = []
    for index, request in enumerate(cmd.lines):
        product = products[request.sku]
        if request.price is not None:
            price = to_minor(request.price, cmd.currency, f"lines[{index}].price")
            if price < 0:
                raise InvalidInput(f"lines[{index}].price", "must not be negative.")
        else:
            catalog_price = product.price_in(cmd.currency)
            if catalog_price is None:
                raise InvalidInput(f"lines[{index}].sku", f"{request.sku} has no {cmd.currency} price; send "
                                   "lines[].price or use a currency the catalog prices it in.", code="no_price")
            price = catalog_price
        lines.append(OrderLine(product.sku, product.name, price, request.quantity, str(product.stock_policy)))
    return lines
