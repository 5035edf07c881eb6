"""Routing (sourcing): which locations fulfil which order lines, and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baton.routing.model import (
    STRATEGIES,
    Allocation,
    Candidate,
    DefaultStrategy,
    Demand,
    RoutingPlan,
    RoutingRequest,
    Shortage,
    distance_km,
    get_strategy,
)

BERLIN = (52.52, 13.405)
POTSDAM = (52.39, 13.06)  # ~27 km from Berlin
LEIPZIG = (51.34, 12.37)  # ~150 km
HAMBURG = (53.55, 9.99)  # ~255 km
MUNICH = (48.14, 11.58)  # ~504 km
TIMES = "\u00d7"  # multiplication sign used in reasons; escaped, as linters flag it as ambiguous


def location(
    code: str,
    at: tuple[float, float] | None = None,
    priority: int = 10,
    ships: bool = True,
    pickup: bool = False,
) -> Candidate:
    lat, lon = at if at is not None else (None, None)
    return Candidate(code, f"{code} name", lat, lon, priority, ships, pickup)


def line(line_id: str, sku: str, quantity: int, may_oversell: bool = False) -> Demand:
    return Demand(line_id, sku, quantity, may_oversell)


def route(
    demands: list[Demand],
    locations: list[Candidate],
    available: Mapping[tuple[str, str], int],
    destination: tuple[float, float] | None = BERLIN,
    delivery_method: str = "ship",
    pickup_location: str | None = None,
    excluded: frozenset[str] = frozenset(),
    allow_unallocated: bool = False,
) -> RoutingPlan:
    request = RoutingRequest(
        demands=tuple(demands),
        delivery_method=delivery_method,
        pickup_location=pickup_location,
        destination=destination,
        locations=tuple(locations),
        available=available,
        excluded=excluded,
        allow_unallocated=allow_unallocated,
    )
    return DefaultStrategy().plan(request)


def placed(plan: RoutingPlan) -> set[tuple[str, str, int]]:
    return {(a.location, a.line_id, a.quantity) for a in plan.allocations}


def used_locations(plan: RoutingPlan) -> set[str]:
    return {a.location for a in plan.allocations}


# --- distance -----------------------------------------------------------------------------------------------


def test_distance_between_berlin_and_munich_is_about_504_km() -> None:
    # given two cities / when measured / then the great-circle distance is right to a kilometre or two
    assert distance_km(BERLIN, MUNICH) == pytest.approx(504, abs=2)
    assert distance_km(BERLIN, BERLIN) == 0


# --- one location for everything ----------------------------------------------------------------------------


def test_a_location_that_has_everything_wins_over_a_nearer_one_that_has_only_part() -> None:
    # given a nearby warehouse with one of the two SKUs and a far one with both
    locations = [location("WH-NEAR", POTSDAM), location("WH-FAR", MUNICH)]
    stock = {("WH-NEAR", "A"): 5, ("WH-FAR", "A"): 5, ("WH-FAR", "B"): 5}

    # when routing an order for both
    plan = route([line("L1", "A", 2), line("L2", "B", 1)], locations, stock)

    # then the far warehouse ships the whole order
    assert placed(plan) == {("WH-FAR", "L1", 2), ("WH-FAR", "L2", 1)}
    assert plan.shortages == () and plan.unallocated == ()
    assert plan.reasons == (
        "Routed all 3 units to WH-FAR (WH-FAR name): it can ship the whole order and is the only such "
        "location.",
    )


def test_the_nearest_of_several_complete_locations_wins() -> None:
    # given three warehouses that each have everything
    locations = [location("WH-MUC", MUNICH), location("WH-POT", POTSDAM), location("WH-HAM", HAMBURG)]
    stock = {(code, "A"): 9 for code in ("WH-MUC", "WH-POT", "WH-HAM")}

    # when routing to Berlin
    plan = route([line("L1", "A", 3)], locations, stock)

    # then the Potsdam one, the nearest, ships it and the timeline says why
    assert placed(plan) == {("WH-POT", "L1", 3)}
    assert plan.reasons == (
        "Routed all 3 units to WH-POT (WH-POT name): it can ship the whole order and is the nearest such "
        "location (27 km).",
    )


def test_priority_breaks_a_tie_in_distance() -> None:
    # given two complete warehouses at the same place, the second with the better priority
    locations = [location("WH-A", LEIPZIG, priority=2), location("WH-B", LEIPZIG, priority=1)]
    stock = {("WH-A", "A"): 5, ("WH-B", "A"): 5}

    # when routing
    plan = route([line("L1", "A", 1)], locations, stock)

    # then priority decides
    assert used_locations(plan) == {"WH-B"}
    assert "has the best priority (1) among equally near such locations" in plan.reasons[0]


def test_priority_decides_when_the_destination_is_unknown() -> None:
    # given a near warehouse with a worse priority and a far one with a better priority
    locations = [location("WH-NEAR", POTSDAM, priority=5), location("WH-FAR", MUNICH, priority=1)]
    stock = {("WH-NEAR", "A"): 5, ("WH-FAR", "A"): 5}

    # when the shipping address has no coordinates
    plan = route([line("L1", "A", 1)], locations, stock, destination=None)

    # then distance cannot count, so priority decides
    assert used_locations(plan) == {"WH-FAR"}
    assert "has the best priority (1) among such locations" in plan.reasons[0]


def test_a_location_without_coordinates_counts_as_farthest() -> None:
    # given a complete warehouse without coordinates and a better priority, and a far one with coordinates
    locations = [location("WH-NOWHERE", None, priority=1), location("WH-MUC", MUNICH, priority=9)]
    stock = {("WH-NOWHERE", "A"): 5, ("WH-MUC", "A"): 5}

    # when routing
    plan = route([line("L1", "A", 1)], locations, stock)

    # then the one at a known distance wins
    assert used_locations(plan) == {"WH-MUC"}


def test_the_code_decides_between_otherwise_equal_locations() -> None:
    # given two identical warehouses
    locations = [location("WH-2", LEIPZIG), location("WH-1", LEIPZIG)]
    stock = {("WH-1", "A"): 5, ("WH-2", "A"): 5}

    # when routing / then the result is deterministic: alphabetical code
    assert used_locations(route([line("L1", "A", 1)], locations, stock)) == {"WH-1"}


def test_ship_orders_never_go_to_a_location_that_does_not_ship() -> None:
    # given a pickup-only store nearby and a warehouse far away, both stocked
    locations = [location("ST-1", BERLIN, ships=False, pickup=True), location("WH-MUC", MUNICH)]
    stock = {("ST-1", "A"): 5, ("WH-MUC", "A"): 5}

    # when routing a ship order / then the warehouse ships it
    assert used_locations(route([line("L1", "A", 1)], locations, stock)) == {"WH-MUC"}


# --- fewest shipments ---------------------------------------------------------------------------------------


def test_a_pair_of_locations_beats_three_nearer_ones() -> None:
    # given three near stores with one SKU each, and a far warehouse with two of the SKUs
    locations = [
        location("ST-A", BERLIN),
        location("ST-B", POTSDAM),
        location("ST-C", LEIPZIG),
        location("WH-MUC", MUNICH),
    ]
    stock = {("ST-A", "A"): 1, ("ST-B", "B"): 1, ("ST-C", "C"): 1, ("WH-MUC", "B"): 1, ("WH-MUC", "C"): 1}

    # when routing an order for all three SKUs
    plan = route([line("L1", "A", 1), line("L2", "B", 1), line("L3", "C", 1)], locations, stock)

    # then it leaves in two shipments, not three
    assert placed(plan) == {("ST-A", "L1", 1), ("WH-MUC", "L2", 1), ("WH-MUC", "L3", 1)}
    assert plan.reasons[0].startswith("No single location can ship the whole order, so it is split into 2")
    assert f"Routed 2 of 3 units to WH-MUC (WH-MUC name): 1 {TIMES} B, 1 {TIMES} C." in plan.reasons


def test_a_line_is_split_when_no_location_has_enough_and_the_nearer_one_gives_first() -> None:
    # given two warehouses with 3 units each
    locations = [location("WH-MUC", MUNICH), location("WH-HAM", HAMBURG)]
    stock = {("WH-MUC", "A"): 3, ("WH-HAM", "A"): 3}

    # when 4 units are ordered
    plan = route([line("L1", "A", 4)], locations, stock)

    # then the nearer Hamburg gives all it has and Munich the rest
    assert placed(plan) == {("WH-HAM", "L1", 3), ("WH-MUC", "L1", 1)}


def test_more_than_two_locations_are_used_only_when_no_pair_suffices() -> None:
    # given four warehouses, three of which hold one needed SKU each
    locations = [
        location(c, at) for c, at in [("W1", POTSDAM), ("W2", LEIPZIG), ("W3", HAMBURG), ("W4", MUNICH)]
    ]
    stock = {("W1", "A"): 2, ("W2", "B"): 2, ("W3", "C"): 2, ("W4", "C"): 5}

    # when routing one unit of each
    plan = route([line("L1", "A", 1), line("L2", "B", 1), line("L3", "C", 1)], locations, stock)

    # then three shipments, with C from the nearer Hamburg
    assert placed(plan) == {("W1", "L1", 1), ("W2", "L2", 1), ("W3", "L3", 1)}
    assert "split into 3 shipments" in plan.reasons[0]


def test_greedy_cover_drops_a_location_that_later_ones_make_redundant() -> None:
    # given a location with most units but of little use once the others are taken
    locations = [
        location(c, at) for c, at in [("BIG", HAMBURG), ("X", POTSDAM), ("Y", LEIPZIG), ("Z", MUNICH)]
    ]
    stock = {
        ("BIG", "A"): 3, ("BIG", "B"): 3,
        ("X", "A"): 4, ("X", "C"): 1,
        ("Y", "B"): 4, ("Y", "D"): 1,
        ("Z", "E"): 1,
    }  # fmt: skip
    demands = [
        line("L1", "A", 4),
        line("L2", "B", 4),
        line("L3", "C", 1),
        line("L4", "D", 1),
        line("L5", "E", 1),
    ]

    # when routing
    plan = route(demands, locations, stock)

    # then only X, Y and Z ship: BIG, picked first for its volume, is not needed
    assert used_locations(plan) == {"X", "Y", "Z"}


# --- pickup -------------------------------------------------------------------------------------------------


def test_a_pickup_order_goes_to_the_chosen_store_even_when_a_warehouse_is_nearer() -> None:
    # given a warehouse in Berlin and a pickup store in Potsdam, both stocked
    locations = [location("WH-BER", BERLIN), location("ST-POT", POTSDAM, pickup=True)]
    stock = {("WH-BER", "A"): 9, ("ST-POT", "A"): 2}

    # when the customer picks up in Potsdam
    plan = route([line("L1", "A", 2)], locations, stock, delivery_method="pickup", pickup_location="ST-POT")

    # then the store gets the order
    assert placed(plan) == {("ST-POT", "L1", 2)}
    assert plan.reasons == (
        "Routed all 2 units to ST-POT (ST-POT name): the customer picks the order up there.",
    )


def test_a_pickup_order_is_short_when_the_chosen_store_lacks_stock() -> None:
    # given a store with 1 unit while the warehouse has plenty
    locations = [location("WH-BER", BERLIN), location("ST-POT", POTSDAM, pickup=True)]
    stock = {("WH-BER", "A"): 9, ("ST-POT", "A"): 1}

    # when 3 units are to be picked up there
    plan = route([line("L1", "A", 3)], locations, stock, delivery_method="pickup", pickup_location="ST-POT")

    # then only the store's stock counts, and nothing is allocated
    assert plan.shortages == (Shortage("A", 3, 1),)
    assert plan.allocations == ()


def test_a_pickup_at_a_location_without_pickup_is_short_of_everything() -> None:
    # given a warehouse that does not offer pickup
    locations = [location("WH-BER", BERLIN, pickup=False)]

    # when a pickup order names it
    plan = route(
        [line("L1", "A", 2), line("L2", "B", 1, may_oversell=True)],
        locations,
        {("WH-BER", "A"): 9},
        delivery_method="pickup",
        pickup_location="WH-BER",
    )

    # then every demand is a shortage with nothing available, and the timeline says why
    assert plan.shortages == (Shortage("A", 2, 0), Shortage("B", 1, 0))
    assert plan.allocations == ()
    assert "WH-BER (WH-BER name) does not offer pickup." in plan.reasons


def test_backorder_units_beyond_the_pickup_stores_stock_wait_there() -> None:
    # given a store with 1 unit of a backorder SKU
    locations = [location("ST-1", BERLIN, pickup=True)]

    # when 3 are to be picked up
    plan = route(
        [line("L1", "A", 3, may_oversell=True)],
        locations,
        {("ST-1", "A"): 1},
        delivery_method="pickup",
        pickup_location="ST-1",
    )

    # then all 3 go to the store, 2 of them waiting for stock, in one merged allocation
    assert plan.allocations == (Allocation("ST-1", "L1", "A", 3, 2),)
    assert plan.shortages == ()


# --- exclusions and re-routing ------------------------------------------------------------------------------


def test_a_location_that_rejected_the_order_is_never_used_again() -> None:
    # given the nearest complete warehouse rejected this order
    locations = [location("WH-POT", POTSDAM), location("WH-MUC", MUNICH)]
    stock = {("WH-POT", "A"): 9, ("WH-MUC", "A"): 9}

    # when re-routing
    plan = route(
        [line("L1", "A", 2)], locations, stock, excluded=frozenset({"WH-POT"}), allow_unallocated=True
    )

    # then the next one takes it, and the timeline says why Potsdam was skipped
    assert used_locations(plan) == {"WH-MUC"}
    assert plan.reasons[0] == "WH-POT was skipped because it rejected this order before."


def test_when_every_location_rejected_the_order_everything_stays_unallocated() -> None:
    # given the only warehouse rejected the order
    locations = [location("WH-1", BERLIN)]

    # when re-routing
    plan = route(
        [line("L1", "A", 2)],
        locations,
        {("WH-1", "A"): 9},
        excluded=frozenset({"WH-1"}),
        allow_unallocated=True,
    )

    # then nothing is allocated and nothing is a shortage: the units wait for someone to act
    assert plan.allocations == () and plan.shortages == ()
    assert plan.unallocated == (line("L1", "A", 2),)


def test_when_re_routing_units_nobody_can_take_become_unallocated() -> None:
    # given 3 units left in stock for a line of 5
    locations = [location("WH-1", BERLIN), location("WH-2", MUNICH)]
    stock = {("WH-1", "A"): 2, ("WH-2", "A"): 1, ("WH-1", "B"): 1}

    # when re-routing with leftovers allowed
    plan = route([line("L1", "A", 5), line("L2", "B", 1)], locations, stock, allow_unallocated=True)

    # then what is in stock is allocated, the rest is unallocated, and there is no shortage
    assert placed(plan) == {("WH-1", "L1", 2), ("WH-2", "L1", 1), ("WH-1", "L2", 1)}
    assert plan.unallocated == (line("L1", "A", 2),)
    assert plan.shortages == ()
    assert f"2 {TIMES} A of line L1 stay unallocated: no location can take them now." in plan.reasons


# --- shortages ----------------------------------------------------------------------------------------------


def test_a_stocked_shortage_names_the_sku_and_allocates_nothing() -> None:
    # given 2 units of SKU-1 across three warehouses, one of them oversold
    locations = [location("W1", BERLIN), location("W2", POTSDAM), location("W3", MUNICH)]
    stock = {("W1", "SKU-1"): 1, ("W2", "SKU-1"): 1, ("W3", "SKU-1"): -4, ("W1", "SKU-2"): 9}

    # when 5 are ordered
    plan = route([line("L1", "SKU-1", 5), line("L2", "SKU-2", 1)], locations, stock)

    # then the order cannot be placed: one shortage, no allocations at all
    assert plan.shortages == (Shortage("SKU-1", 5, 2),)
    assert plan.allocations == () and plan.unallocated == ()
    assert "Not enough stock of SKU-1: 5 requested, 2 available across 3 locations." in plan.reasons


def test_two_lines_of_the_same_sku_share_its_stock() -> None:
    # given 3 units in stock
    locations = [location("W1", BERLIN)]

    # when two lines want 2 each
    plan = route([line("L1", "A", 2), line("L2", "A", 2)], locations, {("W1", "A"): 3})

    # then together they are short
    assert plan.shortages == (Shortage("A", 4, 3),)


def test_two_lines_of_the_same_sku_are_filled_from_the_same_stock_without_overselling() -> None:
    # given 2 units in each of two warehouses
    locations = [location("W1", POTSDAM), location("W2", MUNICH)]
    stock = {("W1", "A"): 2, ("W2", "A"): 2}

    # when two lines want 2 each
    plan = route([line("L1", "A", 2), line("L2", "A", 2)], locations, stock)

    # then the nearer one fills the first line and the other the second
    assert placed(plan) == {("W1", "L1", 2), ("W2", "L2", 2)}


def test_negative_availability_counts_as_none() -> None:
    # given an oversold warehouse
    plan = route([line("L1", "A", 1)], [location("W1", BERLIN)], {("W1", "A"): -3})

    # then the shortage reports 0 available, never a negative number
    assert plan.shortages == (Shortage("A", 1, 0),)


# --- backorder and preorder ---------------------------------------------------------------------------------


def test_backorder_units_beyond_stock_are_allocated_and_wait_for_stock() -> None:
    # given 1 unit of a backorder SKU in stock
    locations = [location("WH-1", POTSDAM), location("WH-2", MUNICH)]
    stock = {("WH-2", "SKU-9"): 1}

    # when 3 are ordered
    plan = route([line("L1", "SKU-9", 3, may_oversell=True)], locations, stock)

    # then there is no shortage: one comes from stock, two wait at the same location
    assert plan.shortages == ()
    assert plan.allocations == (Allocation("WH-2", "L1", "SKU-9", 3, 2),)
    assert f"2 {TIMES} SKU-9 wait for stock at WH-2 (backorder/preorder)." in plan.reasons


def test_a_short_backorder_line_does_not_force_an_extra_shipment() -> None:
    # given WH-1 has the stocked SKU, and WH-2 the only unit of a backorder SKU
    locations = [location("WH-1", POTSDAM), location("WH-2", MUNICH)]
    stock = {("WH-1", "A"): 5, ("WH-2", "B"): 1}

    # when the backorder line wants more than exists anyway
    plan = route([line("L1", "A", 1), line("L2", "B", 3, may_oversell=True)], locations, stock)

    # then everything goes to WH-1, the backorder units waiting there
    assert plan.allocations == (Allocation("WH-1", "L1", "A", 1, 0), Allocation("WH-1", "L2", "B", 3, 3))


def test_a_backorder_line_with_enough_stock_is_taken_from_stock() -> None:
    # given enough stock of a backorder SKU, at a second location
    locations = [location("WH-1", POTSDAM), location("WH-2", MUNICH)]
    stock = {("WH-1", "A"): 5, ("WH-2", "B"): 3}

    # when routing
    plan = route([line("L1", "A", 1), line("L2", "B", 3, may_oversell=True)], locations, stock)

    # then it ships from stock like a stocked SKU: nothing waits
    assert placed(plan) == {("WH-1", "L1", 1), ("WH-2", "L2", 3)}
    assert all(a.awaiting_stock == 0 for a in plan.allocations)


def test_a_preorder_with_no_stock_anywhere_goes_to_the_best_location() -> None:
    # given no stock at all
    locations = [location("WH-FAR", MUNICH, priority=1), location("WH-NEAR", POTSDAM, priority=2)]

    # when a preorder is routed
    plan = route([line("L1", "NEW", 2, may_oversell=True)], locations, {})

    # then it waits at the nearest location
    assert plan.allocations == (Allocation("WH-NEAR", "L1", "NEW", 2, 2),)
    assert "Routed all 2 units to WH-NEAR (WH-NEAR name)" in plan.reasons[0]


# --- strategies ---------------------------------------------------------------------------------------------


def test_the_default_strategy_is_registered_by_name() -> None:
    # when looking it up / then it is the default strategy
    assert get_strategy("default") is STRATEGIES["default"]
    assert get_strategy("default").name == "default"


def test_an_unknown_strategy_is_refused_with_the_known_names() -> None:
    with pytest.raises(KeyError, match="unknown routing strategy 'cheapest'; known strategies: default"):
        get_strategy("cheapest")


def test_a_demand_needs_a_positive_quantity_and_a_request_a_known_delivery_method() -> None:
    with pytest.raises(ValueError, match="positive quantity"):
        line("L1", "A", 0)
    with pytest.raises(ValueError, match="delivery_method"):
        route([line("L1", "A", 1)], [], {}, delivery_method="drone")


# --- properties over random small inputs --------------------------------------------------------------------

SKUS = ["A", "B", "C"]
PLACES = [BERLIN, POTSDAM, LEIPZIG, HAMBURG, MUNICH, None]


@st.composite
def requests(draw: st.DrawFn) -> RoutingRequest:
    codes = [f"L{i}" for i in range(draw(st.integers(1, 5)))]
    locations = tuple(
        location(
            c,
            draw(st.sampled_from(PLACES)),
            draw(st.integers(1, 3)),
            draw(st.booleans()),
            draw(st.booleans()),
        )
        for c in codes
    )
    demands = tuple(
        Demand(f"line-{i}", draw(st.sampled_from(SKUS)), draw(st.integers(1, 5)), draw(st.booleans()))
        for i in range(draw(st.integers(1, 4)))
    )
    available = {(c, s): draw(st.integers(-2, 6)) for c in codes for s in SKUS if draw(st.booleans())}
    return RoutingRequest(
        demands=demands,
        delivery_method=draw(st.sampled_from(["ship", "pickup"])),
        pickup_location=draw(st.sampled_from([*codes, None])),
        destination=draw(st.sampled_from(PLACES)),
        locations=locations,
        available=available,
        excluded=frozenset(draw(st.lists(st.sampled_from(codes), max_size=2))),
        allow_unallocated=draw(st.booleans()),
    )


def usable(request: RoutingRequest, c: Candidate) -> bool:
    if c.code in request.excluded:
        return False
    return c.ships if request.delivery_method == "ship" else c.code == request.pickup_location and c.pickup


@settings(max_examples=400, deadline=None)
@given(requests())
def test_a_plan_places_every_unit_exactly_once_or_refuses_the_order(request: RoutingRequest) -> None:
    # when any request is routed
    plan = DefaultStrategy().plan(request)
    demanded = Counter({d.line_id: d.quantity for d in request.demands})
    allocated = Counter[str]()
    for a in plan.allocations:
        allocated[a.line_id] += a.quantity
    left = Counter({d.line_id: d.quantity for d in plan.unallocated})

    # then either the order is refused with nothing allocated, or every unit is placed exactly once
    if plan.shortages:
        assert not request.allow_unallocated
        assert plan.allocations == () and plan.unallocated == ()
        assert all(s.available < s.requested and s.available >= 0 for s in plan.shortages)
    else:
        assert allocated + left == demanded
        assert request.allow_unallocated or not plan.unallocated
    assert plan.reasons


@settings(max_examples=400, deadline=None)
@given(requests())
def test_a_plan_never_takes_more_stock_than_a_location_has(request: RoutingRequest) -> None:
    # when any request is routed
    plan = DefaultStrategy().plan(request)
    oversell = {d.line_id for d in request.demands if d.may_oversell}
    by_code = {c.code: c for c in request.locations}
    from_stock = Counter[tuple[str, str]]()
    for a in plan.allocations:
        from_stock[a.location, a.sku] += a.quantity - a.awaiting_stock

        # then only usable locations are used, and only backorder/preorder units wait for stock
        assert usable(request, by_code[a.location])
        assert a.quantity > 0 and 0 <= a.awaiting_stock <= a.quantity
        assert a.awaiting_stock == 0 or a.line_id in oversell

    # and units taken from stock never exceed what is available (a negative availability counts as 0)
    for (code, sku), n in from_stock.items():
        assert n <= max(0, request.available.get((code, sku), 0))
    assert len({(a.location, a.line_id) for a in plan.allocations}) == len(plan.allocations)  # merged


@settings(max_examples=300, deadline=None)
@given(requests())
def test_an_order_one_location_can_ship_whole_leaves_in_one_shipment(request: RoutingRequest) -> None:
    # given a ship order of stocked lines that some usable location can ship whole
    demands = tuple(Demand(d.line_id, d.sku, d.quantity, False) for d in request.demands)
    need = Counter[str]()
    for d in demands:
        need[d.sku] += d.quantity
    ship = RoutingRequest(demands, "ship", None, request.destination, request.locations, request.available)
    can_ship_whole = [
        c
        for c in request.locations
        if c.ships and all(request.available.get((c.code, s), 0) >= n for s, n in need.items())
    ]

    # when routed
    plan = DefaultStrategy().plan(ship)

    # then exactly one location ships it, or (when none can) it is split or short
    if can_ship_whole:
        assert len(used_locations(plan)) == 1
    else:
        assert plan.shortages or len(used_locations(plan)) > 1


def test_a_domestic_location_wins_over_a_nearer_or_preferred_one_abroad():
    # Given a German order, a US warehouse with priority 1 and a German one with priority 5
    us = Candidate("WH-NJ", "Newark", 40.7, -74.2, 1, True, False, "US")
    de = Candidate("WH-DU", "Duisburg", 51.4, 6.8, 5, True, False, "DE")
    request = RoutingRequest(
        demands=(Demand("l1", "A", 1, False),), delivery_method="ship", pickup_location=None,
        destination=(52.5, 13.4), locations=(us, de), available={("WH-NJ", "A"): 5, ("WH-DU", "A"): 5},
        destination_country="DE",
    )
    plan = DefaultStrategy().plan(request)
    assert [a.location for a in plan.allocations] == ["WH-DU"]
    assert "without crossing a border" in plan.reasons[0]


def test_abroad_is_used_when_home_cannot_cover_the_order():
    us = Candidate("WH-NJ", "Newark", 40.7, -74.2, 1, True, False, "US")
    de = Candidate("WH-DU", "Duisburg", 51.4, 6.8, 5, True, False, "DE")
    request = RoutingRequest(
        demands=(Demand("l1", "A", 3, False),), delivery_method="ship", pickup_location=None,
        destination=(52.5, 13.4), locations=(us, de), available={("WH-NJ", "A"): 5, ("WH-DU", "A"): 1},
        destination_country="DE",
    )
    plan = DefaultStrategy().plan(request)
    assert not plan.shortages and {a.location for a in plan.allocations} == {"WH-NJ"}
    assert any("abroad" in reason for reason in plan.reasons)
