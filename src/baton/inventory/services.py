"""Use cases of inventory: counts, receipts, adjustments and bulk imports, all through the ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from baton.adapters.db.uow import UnitOfWork
from baton.inventory.model import MovementKind, StockLevel
from baton.shared.audit import AuditTrail
from baton.shared.errors import InvalidInput, NotFound


def _check_keys(uow: UnitOfWork, location: str, sku: str) -> None:
    # another location's stock is as good as absent for a location-scoped actor
    if not uow.actor.reaches(location) or uow.locations.get(location) is None:
        raise NotFound(f"No location with code {location}.", code="location_not_found")
    if uow.products.get(sku) is None:
        raise NotFound(f"No product with SKU {sku}.", code="product_not_found")


def set_on_hand(uow: UnitOfWork, location: str, sku: str, on_hand: int, reason: str, actor: str,
                safety_stock: int | None = None) -> StockLevel:
    """A count: on_hand becomes the counted quantity; the difference goes to the ledger."""
    with uow:
        _check_keys(uow, location, sku)
        level = uow.stock.lock([(location, sku)])[(location, sku)]
        before = _view(level)
        if on_hand != level.on_hand:
            uow.stock.record(level.count(on_hand, reason=reason, actor=actor))
        if safety_stock is not None:
            level.set_safety_stock(safety_stock)
        _audit(uow.audit, "stock.count", level, before)
        uow.commit()
        return level


def move_stock(uow: UnitOfWork, location: str, sku: str, kind: MovementKind, quantity: int, reason: str,
               actor: str, reference: str | None = None) -> StockLevel:
    """A receipt (+quantity) or an adjustment (+/- quantity) with its reason."""
    with uow:
        _check_keys(uow, location, sku)
        level = uow.stock.lock([(location, sku)])[(location, sku)]
        before = _view(level)
        if kind is MovementKind.RECEIPT:
            entry = level.receive(quantity, reason=reason, actor=actor, reference=reference)
        elif kind in (MovementKind.ADJUSTMENT, MovementKind.RESTOCK, MovementKind.TRANSFER):
            entry = level.adjust(quantity, reason=reason, actor=actor, kind=kind, reference=reference)
        else:
            raise InvalidInput("kind", f"use PUT for a count; shipments move stock by themselves, not '{kind}'.")
        uow.stock.record(entry)
        _audit(uow.audit, f"stock.{kind.value}", level, before)
        uow.commit()
        return level


def set_reorder_point(uow: UnitOfWork, location: str, sku: str, reorder_point: int | None) -> StockLevel:
    """The level at which inventory.low_stock is announced (None: never). A level already at or below a new
    reorder point announces it at once: it just became low by this measure."""
    with uow:
        _check_keys(uow, location, sku)
        level = uow.stock.lock([(location, sku)])[(location, sku)]
        before = level.reorder_point
        level.set_reorder_point(reorder_point)
        uow.audit.record("stock.reorder_point", "stock_level", f"{level.location}/{level.sku}",
                         {"reorder_point": before}, {"reorder_point": level.reorder_point})
        uow.commit()
        return level


@dataclass(frozen=True)
class ImportRow:
    line: int  # line number in the file, for error reports
    location: str
    sku: str
    on_hand: int
    safety_stock: int | None = None


@dataclass(frozen=True)
class ImportReport:
    rows: int
    changed: int
    errors: list[str]


def import_counts(uow: UnitOfWork, rows: Iterable[ImportRow], actor: str, reason: str = "import",
                  progress: Callable[[int], None] | None = None, problems: Iterable[str] = ()) -> ImportReport:
    """Counts from a file, all or nothing: any bad row (or a `problems` line found while reading the file)
    and nothing is written; every problem is reported, not just the first."""
    rows = list(rows)
    with uow:
        locations = {loc.code for loc in uow.locations.candidates()}
        products = set(uow.products.get_many(row.sku for row in rows))
        errors = sorted([*problems, *_import_errors(rows, locations, products)], key=_line_number)
        if errors:
            return ImportReport(len(rows), 0, errors)
        levels = uow.stock.lock((row.location, row.sku) for row in rows)
        changed = 0
        for done, row in enumerate(rows, start=1):
            level = levels[(row.location, row.sku)]
            before = _view(level)
            if row.on_hand != level.on_hand:
                uow.stock.record(level.count(row.on_hand, reason=reason, actor=actor))
                changed += 1
            if row.safety_stock is not None:
                level.set_safety_stock(row.safety_stock)
            _audit(uow.audit, "stock.import", level, before)
            if progress:
                progress(done)
        uow.commit()
        return ImportReport(len(rows), changed, [])


def _line_number(error: str) -> int:
    number = error.removeprefix("line ").split(":", 1)[0]
    return int(number) if number.isdigit() else 0


def _import_errors(rows: list[ImportRow], locations: set[str], products: set[str]) -> list[str]:
    errors, seen = [], set()
    for row in rows:
        if row.location not in locations:
            errors.append(f"line {row.line}: unknown location '{row.location}'")
        if row.sku not in products:
            errors.append(f"line {row.line}: unknown SKU '{row.sku}'")
        if row.on_hand < 0:
            errors.append(f"line {row.line}: on_hand {row.on_hand} is negative")
        if row.safety_stock is not None and row.safety_stock < 0:
            errors.append(f"line {row.line}: safety_stock {row.safety_stock} is negative")
        if (row.location, row.sku) in seen:
            errors.append(f"line {row.line}: {row.location}/{row.sku} appears twice")
        seen.add((row.location, row.sku))
    return errors


def repair_reservations(uow: UnitOfWork, mismatches: list[dict]) -> int:
    """Set each drifted reserved counter to what open fulfilment orders really hold."""
    with uow:
        levels = uow.stock.lock((m["location"], m["sku"]) for m in mismatches)
        for m in mismatches:
            level = levels[(m["location"], m["sku"])]
            before = _view(level)
            level.reserved = int(m["held"])
            _audit(uow.audit, "stock.repair_reservations", level, before)
        uow.commit()
        return len(mismatches)


def _view(level: StockLevel) -> dict[str, int]:
    return {"on_hand": level.on_hand, "reserved": level.reserved, "safety_stock": level.safety_stock}


def _audit(trail: AuditTrail, action: str, level: StockLevel, before: dict[str, int]) -> None:
    trail.record(action, "stock_level", f"{level.location}/{level.sku}", before, _view(level))
