"""Customer notifications end to end on SQLite and PostgreSQL: the worker queues a message per moment and channel
in the customer's language, sends email to a real SMTP server (aiosmtpd on loopback) and SMS to the sandbox or a
real HTTP receiver, honours opt-out and consent, retries with back-off, and tells the order's timeline."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from baton.adapters.db import tables as t
from baton.adapters.db.notification_repository import sandbox_texts
from baton.bootstrap import Container
from baton.events import worker
from baton.events.catalogue import Published
from baton.notifications import dispatch
from baton.notifications.message import MAX_ATTEMPTS
from baton.shared.clock import frozen_at, utcnow
from tests.conftest import Shop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailCatcher:
    """A real SMTP server on loopback (aiosmtpd). Refuses recipients whose address starts with `refuse`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        catcher = self

        class Handler:
            async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                                  options: Any) -> str:
                if address.startswith("refuse"):
                    return "550 5.1.1 no such mailbox"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                catcher.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore
                return "250 Message accepted"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[MailCatcher]:
    catcher = MailCatcher()
    catcher.controller.start()
    yield catcher
    catcher.controller.stop()


def with_settings(container: Container, **settings: Any) -> Container:
    return Container(replace(container.settings, **settings), container.engine, container.strategy, container.reads)


@pytest.fixture
def mailing(container: Container, smtp: MailCatcher) -> Container:
    """The container as `baton worker` runs it with BATON_SMTP_HOST/PORT pointing at the catcher."""
    return with_settings(container, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls=False,
                         mail_from="Baton Shop <shop@example.com>", public_url="https://shop.example.com")


def drain(container: Container) -> None:
    with httpx.Client(timeout=10) as http:
        for _ in range(100):
            if not worker.run_once(container, http).busy:
                return
    raise AssertionError("the worker never ran out of work")


def messages(client: TestClient, order_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/orders/{order_id}/notifications")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def timeline(client: TestClient, order_id: str) -> list[str]:
    return [e["message"] for e in client.get(f"/api/v1/orders/{order_id}/timeline").json()["items"]]


def stocked(shop: Shop) -> None:
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 500)


def speaks(client: TestClient, customer_id: str, language: str) -> None:
    response = client.patch(f"/api/v1/customers/{customer_id}", json={"language": language})
    assert response.status_code == 200, response.text


def texting_jane(container: Container, client: TestClient, shop: Shop) -> dict[str, str]:
    """Stock, and Jane with a mobile number, who asked for texts after her first order: her details, to order again."""
    stocked(shop)
    customer = {"email": "jane@example.com", "name": "Jane Doe", "phone": "+4915112345678"}
    first = shop.order([("SKU-1", 1)], customer=customer)
    drain(container)
    prefers(client, first["customer"]["id"], sms=True)
    return customer


def prefers(client: TestClient, customer_id: str, email: bool = True, sms: bool = False) -> dict[str, Any]:
    response = client.put(f"/api/v1/customers/{customer_id}/notification-preferences",
                          json={"email": email, "sms": sms})
    assert response.status_code == 200, response.text
    return response.json()


# -- queueing ---------------------------------------------------------------------------------------------------
def test_without_smtp_the_confirmation_waits_queued_and_says_why(
        container: Container, client: TestClient, shop: Shop) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 1)])

    drain(container)

    [message] = messages(client, order["id"])
    assert (message["moment"], message["channel"], message["status"]) == ("order_confirmed", "email", "queued")
    assert message["recipient"] == "jane@example.com" and message["language"] == "en"
    assert message["subject"] == f"Your order {order['number']} is confirmed"
    assert "Hello Jane Doe," in message["body"] and f"/track/{order['tracking_id']}" in message["body"]
    assert "€10.00" in message["body"]
    assert message["note"] == "not sent yet: no SMTP server is configured (BATON_SMTP_HOST)"
    assert not any("emailed" in line for line in timeline(client, order["id"]))


def test_the_customer_s_language_chooses_the_template_and_the_money_format(
        container: Container, client: TestClient, shop: Shop) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 123)])
    speaks(client, order["customer"]["id"], "de-DE")

    drain(container)

    [message] = messages(client, order["id"])
    assert message["language"] == "de" and message["subject"] == f"Ihre Bestellung {order['number']} ist bestätigt"
    assert "1.230,00\xa0€" in message["body"]


