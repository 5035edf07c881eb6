"""Holds on the order aggregate and the pure risk rules: statuses, events, the timeline and every rule's sentence."""

from __future__ import annotations

import pytest

from baton.fulfillment import actions
from baton.orders.cancellation import cancel
from baton.orders.model import Channel, Customer, DeliveryMethod, Order, OrderLine
from baton.orders.risk import Fact, RiskFacts, RiskRule, assess, needed_facts
from baton.routing.model import Allocation, RoutingPlan
from baton.shared.errors import Conflict, InvalidInput

DE = {"line1": "Jungfernstieg 1", "city": "Hamburg", "postal_code": "20095", "country": "DE"}


def make_order(quantity: int = 2, *, billing: dict | None = None, shipping: dict | None = DE,
               currency: str = "EUR") -> Order:
    order = Order(number="BT-1", tracking_id="t" * 22, channel=Channel.WEB, currency=currency, customer_id="cus_1",
                  customer=Customer("a@example.com", "Ann Smith", None), shipping_address=shipping,
                  billing_address=billing, delivery_method=DeliveryMethod.SHIP, pickup_location=None,
                  lines=[OrderLine("SKU-1", "Item", 1000, quantity, "stocked")])
    plan = RoutingPlan(allocations=(Allocation("WH-1", order.lines[0].id, "SKU-1", quantity, 0),), unallocated=(),
                       shortages=(), reasons=("Routed.",))
    order.apply_routing(plan, "test")
    order.pop_messages()
    return order


# -- holds ---------------------------------------------------------------------------------------------------------
def test_a_hold_puts_the_order_on_hold_tells_why_and_announces_it():
    order = make_order()
    version = order.version
    hold = order.hold("manual", ["Customer asked us to wait"], "Ana (agent)")
    assert order.status == "on_hold" and order.fulfillment_status == "allocated" and order.version == version + 1
    events, timeline = order.pop_messages()
    assert [(e.type, e.payload["kind"], e.payload["hold_id"]) for e in events] == [("order.held", "manual", hold.id)]
    assert timeline[0].kind == "held" and timeline[0].actor == "Ana (agent)"
    assert timeline[0].message == ("Order BT-1 is on hold for an agent's review: Customer asked us to wait. Nothing is "
                                   "accepted, packed or shipped until the hold is released.")


def test_the_order_stays_on_hold_until_its_last_hold_is_released():
    order = make_order()
    risk = order.hold("risk", ["Billing differs."], "risk rules")
    order.hold("payment", ["The card was declined."], "payments")
    order.pop_messages()
    order.release(risk.id, "Ana (agent)", "Known customer")
    assert order.status == "on_hold"
    _events, timeline = order.pop_messages()
    assert "Still on hold: payment: The card was declined." in timeline[0].message
    released = order.release(None, "Ana (agent)", "Paid by bank transfer")
    assert [h.kind for h in released] == ["payment"] and order.status == "placed"
    events, timeline = order.pop_messages()
    assert [(e.type, e.payload["still_on_hold"]) for e in events] == [("order.released", False)]
    assert timeline[0].message == ("Released the hold for a payment problem (note: Paid by bank transfer). Nothing "
                                   "holds the order any more; it can be fulfilled.")


def test_a_hold_stops_accept_pack_and_ship_but_not_reject_or_cancel():
    order = make_order()
    fo_id = order.fulfillment_orders[0].id
    order.hold("risk", ["The billing country US differs from the shipping country DE (rule geo)."], "risk rules")
    for step in (lambda: actions.accept(order, fo_id, "wh"), lambda: actions.pack(order, fo_id, "wh"),
                 lambda: actions.ship(order, fo_id, carrier="DHL", tracking_number=None, service=None, lines=None,
                                      actor="wh")):
        with pytest.raises(Conflict, match="on hold and cannot be") as refused:
            step()
        assert refused.value.code == "order_on_hold" and "rule geo" in refused.value.detail
    actions.reject(order, fo_id, "No stock", "wh")  # allowed: the units wait for re-routing
    cancel(order, None, "Fraud", "Ana (agent)")
    assert order.status == "cancelled"


def test_a_hold_needs_a_reason_a_known_kind_and_something_left_to_ship():
    order = make_order(1)
    with pytest.raises(InvalidInput, match="reason"):
        order.hold("manual", ["  "], "x")
    with pytest.raises(InvalidInput, match="kind"):
        order.hold("whim", ["why not"], "x")
    with pytest.raises(Conflict, match="not on hold"):
        order.release(None, "x", "go")
    cancel(order, None, "changed mind", "x")
    with pytest.raises(Conflict) as refused:
        order.hold("manual", ["too late"], "x")
    assert refused.value.code == "nothing_to_hold"


