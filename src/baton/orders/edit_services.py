"""The order-edit use case: check, price and tax the new units, apply the edit (orders.edits), release and reserve
stock, route, and follow the money (orders.edit_payments) — one transaction; an extra authorisation is asked of the
gateway after it commits. A preview runs the same steps and rolls back.

Tax of new units (the simplest honest rule): each new line is taxed on its own, without any share of the order's
discounts, with the rate its tax class has at the order's destination on the order's placement date — the rates
the order was taxed with. The extra units of an existing line keep that line's tax class. An edit that would move
the tax destination (another country or region) of an order that carries tax, or to a place with tax rates, is
refused: the placed lines' tax would change, which an edit does not do (cancel and place a new order)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from baton.adapters.db.uow import UnitOfWork
from baton.catalog.model import Product
from baton.orders import edit_payments, edits
from baton.orders.commands import PlaceOrder
from baton.orders.edit_commands import EditOrder
from baton.orders.errors import OutOfStock
from baton.orders.model import DeliveryMethod, Order, OrderLine
from baton.orders.services import apply_stock_effects, reserve, routing_request
from baton.orders.taxation import destination
from baton.payments import flows, services
from baton.payments.model import Payment
from baton.routing.model import Candidate, RoutingStrategy
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.money import to_minor
from baton.tax.model import PricesInclude, TaxableLine, TaxableOrder, compute_tax

T = TypeVar("T")


@dataclass(frozen=True)
class Edited(Generic[T]):
    view: T  # the order as `present` showed it (as it would be, for a preview)
    amount_delta: int
    money: str | None  # what happens to the money, in a sentence
    change_id: str


def edit_order(uow: UnitOfWork, uows: flows.UnitsOfWork, gateways: services.Gateways, cmd: EditOrder,
               strategy: RoutingStrategy, present: Callable[[Order], T]) -> Edited[T]:
    """Apply (or preview) the edit; `present` renders the order inside the transaction."""
    with uow:
        order = uow.orders.get(cmd.order_id, lock=True)
        if order is None:
            raise NotFound(f"No order with id {cmd.order_id}.", code="order_not_found")
        edits.check_version(order, cmd.version)
        edits.check_editable(order)
        before = order.audit_view()
        result, said, extra = _edit(uow, order, cmd, strategy, gateways)
        edited = Edited(present(order), result.change.amount_delta, said, result.change.id)
        if cmd.preview:
            return edited  # leaving the block rolls everything back
        if extra is None:  # fewer units: capture what shipped, void the rest once nothing is left to ship
            flows.begin_due_captures(uow, order, f"edit {result.change.id}")
        uow.created_id = result.change.id  # what a replay of the same Idempotency-Key answers with
        uow.audit.record("order.edit", "order", order.id, before, order.audit_view())
        uow.commit()
    settled = flows.settle_pending(uows, gateways, cmd.order_id)  # the extra authorisation, or a void
    return Edited(present(settled), edited.amount_delta, said, edited.change_id) if settled else edited


def _edit(uow: UnitOfWork, order: Order, cmd: EditOrder, strategy: RoutingStrategy,
          gateways: services.Gateways) -> tuple[edits.EditResult, str | None, Payment | None]:
    quantities = edits.new_quantities(order, cmd.lines)
    locations = uow.locations.candidates()
    delivery = _delivery(uow, order, cmd, locations) if cmd.changes_delivery else None
    products = _products(uow, order, cmd)
    levels = uow.stock.lock_skus(products)  # every level first, in one fixed order: no deadlock with placement
    added = _new_lines(uow, order, cmd, quantities, products, locations)
    result = edits.apply_edit(order, quantities, added, delivery, cmd.reason, cmd.actor)
    apply_stock_effects(uow, result.effects, cmd.actor, order.number)
    if order.unallocated_demands():
        request = routing_request(order, locations, levels, products, excluded=order.rejected_locations)
        plan = strategy.plan(request)
        if plan.shortages:
            raise OutOfStock(plan.shortages)
        reserve(uow, order, plan, levels, products, cmd.actor)
    said, extra = edit_payments.follow_total(uow, gateways, order, result.change.amount_delta, cmd.actor,
                                             preview=cmd.preview)
    if said:
        order.tell(cmd.actor, "edit_money", said, change_id=result.change.id)
    return result, said, extra


def _products(uow: UnitOfWork, order: Order, cmd: EditOrder) -> dict[str, Product]:
    """The products of the order's open lines and of the lines to add; an unknown SKU is refused by its field."""
    wanted = {line.sku for line in order.lines} | {request.sku for request in cmd.add_lines}
    products = uow.products.get_many(wanted)
    for index, request in enumerate(cmd.add_lines):
        product = products.get(request.sku)
        if product is None or not product.active:
            raise InvalidInput(f"add_lines[{index}].sku", f"no product with SKU '{request.sku}' is for sale.",
                               code="unknown_sku")
        if request.quantity <= 0:
            raise InvalidInput(f"add_lines[{index}].quantity", "must be at least 1.")
    return products