def test_a_language_without_texts_falls_back_to_english(container: Container, client: TestClient,
                                                        shop: Shop) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    speaks(client, order["customer"]["id"], "ja")
    drain(container)
    assert messages(client, order["id"])[0]["language"] == "en"


def test_an_event_fanned_out_twice_queues_one_message_per_channel(
        container: Container, client: TestClient, shop: Shop) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    with container.reader() as uow:
        rows = uow.session.connection().execute(select(t.outbox).where(t.outbox.c.type == "order.placed")).all()
    events = [Published(r.id, r.type, r.version, r.order_id, r.sequence, r.occurred_at, r.payload) for r in rows]

    for _ in range(2):
        with container.uow() as uow:
            dispatch.enqueue(uow, events, utcnow())
            uow.commit()
    drain(container)

    assert len(messages(client, order["id"])) == 1


def test_a_change_that_rolled_back_queues_nothing(container: Container, client: TestClient, shop: Shop) -> None:
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 1)
    refused = client.post("/api/v1/orders", json=shop.order_body([("SKU-1", 5)]))
    assert refused.status_code in (409, 422), refused.text

    drain(container)

    with container.reader() as uow:
        assert uow.session.connection().execute(select(t.notification_messages)).all() == []


# -- sending email ----------------------------------------------------------------------------------------------
def test_the_worker_emails_the_confirmation_and_tells_the_timeline(
        mailing: Container, client: TestClient, shop: Shop, smtp: MailCatcher) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    speaks(client, order["customer"]["id"], "de")

    drain(mailing)

    [mail] = smtp.to("jane@example.com")
    assert mail["Subject"] == f"Ihre Bestellung {order['number']} ist bestätigt"
    assert mail["From"] == "Baton Shop <shop@example.com>" and mail["Content-Language"] == "de"
    assert f"https://shop.example.com/track/{order['tracking_id']}" in mail.get_content()
    [message] = messages(client, order["id"])
    assert message["status"] == "sent" and message["attempts"] == 1 and mail["X-Baton-Message-Id"] == message["id"]
    assert "Order confirmation emailed to j•••@example.com in German." in timeline(client, order["id"])


def test_an_opted_out_customer_gets_no_email_and_the_agent_sees_why(
        mailing: Container, client: TestClient, shop: Shop, smtp: MailCatcher) -> None:
    stocked(shop)
    first = shop.order([("SKU-1", 1)])
    drain(mailing)
    smtp.messages.clear()
    prefers(client, first["customer"]["id"], email=False)

    order = shop.order([("SKU-1", 1)])
    drain(mailing)

    assert smtp.messages == []
    [message] = messages(client, order["id"])
    assert message["status"] == "skipped" and message["last_error"] == "the customer opted out of email updates"
    assert "Order confirmation not emailed: the customer opted out of email updates." in timeline(client, order["id"])


def test_a_refused_address_fails_at_once_and_an_unreachable_server_is_retried_then_given_up(
        container: Container, client: TestClient, shop: Shop, smtp: MailCatcher) -> None:
    stocked(shop)
    refused = shop.order([("SKU-1", 1)], customer={"email": "refuse@example.com", "name": "R"})
    drain(with_settings(container, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls=False))
    [message] = messages(client, refused["id"])
    assert message["status"] == "failed" and message["last_error"].startswith("SMTP 550")
    assert any(line.startswith("Order confirmation could not be emailed to r•••@example.com: SMTP 550")
               for line in timeline(client, refused["id"]))

    order = shop.order([("SKU-1", 1)])
    down = with_settings(container, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False)
    t0 = utcnow() + timedelta(minutes=1)
    with frozen_at(t0):
        drain(down)
    [queued] = messages(client, order["id"])
    assert queued["status"] == "queued" and queued["attempts"] == 1 and "will try again" in queued["note"]
    with frozen_at(t0 + timedelta(seconds=59)):
        drain(down)
    assert messages(client, order["id"])[0]["attempts"] == 1  # not due before its back-off
    at = t0
    for _ in range(MAX_ATTEMPTS):
        at += timedelta(hours=7)
        with frozen_at(at):
            drain(down)
    [failed] = messages(client, order["id"])
    assert failed["status"] == "failed" and failed["attempts"] == MAX_ATTEMPTS
    assert any(line.startswith("Order confirmation could not be emailed to j•••@example.com:")
               for line in timeline(client, order["id"]))


