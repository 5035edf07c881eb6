"""What the browser tests share: Debian's Chromium launched by Playwright (the `chromium` and `browser` module
fixtures: import them by name into the test module), console users made before or after a server starts, a
seeding client for the server's API, signing in through the console's form, and the screenshots folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.identity.console import create_user
from tests.conftest import unavailable
from tests.e2e.server import BatonServer

# The README's screenshots are refreshed with BATON_SCREENSHOTS=1 (a test run leaves the tracked files alone).
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("BATON_SCREENSHOTS")
               else Path(tempfile.gettempdir()) / "baton-screenshots")
PASSWORD = "correct horse battery staple"
JANE = {"email": "jane.doe@example.com", "name": "Jane Doe"}  # the seeded shops' customer
ADDRESS = {"name": "Jane Doe", "line1": "Jungfernstieg 1", "city": "Hamburg", "postal_code": "20095",
           "country": "DE"}


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        unavailable("chromium is not installed (apt-get install chromium); the browser tests need it")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium)
        yield launched
        launched.close()


def add_users(database_url: str, users: Mapping[str, tuple[str, tuple[str, ...]]]) -> None:
    """Console users `{name: (role, locations)}`, each signing in as `name@shop.example` with PASSWORD (a user who
    works for locations is made after they exist)."""
    container = bootstrap(Settings(database_url=database_url))
    try:
        for name, (role, locations) in users.items():
            create_user(container.uow(), f"{name}@shop.example", name.title(), role, PASSWORD, locations=locations)
    finally:
        container.engine.dispose()


class Seeding:
    """The server's API with its admin token, for setting up a shop: each call must succeed."""

    def __init__(self, api: httpx.Client):
        self.api = api

    def post(self, path: str, body: dict[str, Any]) -> dict:
        response = self.api.post(path, json=body)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def put(self, path: str, body: dict[str, Any]) -> None:
        response = self.api.put(path, json=body)
        assert response.is_success, response.text

    def berlin_warehouse(self) -> None:
        """The Berlin warehouse WH-BER with 50 each of a blue mug (MUG-BLUE, 24.90) and rooibos tea (8.50)."""
        self.post("/api/v1/locations", {"code": "WH-BER", "name": "Berlin warehouse", "type": "warehouse",
                                        "address": {**ADDRESS, "city": "Berlin", "postal_code": "10115"}})
        for sku, name, price in (("MUG-BLUE", "Blue mug", "24.90"), ("TEA-ROOIBOS", "Rooibos tea 250 g", "8.50")):
            self.post("/api/v1/products", {"sku": sku, "name": name, "category": "kitchen", "price": price,
                                           "currency": "EUR"})
            self.put(f"/api/v1/inventory/WH-BER/{sku}", {"on_hand": 50, "reason": "count"})


@contextmanager
def seeding(server: BatonServer) -> Iterator[Seeding]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token()}"},
                      timeout=30) as api:
        yield Seeding(api)


def signed_in(browser: Any, server: BatonServer, user: str, **context: Any) -> Any:
    """A page of a new browser context, signed in as `user@shop.example`, on the console's home page."""
    page = browser.new_context(base_url=server.base_url, locale="en-US", **context).new_page()
    page.goto("/console/sign-in")
    page.get_by_label("Email").fill(f"{user}@shop.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/")
    return page


def screenshot(page: Any, name: str) -> None:
    """The whole page as SCREENSHOTS/`name` (docs/screenshots/ with BATON_SCREENSHOTS=1)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
