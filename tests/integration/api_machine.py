"""The common ground of the API state machines (money, customer care): one shop per run on the session's
database emptied first, driven through a TestClient over the real app with an admin token."""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi.testclient import TestClient
from hypothesis.stateful import RuleBasedStateMachine

from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.entrypoints.http.app import create_app
from tests.conftest import LOCATIONS, Shop, bearer, empty, token


def money(minor: int) -> str:
    """Cents as the API's decimal string: 1999 → "19.99", -5 → "-0.05"."""
    return f"{'-' if minor < 0 else ''}{abs(minor) // 100}.{abs(minor) % 100:02d}"


class ApiMachine(RuleBasedStateMachine):
    database_url = ""  # set by the test, per backend
    PRICES: ClassVar[dict[str, int]]  # SKU → EUR price in cents
    STOCK: ClassVar[dict[tuple[str, str], int]]  # (location, SKU) → units on hand

    def __init__(self) -> None:
        super().__init__()
        self.container = bootstrap(Settings(database_url=self.database_url))
        empty(self.container)
        self.client = TestClient(create_app(self.container), base_url="https://testserver",
                                 raise_server_exceptions=False, headers=bearer(token(self.container)))
        self.client.__enter__()
        shop = Shop(self.client)
        for code in LOCATIONS:
            shop.location(code)
        for sku, price in self.PRICES.items():
            shop.product(sku, price=money(price))
        for (location, sku), on_hand in self.STOCK.items():
            shop.stock(location, sku, on_hand)

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)
        self.container.engine.dispose()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code < 500, f"{method} {path} → {response.status_code}: {response.text}"
        return response