def test_an_agent_resends_a_message_and_the_timeline_says_again(
        mailing: Container, client: TestClient, shop: Shop, smtp: MailCatcher) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    drain(mailing)
    [sent] = messages(client, order["id"])

    response = client.post(f"/api/v1/orders/{order['id']}/notifications/{sent['id']}/resend")
    assert response.status_code == 202, response.text
    assert response.json()["resend_of"] == sent["id"] and response.json()["status"] == "queued"
    drain(mailing)

    assert len(smtp.to("jane@example.com")) == 2
    assert "Order confirmation emailed again to j•••@example.com in English." in timeline(client, order["id"])
    assert client.post(f"/api/v1/orders/{order['id']}/notifications/msg_nope/resend").status_code == 404
    prefers(client, order["customer"]["id"], email=False)
    refused = client.post(f"/api/v1/orders/{order['id']}/notifications/{sent['id']}/resend")
    assert refused.status_code == 409 and refused.json()["code"] == "customer_opted_out"


def test_the_mail_outbox_sign_in_links_are_sent_through_smtp(
        mailing: Container, client: TestClient, anonymous: TestClient, shop: Shop, smtp: MailCatcher) -> None:
    stocked(shop)
    shop.order([("SKU-1", 1)])
    drain(mailing)
    smtp.messages.clear()

    assert anonymous.post("/api/v1/shopper/links", json={"email": "jane@example.com"}).status_code == 202
    drain(mailing)

    [mail] = smtp.to("jane@example.com")
    assert mail["Subject"] == "Your orders" and "/portal?access=shp_" in mail.get_content()
    with mailing.reader() as uow:
        [row] = uow.session.connection().execute(select(t.mail_outbox)).all()
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1


# -- moments ------------------------------------------------------------------------------------------------------
def test_shipping_tracking_events_and_delivery_each_tell_the_customer(
        mailing: Container, client: TestClient, shop: Shop, smtp: MailCatcher) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    fo = order["fulfillment_orders"][0]
    shop.act(fo["id"], "accept")
    shipped = shop.act(fo["id"], "ship", {"carrier": "DHL", "tracking_number": "00340434161094042557"})
    shipment = shipped["shipments"][0]["id"]
    events = f"/api/v1/fulfillment-orders/{fo['id']}/shipments/{shipment}/tracking-events"
    assert client.post(events, json={"status": "exception", "detail": "address not found"}).status_code == 200
    assert client.post(events, json={"status": "out_for_delivery"}).status_code == 200
    shop.act(fo["id"], "deliver")
    assert client.post(events, json={"status": "out_for_delivery"}).status_code == 409

    drain(mailing)

    moments = [m["moment"] for m in messages(client, order["id"])]
    assert moments == ["order_confirmed", "shipped", "delayed", "out_for_delivery", "delivered"]
    subjects = [m["Subject"] for m in smtp.to("jane@example.com")]
    assert f"Order {order['number']} is on its way" in subjects and f"A delay with order {order['number']}" in subjects
    shipping = next(m for m in smtp.to("jane@example.com") if "on its way" in m["Subject"]).get_content()
    assert "00340434161094042557" in shipping and "with DHL" in shipping
    delay = next(m for m in smtp.to("jane@example.com") if "delay" in m["Subject"]).get_content()
    assert "address not found" in delay
    assert "Delay notice emailed to j•••@example.com in English." in timeline(client, order["id"])


def test_a_pickup_order_says_ready_for_pickup_and_nothing_at_handover(
        container: Container, client: TestClient, shop: Shop) -> None:
    shop.product("SKU-1")
    shop.stock("ST-HAM", "SKU-1", 5)
    order = shop.order([("SKU-1", 1)], delivery_method="pickup", pickup_location="ST-HAM", shipping_address=None)
    fo = order["fulfillment_orders"][0]
    for step in ("accept", "pack", "deliver"):
        shop.act(fo["id"], step)

    drain(container)

    [confirmed, ready] = messages(client, order["id"])
    assert (confirmed["moment"], ready["moment"]) == ("order_confirmed", "ready_for_pickup")
    assert "Location ST-HAM" in ready["body"]