def test_releasing_needs_a_note_and_an_active_hold_of_this_order():
    order = make_order()
    hold = order.hold("manual", ["wait"], "x")
    with pytest.raises(InvalidInput, match="note"):
        order.release(hold.id, "x", " ")
    with pytest.raises(InvalidInput, match="hold_id"):
        order.release("hold_other", "x", "go")
    order.release(hold.id, "x", "go")
    with pytest.raises(Conflict) as refused:
        order.release(hold.id, "x", "go")
    assert refused.value.code == "hold_released"


# -- risk rules ----------------------------------------------------------------------------------------------------
def test_a_first_order_above_the_amount_matches_and_needs_the_count_only_then():
    rule = RiskRule.configure("big", "first_order_total_above", {"amount": "15", "currency": "EUR"})
    assert rule.params == {"amount": "15.00", "currency": "EUR"}
    small, big, dollars = make_order(1), make_order(2), make_order(2, currency="USD")
    assert rule.needs(small) == frozenset() and rule.needs(dollars) == frozenset()
    assert rule.needs(big) == {Fact.EARLIER_ORDERS}
    assert rule.evaluate(big, RiskFacts(earlier_orders=0)) == (
        "This is the customer's first order and its total, EUR 20.00, is above the EUR 15.00 a first order may "
        "reach without review (rule big).")
    assert rule.evaluate(big, RiskFacts(earlier_orders=1)) is None


def test_countries_differ_only_when_both_are_known():
    rule = RiskRule.configure("geo", "countries_differ", {})
    assert rule.evaluate(make_order(billing={**DE, "country": "US"}), RiskFacts()) == (
        "The billing country US differs from the shipping country DE (rule geo).")
    assert rule.evaluate(make_order(billing=DE), RiskFacts()) is None
    assert rule.evaluate(make_order(), RiskFacts()) is None
    assert needed_facts((rule,), make_order()) == frozenset()


@pytest.mark.parametrize(("kind", "fact", "field"), [
    ("orders_per_email_per_hour", Fact.EMAIL_LAST_HOUR, "orders_by_email_last_hour"),
    ("orders_per_address_per_hour", Fact.ADDRESS_LAST_HOUR, "orders_by_address_last_hour"),
])
def test_velocity_rules_hold_the_order_past_the_limit(kind, fact, field):
    rule = RiskRule.configure("v", kind, {"limit": "2"})
    order = make_order()
    assert rule.params == {"limit": 2} and rule.needs(order) == {fact}
    assert rule.evaluate(order, RiskFacts(**{field: 1})) is None  # this is the 2nd: allowed
    reason = rule.evaluate(order, RiskFacts(**{field: 2}))
    assert reason is not None and reason.startswith("This is order 3 ") and reason.endswith("(rule v).")


def test_an_order_without_a_shipping_address_is_not_counted_by_address():
    rule = RiskRule.configure("v", "orders_per_address_per_hour", {"limit": 1})
    order = make_order(shipping=None)
    assert rule.needs(order) == frozenset() and rule.evaluate(order, RiskFacts()) is None


def test_reasons_come_in_the_order_of_the_rules_codes():
    rules = (RiskRule.configure("z-geo", "countries_differ", {}),
             RiskRule.configure("a-first", "first_order_total_above", {"amount": "1", "currency": "EUR"}))
    reasons = assess(rules, make_order(billing={**DE, "country": "FR"}), RiskFacts())
    assert [r.rsplit("(rule ", 1)[1] for r in reasons] == ["a-first).", "z-geo)."]


@pytest.mark.parametrize(("code", "kind", "params", "field"), [
    ("-x", "countries_differ", {}, "code"),
    ("x" * 65, "countries_differ", {}, "code"),
    ("x", "velocity", {}, "kind"),
    ("x", "countries_differ", {"strict": True}, "params.strict"),
    ("x", "orders_per_email_per_hour", {}, "params.limit"),
    ("x", "orders_per_email_per_hour", {"limit": 0}, "params.limit"),
    ("x", "orders_per_email_per_hour", {"limit": True}, "params.limit"),
    ("x", "orders_per_email_per_hour", {"limit": 2.5}, "params.limit"),
    ("x", "first_order_total_above", {"amount": "1"}, "params.currency"),
    ("x", "first_order_total_above", {"amount": "1", "currency": "ABC"}, "params.currency"),
    ("x", "first_order_total_above", {"amount": "0.5", "currency": "JPY"}, "params.amount"),
    ("x", "first_order_total_above", {"amount": "-1", "currency": "EUR"}, "params.amount"),
    ("x", "first_order_total_above", {"amount": 1.5, "currency": "EUR"}, "params.amount"),
])
def test_a_rule_with_bad_parameters_is_refused_naming_the_field(code, kind, params, field):
    with pytest.raises(InvalidInput) as refused:
        RiskRule.configure(code, kind, params)
    assert refused.value.field == field
