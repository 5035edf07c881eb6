"""The notification pages, checked on the server for each role: the console's template editor (admins), an order's
messages with Resend (readers see, annotators resend), and the shopper's preferences in the portal and through the
self-service API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from tests.conftest import Shop
from tests.integration.console_helpers import ROLES, csrf_of
from tests.integration.console_helpers import sign_in as sign_in
from tests.integration.test_notifications import drain, messages, stocked
from tests.integration.test_notifications import mailing as mailing
from tests.integration.test_notifications import smtp as smtp
from tests.integration.test_shopper_portal import mailed_link, signed_in_browser

EDITOR = "/console/settings/notifications"


@pytest.fixture
def placed(mailing: Container, client: TestClient, shop: Shop) -> dict:
    """An order whose confirmation was mailed (to a real SMTP server on loopback)."""
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    drain(mailing)
    return order


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_open_the_template_editor(sign_in, shop: Shop, role: str) -> None:
    browser = sign_in(role)
    listing = browser.get(EDITOR)
    editor = browser.get(f"{EDITOR}/shipped/de")
    if role == "admin":
        assert listing.status_code == 200 and "Shipping confirmation" in listing.text and "Hindi" in listing.text
        assert editor.status_code == 200 and "ist unterwegs" in editor.text
    else:
        assert listing.status_code == editor.status_code == 403
        assert "may not settings.manage" in listing.text


def test_a_broken_template_shows_its_error_next_to_the_field_and_saves_nothing(
        sign_in, client: TestClient) -> None:
    browser = sign_in("admin")
    form = browser.get(f"{EDITOR}/shipped/en")
    token = csrf_of(form.text)
    fields = {"subject": "On its way: {{ order_number }}", "body": "Hello {{ customer_name }", "sms": "x",
              "csrf_token": token}

    refused = browser.post(f"{EDITOR}/shipped/en", data={**fields, "action": "save"})

    assert refused.status_code == 422
    assert re.search(r'id="body"[^>]*aria-invalid="true"', refused.text)
    assert 'id="body-error"' in refused.text and "line 1" in refused.text
    assert "Hello {{ customer_name }" in refused.text  # what was typed is kept
    assert client.get("/api/v1/notification-templates/shipped/en").json()["customised"] is False


def test_preview_renders_a_sample_order_then_save_and_restore(sign_in, client: TestClient) -> None:
    browser = sign_in("admin")
    token = csrf_of(browser.get(f"{EDITOR}/shipped/fr").text)
    fields = {"subject": "En route : {{ order_number }}", "body": "Suivi : {{ tracking_url }}",
              "sms": "{{ order_number }} en route", "csrf_token": token}

    preview = browser.post(f"{EDITOR}/shipped/fr", data={**fields, "action": "preview"})
    assert preview.status_code == 200 and "En route : BT-100042" in preview.text and "/track/trk_sample" in preview.text
    assert client.get("/api/v1/notification-templates/shipped/fr").json()["customised"] is False

    saved = browser.post(f"{EDITOR}/shipped/fr", data={**fields, "action": "save"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    current = client.get("/api/v1/notification-templates/shipped/fr").json()
    assert current["customised"] and current["subject"] == "En route : {{ order_number }}"
    assert current["updated_by"] == "admin@example.com (admin)"

    restored = browser.post(f"{EDITOR}/shipped/fr", data={**fields, "action": "reset"})
    assert restored.status_code == 303
    assert client.get("/api/v1/notification-templates/shipped/fr").json()["customised"] is False


def test_a_form_without_the_csrf_token_is_refused(sign_in, client: TestClient) -> None:
    browser = sign_in("admin")
    refused = browser.post(f"{EDITOR}/shipped/en", data={"subject": "x", "body": "y", "sms": "z", "action": "save"})
    assert refused.status_code == 403
    assert client.get("/api/v1/notification-templates/shipped/en").json()["customised"] is False


@pytest.mark.parametrize("role", ROLES)
def test_order_readers_see_the_messages_and_annotators_may_resend(sign_in, placed: dict, client: TestClient,
                                                                  role: str) -> None:
    browser = sign_in(role)
    page = browser.get(f"/console/orders/{placed['number']}/notifications")
    if role == "fulfillment":
        assert page.status_code == 403
        return
    assert page.status_code == 200 and "Order confirmation" in page.text and "jane@example.com" in page.text
    assert (">Resend</button>" in page.text) == (role in ("admin", "agent", "finance"))
    assert "Order confirmation" in page.text and ">sent<" in page.text
    [message] = messages(client, placed["id"])
    resend = browser.post(f"/console/orders/{placed['number']}/notifications/{message['id']}/resend",
                          data={"csrf_token": csrf_of(browser.get("/console/").text)})
    if role in ("admin", "agent", "finance"):
        assert resend.status_code == 303
        assert [m["resend_of"] for m in messages(client, placed["id"])] == [None, message["id"]]
    else:
        assert resend.status_code == 403 and len(messages(client, placed["id"])) == 1


def test_an_unknown_order_has_no_messages_page(sign_in) -> None:
    assert sign_in("admin").get("/console/orders/BT-999999/notifications").status_code == 404


def test_the_shopper_chooses_their_messages_in_the_portal(
        container: Container, browsers, client: TestClient, placed: dict) -> None:
    browser = signed_in_browser(browsers, container, "jane@example.com")
    form = browser.get("/portal/preferences")
    assert form.status_code == 200 and 'name="email" checked' in form.text

    saved = browser.post("/portal/preferences", data={"csrf_token": csrf_of(form.text), "sms": "on"})

    assert saved.status_code == 303
    prefs = client.get(f"/api/v1/customers/{placed['customer']['id']}/notification-preferences").json()
    assert prefs["email"] is False and prefs["sms"] is True and prefs["sms_consent_by"] == "customer"
    assert "You agreed to text messages" in browser.get("/portal/preferences").text
    assert browser.post("/portal/preferences", data={"csrf_token": "forged", "email": "on"}).status_code == 403
    assert browsers().get("/portal/preferences").status_code == 401  # no cookie: the page that mails a link


def test_the_shopper_s_token_reads_and_changes_only_their_own_preferences(
        container: Container, browsers, anonymous: TestClient, placed: dict) -> None:
    signed_in_browser(browsers, container, "jane@example.com")
    access = mailed_link(container, "jane@example.com").split("access=")[1]
    shopper = {"Authorization": f"Bearer {access}"}
    url = "/api/v1/self-service/notification-preferences"

    assert anonymous.get(url).status_code == 401
    assert anonymous.get(url, headers=shopper).json()["customer_id"] == placed["customer"]["id"]
    changed = anonymous.put(url, json={"email": False, "sms": False}, headers=shopper)
    assert changed.status_code == 200 and changed.json()["email"] is False
    assert anonymous.put(url, json={"email": False}, headers=shopper).status_code == 422