def test_a_declined_card_tells_the_customer_to_pay_again(container: Container, client: TestClient,
                                                         shop: Shop) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 2)], payment={"method": "sandbox", "token": "tok_decline"})

    drain(container)

    problem = next(m for m in messages(client, order["id"]) if m["moment"] == "payment_problem")
    assert "the payment of €20.00" in problem["body"] and "/portal" in problem["body"]


# -- SMS ------------------------------------------------------------------------------------------------------------
def test_sms_goes_only_with_recorded_consent_and_the_sandbox_records_it(
        container: Container, client: TestClient, shop: Shop) -> None:
    stocked(shop)
    customer = {"email": "jane@example.com", "name": "Jane Doe", "phone": "+4915112345678"}
    first = shop.order([("SKU-1", 1)], customer=customer)
    drain(container)
    assert [m["channel"] for m in messages(client, first["id"])] == ["email"]  # no consent: no SMS

    consent = prefers(client, first["customer"]["id"], sms=True)
    assert consent["sms"] and consent["sms_consent_by"] == "test admin (admin)" and consent["sms_consent_at"]
    order = shop.order([("SKU-1", 1)], customer=customer)
    drain(container)

    sms = next(m for m in messages(client, order["id"]) if m["channel"] == "sms")
    assert sms["status"] == "sent" and sms["subject"] is None
    with container.reader() as uow:
        [text] = sandbox_texts(uow.session.connection())
    assert text["to_number"] == "+4915112345678" and order["number"] in text["text"]
    assert ("Order confirmation texted to •••5678 in English (SMS sandbox: recorded, not sent)."
            in timeline(client, order["id"]))


