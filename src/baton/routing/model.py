"""Routing (sourcing): which stock locations fulfil which order lines.

Pure domain, standard library only. A strategy turns a RoutingRequest (what is still to be placed, the
active locations and their available stock) into a RoutingPlan: allocations, leftovers, shortages, and the
sentences a service agent reads on the order's timeline. The default strategy prefers one location that can
ship everything, then the fewest shipments, then the nearest location, then priority; pickup orders go to the
chosen store.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

SHIP = "ship"
PICKUP = "pickup"
EARTH_RADIUS_KM = 6371.0088  # mean radius; routing compares distances, so the exact figure hardly matters


@dataclass(frozen=True)
class Candidate:
    """A location that might fulfil."""

    code: str
    name: str
    latitude: float | None
    longitude: float | None
    priority: int  # lower number = preferred (1 before 2)
    ships: bool
    pickup: bool
    country: str | None = None  # ISO 3166-1 alpha-2 of the location's address


@dataclass(frozen=True)
class Demand:
    """Units of one order line still to be placed somewhere."""

    line_id: str
    sku: str
    quantity: int
    may_oversell: bool  # backorder/preorder: may be placed beyond available stock

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError(f"demand for line {self.line_id} must have a positive quantity")


@dataclass(frozen=True)
class RoutingRequest:
    demands: tuple[Demand, ...]
    delivery_method: str  # "ship" or "pickup"
    pickup_location: str | None  # location code when delivery_method == "pickup"
    destination: tuple[float, float] | None  # (latitude, longitude) of the shipping address, may be unknown
    locations: tuple[Candidate, ...]  # all active locations
    available: Mapping[tuple[str, str], int]  # (location_code, sku) -> available now; missing = 0; may be < 0
    excluded: frozenset[str] = frozenset()  # locations that rejected this order before
    allow_unallocated: bool = False  # re-routing: units nobody can take become `unallocated`, not shortages
    destination_country: str | None = None  # of the shipping address: domestic locations are tried first

    def __post_init__(self) -> None:
        if self.delivery_method not in (SHIP, PICKUP):
            raise ValueError(f"delivery_method must be 'ship' or 'pickup', not {self.delivery_method!r}")


@dataclass(frozen=True)
class Allocation:
    location: str
    line_id: str
    sku: str
    quantity: int
    awaiting_stock: int  # how many of `quantity` exceed the stock available at that location


@dataclass(frozen=True)
class Shortage:
    sku: str
    requested: int  # total units of this sku requested by the demands
    available: int  # total units available across the usable locations (never below 0)


@dataclass(frozen=True)
class RoutingPlan:
    allocations: tuple[Allocation, ...]
    unallocated: tuple[Demand, ...]  # only when allow_unallocated: what no location can take now
    shortages: tuple[Shortage, ...]  # non-empty means the order cannot be placed
    reasons: tuple[str, ...]  # human sentences for the order timeline


class RoutingStrategy(Protocol):
    name: str

    def plan(self, request: RoutingRequest) -> RoutingPlan: ...


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class DefaultStrategy:
    name: str = "default"

    def plan(self, request: RoutingRequest) -> RoutingPlan:
        reasons = [
            f"{c} was skipped because it rejected this order before." for c in sorted(request.excluded)
        ]
        usable, why_none = _usable_locations(request)
        if not usable:
            return _unroutable(request, [*reasons, why_none])
        country = request.destination_country
        domestic = [c for c in usable if country and c.country == country]
        if request.delivery_method == SHIP and domestic and len(domestic) < len(usable):
            # Crossing a border costs duties and days: stay domestic whenever that covers the order.
            plan = _Planner(request, domestic).run(list(reasons))
            if not plan.shortages and not plan.unallocated:
                note = f"Only locations in {country} were considered: the order can ship without crossing a border."
                return replace(plan, reasons=(note, *plan.reasons))
            reasons.append(f"Locations in {country} cannot cover the order, so locations abroad were considered too.")
        return _Planner(request, usable).run(reasons)


STRATEGIES: dict[str, RoutingStrategy] = {"default": DefaultStrategy()}


def get_strategy(name: str) -> RoutingStrategy:
    try:
        return STRATEGIES[name]
    except KeyError:
        known = ", ".join(sorted(STRATEGIES))
        raise KeyError(f"unknown routing strategy {name!r}; known strategies: {known}") from None


# --- the default strategy, step by step ---------------------------------------------------------------------

_Key = tuple[float, int, str]  # preference order: distance, priority, code
_OVERSELL = "backorder/preorder"  # a Demand only says may_oversell, not which of the two policies
_TIMES = "\u00d7"  # the multiplication sign of "2 <times> SKU-1"; escaped, as linters flag it as ambiguous


def _label(c: Candidate) -> str:
    return f"{c.code} ({c.name})"


def _units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def _items(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {_TIMES} {sku}" for sku, n in counts.items())


def _units_by_sku(demands: Iterable[Demand]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for d in demands:
        totals[d.sku] = totals.get(d.sku, 0) + d.quantity
    return totals


def _usable_locations(request: RoutingRequest) -> tuple[list[Candidate], str]:
    """The locations this request may use, or none and a sentence saying why."""
    if request.delivery_method == SHIP:
        usable = [c for c in request.locations if c.ships and c.code not in request.excluded]
        return usable, "No active location that ships is left for this order."
    code = request.pickup_location
    store = next((c for c in request.locations if c.code == code), None)
    if code is None:
        return [], "No pickup store was chosen for this pickup order."
    if store is None:
        return [], f"Pickup store {code} is not an active location."
    if not store.pickup:
        return [], f"{_label(store)} does not offer pickup."
    if code in request.excluded:
        return [], f"Pickup store {_label(store)} rejected this order before and no other store may take it."
    return [store], ""


def _unroutable(request: RoutingRequest, reasons: list[str]) -> RoutingPlan:
    """No location may be used at all: everything is a shortage (or unallocated when re-routing)."""
    if request.allow_unallocated:
        reasons += [_unallocated_sentence(d) for d in request.demands]
        return RoutingPlan((), request.demands, (), tuple(reasons))
    totals = _units_by_sku(request.demands)
    reasons += [f"Not enough stock of {sku}: {n} requested, none available." for sku, n in totals.items()]
    return RoutingPlan((), (), tuple(Shortage(sku, n, 0) for sku, n in totals.items()), tuple(reasons))


def _unallocated_sentence(d: Demand) -> str:
    return (
        f"{d.quantity} {_TIMES} {d.sku} of line {d.line_id} stay unallocated: no location can take them now."
    )


def _preference(c: Candidate, destination: tuple[float, float] | None) -> _Key:
    if destination is None or c.latitude is None or c.longitude is None:
        return (math.inf, c.priority, c.code)  # unknown distance sorts last, so priority decides
    return (distance_km((c.latitude, c.longitude), destination), c.priority, c.code)


class _Planner:
    """One run of the default strategy over the usable locations, kept in preference order."""

    def __init__(self, request: RoutingRequest, usable: list[Candidate]) -> None:
        self.request = request
        self.by_code = {c.code: c for c in usable}
        self.key = {c.code: _preference(c, request.destination) for c in usable}
        self.codes = sorted(self.by_code, key=self.key.__getitem__)
        skus = {d.sku for d in request.demands}
        # negative availability (oversold backorders) is simply no stock to take
        self.stock = {(c, s): max(0, request.available.get((c, s), 0)) for c in self.codes for s in skus}
        self.total = {s: sum(self.stock[c, s] for c in self.codes) for s in skus}

    def run(self, reasons: list[str]) -> RoutingPlan:
        demands = self.request.demands
        stocked = _units_by_sku(d for d in demands if not d.may_oversell)
        oversell = _units_by_sku(d for d in demands if d.may_oversell)
        short = [sku for sku, n in stocked.items() if n > self.total[sku]]
        reasons += [self._shortage_sentence(sku) for sku in short]
        if short and not self.request.allow_unallocated:
            return RoutingPlan((), (), tuple(self._shortage(sku) for sku in short), tuple(reasons))
        chosen, clause = self._choose(self._required(stocked, oversell), partial=bool(short))
        if not chosen:  # nothing must ship now: only backorder/preorder units whose stock is short anyway
            chosen, clause = self._choose_for_oversell(oversell)
        if self.request.delivery_method == PICKUP:
            clause = "the customer picks the order up there"
        allocations, unallocated = self._allocate(chosen)
        reasons += self._routing_sentences(allocations, clause, complete=not unallocated)
        reasons += self._waiting_sentences(allocations)
        reasons += [_unallocated_sentence(d) for d in unallocated]
        return RoutingPlan(tuple(allocations), tuple(unallocated), (), tuple(reasons))

    # -- shortages -------------------------------------------------------------------------------------------

    def _shortage(self, sku: str) -> Shortage:
        requested = sum(d.quantity for d in self.request.demands if d.sku == sku)
        return Shortage(sku, requested, self.total[sku])

    def _shortage_sentence(self, sku: str) -> str:
        s = self._shortage(sku)
        where = f"{len(self.codes)} location" + ("s" if len(self.codes) != 1 else "")
        return f"Not enough stock of {sku}: {s.requested} requested, {s.available} available across {where}."

    # -- choosing the locations ------------------------------------------------------------------------------

    def _required(self, stocked: dict[str, int], oversell: dict[str, int]) -> dict[str, int]:
        """Units per sku the chosen locations must cover together."""
        need = {sku: min(n, self.total[sku]) for sku, n in stocked.items()}
        for sku, n in oversell.items():
            # with enough stock in total, backorder units are taken from stock like stocked ones; when
            # stock is short they wait anyway, so they must not force an extra shipment
            if n <= self.total[sku] - need.get(sku, 0):
                need[sku] = need.get(sku, 0) + n
        return {sku: n for sku, n in need.items() if n > 0}

    def _covers(self, codes: Iterable[str], need: Mapping[str, int]) -> bool:
        codes = tuple(codes)
        return all(sum(self.stock[c, sku] for c in codes) >= n for sku, n in need.items())

    def _gain(self, code: str, need: Mapping[str, int]) -> int:
        return sum(min(self.stock[code, sku], n) for sku, n in need.items())

    def _choose(self, need: dict[str, int], partial: bool) -> tuple[list[str], str]:
        """The fewest locations that cover `need`, preferring nearer, then higher-priority ones."""
        if not need:
            return [], ""
        what = "everything that is in stock" if partial else "the whole order"
        singles = [c for c in self.codes if self._covers((c,), need)]
        if singles:
            runner_up = singles[1] if len(singles) > 1 else None
            return [singles[0]], f"it can ship {what} and {self._why_first(singles[0], runner_up)}"
        # pairs in preference order: the first that covers is the best. With no single location covering, a pair
        # that covers has stock of something needed at both ends, so locations holding none of it are left out.
        useful = [c for c in self.codes if self._gain(c, need)]
        for i, a in enumerate(useful):
            for b in useful[i + 1 :]:
                if self._covers((a, b), need):
                    return [a, b], (
                        f"no single location can ship {what}, so it is split into 2 shipments, "
                        "the fewest possible, preferring nearer and then higher-priority locations"
                    )
        chosen = self._greedy(need)
        return chosen, (
            f"no single location or pair can ship {what}, so it is split into {len(chosen)} shipments, "
            "each time taking the location that covers most of what is still needed"
        )

    def _greedy(self, need: dict[str, int]) -> list[str]:
        left, chosen = dict(need), []
        while any(left.values()):
            candidates = [c for c in self.codes if c not in chosen]
            code = min(candidates, key=lambda c: (-self._gain(c, left), self.key[c]))
            if not self._gain(code, left):
                break  # cannot happen: `need` never exceeds the total stock
            chosen.append(code)
            left = {sku: n - min(n, self.stock[code, sku]) for sku, n in left.items()}
        for code in sorted(chosen, key=self.key.__getitem__, reverse=True):
            rest = [c for c in chosen if c != code]  # greedy can pick a location later ones make redundant
            if self._covers(rest, need):
                chosen = rest
        return sorted(chosen, key=self.key.__getitem__)

    def _choose_for_oversell(self, oversell: dict[str, int]) -> tuple[list[str], str]:
        """One location for backorder/preorder units that must wait anyway: where most of their stock is."""
        if not oversell:
            return [], ""
        ranked = sorted(self.codes, key=lambda c: (-self._gain(c, oversell), self.key[c]))
        best, runner_up = ranked[0], (ranked[1] if len(ranked) > 1 else None)
        if runner_up is not None and self._gain(best, oversell) > self._gain(runner_up, oversell):
            why = "holds most of the stock there is for them"
        else:
            why = self._why_first(best, runner_up)
        return [best], f"not all {_OVERSELL} units can ship now, so they wait together at one that {why}"

    def _why_first(self, winner: str, runner_up: str | None) -> str:
        """Why `winner` comes before `runner_up` in preference order."""
        if runner_up is None:
            return "is the only such location"
        (wd, wp, _), (rd, rp, _) = self.key[winner], self.key[runner_up]
        if wd < rd:
            return f"is the nearest such location ({wd:.0f} km)"
        if wp < rp:
            near = " equally near" if wd < math.inf else ""
            return f"has the best priority ({wp}) among{near} such locations"
        return "comes first by code among equally ranked such locations"

    # -- assigning units -------------------------------------------------------------------------------------

    def _allocate(self, chosen: list[str]) -> tuple[list[Allocation], list[Demand]]:
        """Fill demands from the chosen locations, nearest first; oversell leftovers wait at one home."""
        left = {k: v for k, v in self.stock.items() if k[0] in chosen}
        placed: dict[tuple[str, str], Allocation] = {}
        unallocated: list[Demand] = []
        waiting: list[Demand] = []
        for d in sorted(self.request.demands, key=lambda d: d.may_oversell):  # stocked units cannot wait
            rest = d.quantity
            for code in chosen:
                take = min(rest, left[code, d.sku])
                if take:
                    left[code, d.sku] -= take
                    rest -= take
                    _place(placed, code, d, take, 0)
            if rest:
                (waiting if d.may_oversell else unallocated).append(replace(d, quantity=rest))
        if waiting:
            home = self._home(placed.values(), chosen)
            for d in waiting:
                _place(placed, home, d, d.quantity, d.quantity)
        order = {d.line_id: i for i, d in enumerate(self.request.demands)}
        allocations = sorted(placed.values(), key=lambda a: (self.key[a.location], order[a.line_id]))
        return allocations, unallocated

    def _home(self, placed: Iterable[Allocation], chosen: list[str]) -> str:
        """Where waiting units go: with the most units of this plan, so they do not add a shipment."""
        units: dict[str, int] = {}
        for a in placed:
            units[a.location] = units.get(a.location, 0) + a.quantity
        return min(chosen, key=lambda c: (-units.get(c, 0), self.key[c]))

    # -- explaining ------------------------------------------------------------------------------------------

    def _routing_sentences(self, allocations: list[Allocation], clause: str, complete: bool) -> list[str]:
        per_location: dict[str, dict[str, int]] = {}
        for a in allocations:
            counts = per_location.setdefault(a.location, {})
            counts[a.sku] = counts.get(a.sku, 0) + a.quantity
        total = sum(a.quantity for a in allocations)
        if len(per_location) == 1:
            units = ("all " if complete and total > 1 else "") + _units(total)
            return [f"Routed {units} to {_label(self.by_code[allocations[0].location])}: {clause}."]
        sentences = [f"{clause[:1].upper()}{clause[1:]}."] if per_location else []
        for code, counts in per_location.items():
            n = sum(counts.values())
            where = _label(self.by_code[code])
            sentences.append(f"Routed {n} of {total} units to {where}: {_items(counts)}.")
        return sentences

    def _waiting_sentences(self, allocations: list[Allocation]) -> list[str]:
        waiting: dict[tuple[str, str], int] = {}
        for a in allocations:
            if a.awaiting_stock:
                waiting[a.location, a.sku] = waiting.get((a.location, a.sku), 0) + a.awaiting_stock
        return [
            f"{n} {_TIMES} {sku} wait for stock at {code} ({_OVERSELL})."
            for (code, sku), n in waiting.items()
        ]


def _place(
    placed: dict[tuple[str, str], Allocation], code: str, d: Demand, quantity: int, awaiting: int
) -> None:
    """Add units to the allocation of (location, line), merging with what is already there."""
    old = placed.get((code, d.line_id))
    if old is not None:
        quantity, awaiting = quantity + old.quantity, awaiting + old.awaiting_stock
    placed[code, d.line_id] = Allocation(code, d.line_id, d.sku, quantity, awaiting)
