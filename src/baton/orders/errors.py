"""Error codes of ordering."""

from __future__ import annotations

from baton.routing.model import Shortage
from baton.shared.errors import Conflict


class OutOfStock(Conflict):
    code = "out_of_stock"

    def __init__(self, shortages: tuple[Shortage, ...]):
        skus = ", ".join(f"{s.sku} ({s.requested} requested, {s.available} available)" for s in shortages)
        super().__init__(
            f"Not enough stock: {skus}. Nothing was reserved.",
            extra={"shortages": [{"sku": s.sku, "requested": s.requested, "available": s.available}
                                 for s in shortages]},
        )