class SmsProvider:
    """An SMS provider's API on loopback: records requests, answers the scripted statuses, then 201."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.requests.append({"headers": dict(self.headers), "json": json.loads(body)})
                status = provider.statuses.pop(0) if provider.statuses else 201
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def provider() -> Iterator[SmsProvider]:
    p = SmsProvider()
    p.thread.start()
    yield p
    p.server.shutdown()
    p.server.server_close()


def test_the_http_sms_adapter_posts_json_with_the_bearer_token_and_retries_a_5xx(
        container: Container, client: TestClient, shop: Shop, provider: SmsProvider) -> None:
    customer = texting_jane(container, client, shop)
    texting = with_settings(container, sms_url=provider.url, sms_token="sk_test_123")
    order = shop.order([("SKU-1", 1)], customer=customer)
    provider.statuses = [503]

    t0 = utcnow() + timedelta(minutes=1)
    with frozen_at(t0):
        drain(texting)
    with frozen_at(t0 + timedelta(minutes=2)):
        drain(texting)

    first_try, second_try = provider.requests
    assert first_try["headers"]["Authorization"] == "Bearer sk_test_123"
    assert first_try["json"]["to"] == "+4915112345678" and order["number"] in first_try["json"]["text"]
    assert first_try["json"]["reference"] == second_try["json"]["reference"] == second_try["headers"]["Idempotency-Key"]
    sms = next(m for m in messages(client, order["id"]) if m["channel"] == "sms")
    assert sms["status"] == "sent" and sms["attempts"] == 2
    assert "Order confirmation texted to •••5678 in English." in timeline(client, order["id"])


def test_a_provider_refusing_the_number_fails_the_sms_at_once(
        container: Container, client: TestClient, shop: Shop, provider: SmsProvider) -> None:
    customer = texting_jane(container, client, shop)
    provider.statuses = [422]
    order = shop.order([("SKU-1", 1)], customer=customer)
    drain(with_settings(container, sms_url=provider.url, sms_token="sk_test_123"))
    sms = next(m for m in messages(client, order["id"]) if m["channel"] == "sms")
    assert sms["status"] == "failed" and sms["last_error"].startswith("HTTP 422")


# -- preferences ----------------------------------------------------------------------------------------------------
def test_withdrawing_sms_consent_forgets_it_and_unknown_customers_are_404(
        client: TestClient, shop: Shop) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    customer = order["customer"]["id"]
    assert client.get(f"/api/v1/customers/{customer}/notification-preferences").json()["email"] is True
    prefers(client, customer, sms=True)
    withdrawn = prefers(client, customer, sms=False)
    assert withdrawn["sms"] is False and withdrawn["sms_consent_at"] is None
    assert client.get("/api/v1/customers/cus_nope/notification-preferences").status_code == 404
    bad = client.put(f"/api/v1/customers/{customer}/notification-preferences", json={"email": "perhaps"})
    assert bad.status_code == 422


def test_asyncio_is_left_alone() -> None:
    asyncio.new_event_loop().close()  # aiosmtpd runs its own loop in a thread; the tests' loop is untouched


def test_erasing_the_customer_scrubs_their_messages_and_drops_the_unsent_ones(
        container: Container, client: TestClient, shop: Shop) -> None:
    stocked(shop)
    customer = {"email": "jane@example.com", "name": "Jane Doe", "phone": "+4915112345678"}
    order = shop.order([("SKU-1", 1)], customer=customer)
    prefers(client, order["customer"]["id"], sms=True)
    drain(container)  # the SMS goes to the sandbox; the email waits (no SMTP)

    erased = client.post(f"/api/v1/customers/{order['customer']['id']}/erase", json={"reason": "asked by mail"})
    assert erased.status_code == 200, erased.text

    email, sms = sorted(messages(client, order["id"]), key=lambda m: m["channel"])
    assert email["status"] == "skipped" and email["body"] == sms["body"] == "[erased]"
    assert "jane" not in email["recipient"] and "Jane" not in json.dumps([email, sms])
    with container.reader() as uow:
        assert sandbox_texts(uow.session.connection()) == []
    drain(container)
    assert messages(client, order["id"])[0]["status"] == "skipped"


class HoldingProvider(SmsProvider):
    """Holds the first text until a second one is in flight: proves two workers sent at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.second = threading.Event()
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.arrived = 0
        provider = self
        plain = self.server.RequestHandlerClass

        class Holding(plain):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:
                reference = self.headers["Idempotency-Key"]
                with provider.lock:
                    if reference in provider.in_flight:
                        provider.overlaps.append(reference)
                    provider.in_flight.add(reference)
                    provider.arrived += 1
                    first = provider.arrived == 1
                    if not first:
                        provider.second.set()
                if first:
                    provider.second.wait(timeout=20)
                super().do_POST()
                with provider.lock:
                    provider.in_flight.discard(reference)

        self.server.RequestHandlerClass = Holding


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_on_postgresql_never_send_one_message_twice(
        container: Container, client: TestClient, shop: Shop) -> None:
    provider = HoldingProvider()
    provider.thread.start()
    try:
        stocked(shop)
        customer = {"email": "jane@example.com", "name": "Jane Doe", "phone": "+4915112345678"}
        first = shop.order([("SKU-1", 1)], customer=customer)
        prefers(client, first["customer"]["id"], sms=True)
        for _ in range(5):
            shop.order([("SKU-1", 1)], customer=customer)
        with container.uow() as uow:  # fan out (queues the texts) without sending anything yet
            dispatch.enqueue(uow, uow.webhooks.fan_out(utcnow(), 100), utcnow())
            uow.commit()
        texting = with_settings(container, sms_url=provider.url)

        workers = [threading.Thread(target=dispatch.send_due, args=(texting, 100)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)

        assert provider.second.is_set() and provider.overlaps == []
        references = [r["json"]["reference"] for r in provider.requests]
        assert len(references) == len(set(references)) == 6
    finally:
        provider.server.shutdown()
        provider.server.server_close()


def test_the_privacy_export_holds_the_customer_s_messages_and_preferences(
        container: Container, client: TestClient, shop: Shop) -> None:
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    prefers(client, order["customer"]["id"], email=False)
    drain(container)

    exported = client.get(f"/api/v1/customers/{order['customer']['id']}/export").json()

    assert exported["notifications"]["preferences"]["email"] is False
    [message] = exported["notifications"]["messages"]
    assert message["order_id"] == order["id"] and message["status"] == "skipped"
    assert message["recipient"] == "jane@example.com"
