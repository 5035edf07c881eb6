"""A real `baton worker` process, configured only by its BATON_SMTP_* environment, mails a real SMTP server
(aiosmtpd on a free loopback port): the shipping confirmation arrives in the customer's language with its
tracking link and the headers a mail client needs, and the order's timeline says so."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from bench.processes import baton_command, python_env
from fastapi.testclient import TestClient

from baton.adapters.db.migrate import upgrade
from baton.bootstrap import Container, bootstrap
from baton.config import Settings
from baton.entrypoints.http.app import create_app
from tests.conftest import Shop, bearer, token
from tests.integration.test_notifications import MailCatcher
from tests.integration.test_notifications import smtp as smtp  # the fixture: a mail catcher on loopback

WORKER_TIMEOUT = 60  # seconds one `baton worker --once` may take (imports included)


@pytest.fixture
def shop_on_file(tmp_path) -> Iterator[tuple[Container, TestClient]]:
    url = f"sqlite:///{tmp_path / 'mail.db'}"
    upgrade(url)
    container = bootstrap(Settings(database_url=url))
    with TestClient(create_app(container), base_url="https://testserver",
                    headers=bearer(token(container))) as client:
        yield container, client
    container.engine.dispose()


def worker_pass(database_url: str, smtp_port: int) -> None:
    env = python_env(BATON_DATABASE_URL=database_url, BATON_SMTP_HOST="127.0.0.1", BATON_SMTP_PORT=str(smtp_port),
                     BATON_SMTP_STARTTLS="0", BATON_MAIL_FROM="Laden <laden@example.com>",
                     BATON_PUBLIC_URL="https://laden.example.com", BATON_SELLER_NAME="Laden GmbH")
    done = subprocess.run([*baton_command(), "worker", "--once", "--batch", "100"], env=env, capture_output=True,
                          text=True, timeout=WORKER_TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_worker_process_emails_the_shipping_confirmation_in_german_with_the_tracking_link(
        shop_on_file: tuple[Container, TestClient], smtp: MailCatcher) -> None:
    container, client = shop_on_file
    shop = Shop(client)
    shop.location("WH-BER")
    shop.product("SKU-1", price="1234.50")
    shop.stock("WH-BER", "SKU-1", 5)
    order = shop.order([("SKU-1", 1)], customer={"email": "jonas@example.com", "name": "Jonas Weber"})
    assert client.patch(f"/api/v1/customers/{order['customer']['id']}", json={"language": "de-DE"}).status_code == 200
    fo = order["fulfillment_orders"][0]
    shop.act(fo["id"], "accept")
    shop.act(fo["id"], "ship", {"carrier": "DHL", "tracking_number": "00340434161094042557"})

    worker_pass(str(container.engine.url.render_as_string(hide_password=False)), smtp.port)

    confirmation, shipping = smtp.to("jonas@example.com")
    assert confirmation["Subject"] == f"Ihre Bestellung {order['number']} ist bestätigt"
    assert "1.234,50\xa0€" in confirmation.get_content()
    assert shipping["Subject"] == f"Bestellung {order['number']} ist unterwegs"
    assert shipping["From"] == "Laden <laden@example.com>" and shipping["Content-Language"] == "de"
    assert shipping["Auto-Submitted"] == "auto-generated" and shipping["Message-ID"].endswith("@example.com>")
    assert shipping["Date"] and shipping.get_content_type() == "text/plain"
    assert shipping.get_content_charset() == "utf-8"
    body = shipping.get_content()
    assert body.startswith("Hallo Jonas Weber,")
    assert f"https://laden.example.com/track/{order['tracking_id']}" in body
    assert "Sendungsnummer 00340434161094042557" in body and "Laden GmbH" in body
    timeline = [e["message"] for e in client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]]
    assert "Shipping confirmation emailed to j•••@example.com in German." in timeline
    assert "Order confirmation emailed to j•••@example.com in German." in timeline

    worker_pass(str(container.engine.url.render_as_string(hide_password=False)), smtp.port)
    assert len(smtp.to("jonas@example.com")) == 2  # sent once: a second pass finds nothing due