def _new_lines(uow: UnitOfWork, order: Order, cmd: EditOrder, quantities: list[tuple[OrderLine, int]],
               products: dict[str, Product], locations: list[Candidate]) -> list[OrderLine]:
    """Priced lines for the units added: more of an existing line (its price snapshot), or new SKUs (the catalog's
    price in the order's currency, or `price`)."""
    lines = [OrderLine(line.sku, line.name, line.unit_price, quantity - line.kept, line.stock_policy,
                       tax_class=line.tax_class) for line, quantity in quantities if quantity > line.kept]
    for index, request in enumerate(cmd.add_lines):
        product = products[request.sku]
        if request.price is not None:
            price = to_minor(request.price, order.currency, f"add_lines[{index}].price")
        else:
            catalog_price = product.price_in(order.currency)
            if catalog_price is None:
                raise InvalidInput(f"add_lines[{index}].sku", f"{request.sku} has no {order.currency} price; send "
                                   "add_lines[].price.", code="no_price")
            price = catalog_price
        lines.append(OrderLine(product.sku, product.name, price, request.quantity, str(product.stock_policy),
                               tax_class=product.tax_class))
    _tax(uow, order, lines, locations)
    return lines


def _tax(uow: UnitOfWork, order: Order, lines: list[OrderLine], locations: list[Candidate]) -> None:
    where = destination(_as_placed(order), locations)
    table = uow.tax_settings.table(where[0]) if where is not None else None
    if not lines or where is None or table is None or table.empty:
        return  # no tax collected at this destination, as at placement
    taxable = TaxableOrder(
        currency=order.currency, country=where[0], region=where[1], prices_include=PricesInclude(order.prices_include),
        lines=tuple(TaxableLine(line.unit_price, line.quantity, line.tax_class) for line in lines),
        on=order.placed_at.date())
    for line, taxed in zip(lines, compute_tax(taxable, table).lines, strict=True):
        line.tax, line.tax_rate = taxed.tax, format(taxed.rate.normalize(), "f")


def _delivery(uow: UnitOfWork, order: Order, cmd: EditOrder, locations: list[Candidate]) -> edits.Delivery:
    method = DeliveryMethod(cmd.delivery_method or order.delivery_method)
    pickup = cmd.pickup_location or (order.pickup_location if method == DeliveryMethod.PICKUP else None)
    address = cmd.shipping_address
    if method == DeliveryMethod.PICKUP:
        if not pickup:
            raise InvalidInput("pickup_location", "a pickup order names the store that hands it over.")
        store = next((loc for loc in locations if loc.code == pickup), None)
        if store is None or not store.pickup:
            raise InvalidInput("pickup_location", f"'{pickup}' is not a location that offers pickup.")
    elif not (address or order.shipping_address):
        raise InvalidInput("shipping_address", "an order to ship needs a shipping address.")
    target = edits.Delivery(method, address, pickup)
    _check_tax_destination(uow, order, target, locations)
    return target


def _check_tax_destination(uow: UnitOfWork, order: Order, target: edits.Delivery, locations: list[Candidate]) -> None:
    old = destination(_as_placed(order), locations)
    new = destination(_as_placed(order, target), locations)
    if new == old:
        return
    taxed = order.shipping_tax > 0 or any(line.tax for line in order.lines)
    if taxed or (new is not None and not uow.tax_settings.table(new[0]).empty):
        field = "pickup_location" if target.method == DeliveryMethod.PICKUP else "shipping_address.country"
        raise InvalidInput(field, f"the goods would go to {'-'.join(p for p in new or ('nowhere',) if p)} instead "
                           f"of {'-'.join(p for p in old or ('nowhere',) if p)}, which changes the order's tax; an "
                           "edit keeps the tax of the placed lines: cancel and place a new order.",
                           code="tax_destination_changed")


def _as_placed(order: Order, target: edits.Delivery | None = None) -> PlaceOrder:
    """The order's delivery in the shape taxation.destination reads (one rule for placement and edits)."""
    return PlaceOrder(
        channel=str(order.channel), currency=order.currency, email=order.customer_email, lines=[],
        shipping_address=(target.shipping_address or order.shipping_address) if target else order.shipping_address,
        delivery_method=str(target.method if target else order.delivery_method),
        pickup_location=target.pickup_location if target else order.pickup_location)
