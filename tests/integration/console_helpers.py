"""What the console page tests share: a `sign_in` fixture (import it by name into the test module), the password
of the users it creates, and reading the hidden form tokens out of a page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from baton.identity.console import create_user

PASSWORD = "correct horse battery staple"
ROLES = ("admin", "agent", "finance", "analyst", "fulfillment")
BERLIN = ("WH-BER",)  # where a fulfilment user works unless told otherwise

SignIn = Callable[..., TestClient]


@pytest.fixture
def sign_in(container: Container, browsers: Callable[[], TestClient]) -> SignIn:
    """`sign_in(role, locations=("WH-BER",))`: a new browser signed in as the user with `role` (made on first use;
    only a fulfilment user is kept to `locations`)."""
    made: set[str] = set()

    def signed(role: str, locations: tuple[str, ...] = BERLIN) -> TestClient:
        email = f"{role}@example.com" if locations == BERLIN else f"{role}-{'-'.join(locations).lower()}@example.com"
        if email not in made:
            create_user(container.uow(), email, role.title(), role, PASSWORD,
                        locations=locations if role == "fulfillment" else ())
            made.add(email)
        browser = browsers()
        form = browser.get("/console/sign-in")
        done = browser.post("/console/sign-in", data={"email": email, "password": PASSWORD,
                                                      "csrf_token": csrf_of(form.text)})
        assert done.status_code == 303, done.text
        return browser

    return signed


def hidden_field(html: str, name: str) -> str:
    """The value of the form field `name` (the first one on the page)."""
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def csrf_of(html: str) -> str:
    return hidden_field(html, "csrf_token")


def form_key_of(html: str) -> str:
    return hidden_field(html, "form_key")
