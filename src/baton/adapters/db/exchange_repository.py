"""Exchanges and claims, with Core."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository
from baton.returns.claims import Claim, ClaimKind, Resolution
from baton.returns.exchanges import Exchange, ExchangeStatus, Reserve, Swap

_E, _C = t.exchanges.c, t.claims.c


class Exchanges(CoreRepository):
    def add(self, exchange: Exchange) -> None:
        self.db.execute(insert(t.exchanges).values(**_exchange_row(exchange)))

    def save(self, exchange: Exchange) -> None:
        row = _exchange_row(exchange)
        del row["id"], row["created_at"]
        self.db.execute(update(t.exchanges).where(_E.id == exchange.id).values(**row))

    def get(self, exchange_id: str) -> Exchange | None:
        return self._one(select(t.exchanges).where(_E.id == exchange_id))

    def of_return(self, return_id: str) -> Exchange | None:
        return self._one(select(t.exchanges).where(_E.return_id == return_id))

    def of_order(self, order_id: str) -> list[Exchange]:
        """Exchanges the order is the original or the replacement of, oldest first."""
        rows = self.db.execute(select(t.exchanges).where((_E.original_order_id == order_id)
                                                         | (_E.replacement_order_id == order_id))
                               .order_by(_E.created_at, _E.id))
        return [_exchange(row._mapping) for row in rows]

    def _one(self, stmt: Any) -> Exchange | None:
        row = self.db.execute(stmt).first()
        return _exchange(row._mapping) if row else None


class Claims(CoreRepository):
    def add(self, claim: Claim) -> None:
        self.db.execute(insert(t.claims).values(
            id=claim.id, number=claim.number, order_id=claim.order_id, currency=claim.currency, kind=str(claim.kind),
            resolution=str(claim.resolution), note=claim.note, lines=claim.lines, value=claim.value,
            replacement_order_id=claim.replacement_order_id, created_by=claim.created_by,
            created_at=claim.created_at))

    def get(self, claim_id: str) -> Claim | None:
        row = self.db.execute(select(t.claims).where(_C.id == claim_id)).first()
        return _claim(row._mapping) if row else None

    def of_order(self, order_id: str) -> list[Claim]:
        """Claims of the order (not those whose replacement it is), oldest first."""
        rows = self.db.execute(select(t.claims).where(_C.order_id == order_id).order_by(_C.created_at, _C.id))
        return [_claim(row._mapping) for row in rows]

    def count_of_order(self, order_id: str) -> int:
        return int(self.db.scalar(select(func.count()).select_from(t.claims).where(_C.order_id == order_id)) or 0)


def _exchange_row(e: Exchange) -> dict[str, Any]:
    return {"id": e.id, "return_id": e.return_id, "original_order_id": e.original_order_id,
            "replacement_order_id": e.replacement_order_id, "currency": e.currency, "status": str(e.status),
            "reserve": str(e.reserve), "returned_value": e.returned_value, "price_difference": e.price_difference,
            "lines": [{"line_id": s.line_id, "sku": s.sku, "quantity": s.quantity} for s in e.swaps],
            "created_by": e.created_by, "created_at": e.created_at, "updated_at": e.updated_at}


def _exchange(row: Any) -> Exchange:
    return Exchange(row["return_id"], row["original_order_id"], row["currency"], Reserve(row["reserve"]),
                    [Swap(s["line_id"], s["sku"], s["quantity"]) for s in row["lines"]], row["returned_value"],
                    row["created_by"], row["replacement_order_id"], row["price_difference"],
                    ExchangeStatus(row["status"]), row["id"], row["created_at"], row["updated_at"])


def _claim(row: Any) -> Claim:
    return Claim(row["order_id"], row["number"], row["currency"], ClaimKind(row["kind"]),
                 Resolution(row["resolution"]), row["note"], dict(row["lines"]), row["value"], row["created_by"],
                 row["replacement_order_id"], row["id"], row["created_at"])
