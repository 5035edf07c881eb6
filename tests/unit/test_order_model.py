"""The order aggregate: quantity buckets, derived statuses, fulfilment transitions, cancellation."""

from __future__ import annotations

import pytest

from baton.fulfillment import actions
from baton.fulfillment.model import TRANSITIONS, FulfillmentOrderStatus
from baton.orders.cancellation import cancel
from baton.orders.model import Channel, Customer, DeliveryMethod, Discount, Order, OrderLine
from baton.routing.model import Allocation, RoutingPlan
from baton.shared.errors import Conflict, InvalidInput

S = FulfillmentOrderStatus


def make_order(*quantities: int, pickup: bool = False, discount: int = 0) -> Order:
    lines = [OrderLine(f"SKU-{i}", f"Item {i}", 1000, q, "stocked") for i, q in enumerate(quantities)]
    return Order(
        number="BT-1", tracking_id="t" * 22, channel=Channel.WEB, currency="EUR", customer_id="cus_1",
        customer=Customer("a@example.com", "Ann Smith", None), shipping_address={"city": "Berlin"},
        delivery_method=DeliveryMethod.PICKUP if pickup else DeliveryMethod.SHIP,
        pickup_location="ST-1" if pickup else None, lines=lines, shipping=500,
        discounts=(Discount("TEN", discount),) if discount else (),
    )


def route_all(order: Order, location: str = "WH-1") -> str:
    plan = RoutingPlan(
        allocations=tuple(Allocation(location, line.id, line.sku, line.quantity, 0) for line in order.lines),
        unallocated=(), shortages=(), reasons=("Routed everything to WH-1.",),
    )
    [fo] = order.apply_routing(plan, "test")
    return fo.id


def test_a_new_order_is_placed_and_announces_itself():
    order = make_order(2, 1)
    assert order.status == "placed"
    assert order.fulfillment_status == "backordered"  # nothing routed yet
    assert order.totals.total == 3500
    events, timeline = order.pop_messages()
    assert [e.type for e in events] == ["order.placed"]
    assert "BT-1" in timeline[0].message


def test_discounts_are_spread_over_lines_and_add_up_to_the_total():
    order = make_order(1, 1, 1, discount=100)
    assert [line.discount for line in order.lines] == [34, 33, 33]
    assert order.totals.discount == 100 and order.totals.total == 3000 - 100 + 500


def test_discounts_above_the_lines_are_refused():
    with pytest.raises(InvalidInput):
        make_order(1, discount=1001)


def test_the_fulfilment_order_follows_its_transition_table():
    order = make_order(2)
    fo_id = route_all(order)
    with pytest.raises(Conflict):
        actions.pack(order, fo_id, "test")  # must be accepted first
    actions.accept(order, fo_id, "test")
    assert order.status == "processing"
    with pytest.raises(Conflict):
        actions.accept(order, fo_id, "test")
    assert S.DELIVERED not in TRANSITIONS[S.OPEN]
    assert all(not TRANSITIONS[end] for end in (S.DELIVERED, S.REJECTED, S.CANCELLED))


def test_shipping_part_then_the_rest_moves_buckets_and_statuses():
    order = make_order(3)
    fo_id = route_all(order)
    actions.accept(order, fo_id, "test")
    line = order.lines[0]
    _, effects = actions.ship(order, fo_id, carrier="DHL", tracking_number="1", service=None,
                              lines={line.id: 1}, actor="test")
    assert [(e.kind, e.quantity) for e in effects] == [("ship", 1)]
    assert (line.shipped, line.allocated, order.status) == (1, 2, "partially_shipped")
    actions.ship(order, fo_id, carrier="DHL", tracking_number="2", service=None, lines=None, actor="test")
    assert order.status == "shipped" and order.fulfillment_order(fo_id).status == "shipped"
    actions.deliver(order, fo_id, "test")
    assert (line.delivered, order.status) == (3, "delivered")


def test_cancelling_takes_unshipped_units_and_records_the_money_delta():
    order = make_order(3, 1)
    fo_id = route_all(order)
    change, effects = cancel(order, {order.lines[0].id: 2}, "too many", "agent")
    assert change.amount_delta == -2000
    assert [(e.kind, e.quantity) for e in effects] == [("release", 2)]
    assert order.lines[0].cancelled == 2 and order.lines[0].allocated == 1
    assert order.fulfillment_order(fo_id).status == "open"
    cancel(order, None, "changed mind", "agent")
    assert order.status == "cancelled" and order.totals.total == 0
    assert order.fulfillment_order(fo_id).status == "cancelled"


def test_shipped_units_cannot_be_cancelled():
    order = make_order(2)
    fo_id = route_all(order)
    actions.accept(order, fo_id, "test")
    actions.ship(order, fo_id, carrier="DHL", tracking_number="1", service=None, lines=None, actor="test")
    with pytest.raises(Conflict) as error:
        cancel(order, {order.lines[0].id: 1}, "late", "agent")
    assert error.value.code == "not_cancellable"
    with pytest.raises(Conflict):
        cancel(order, None, "late", "agent")


def test_a_rejection_hands_units_back_for_rerouting():
    order = make_order(2)
    fo_id = route_all(order)
    effects = actions.reject(order, fo_id, "flooded", "WH-1")
    assert [(e.location, e.kind, e.quantity) for e in effects] == [("WH-1", "release", 2)]
    assert order.lines[0].unallocated == 2
    assert order.rejected_locations == {"WH-1"}
    assert order.fulfillment_status == "backordered"


def test_buckets_never_exceed_what_was_ordered():
    line = OrderLine("A", "A", 100, 2, "stocked")
    line.shipped, line.cancelled = 2, 1
    with pytest.raises(AssertionError):
        line.check_buckets()


def test_a_pickup_order_is_ready_when_packed_and_delivered_on_handover():
    order = make_order(1, pickup=True)
    fo_id = route_all(order, "ST-1")
    actions.accept(order, fo_id, "store")
    actions.pack(order, fo_id, "store")
    assert order.fulfillment_status == "ready_for_pickup"
    with pytest.raises(Conflict):
        actions.ship(order, fo_id, carrier="DHL", tracking_number=None, service=None, lines=None, actor="x")
    effects = actions.deliver(order, fo_id, "store")
    assert [(e.kind, e.quantity) for e in effects] == [("ship", 1)]
    assert order.status == "delivered"
