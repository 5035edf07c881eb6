"""Signed webhooks delivered by the worker to a real HTTP receiver on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.events import signing, worker
from baton.events.webhooks import DISABLE_AFTER, RETRY_WINDOW
from baton.shared.clock import frozen_at, utcnow
from baton.shared.messages import DomainEvent
from tests.conftest import Shop


class Receiver:
    """A webhook endpoint on loopback: records every request; answers with the scripted status codes, then 200.
    `hold_first` keeps the first request open until a second one is in flight (proves two workers overlap)."""

    def __init__(self, statuses: list[int] | None = None, hold_first: bool = False):
        self.statuses = list(statuses or [])
        self.received: list[dict[str, Any]] = []
        self.in_flight: Counter[str] = Counter()
        self.overlaps: list[str] = []  # event ids that arrived while the same id was in flight
        self.max_concurrent = 0
        self.hold_first = hold_first
        self.second = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.handle(self)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers["Content-Length"]))
        event_id = request.headers["Baton-Event-Id"]
        with self.lock:
            if self.in_flight[event_id]:
                self.overlaps.append(event_id)
            self.in_flight[event_id] += 1
            first = not self.received
            self.received.append({"headers": dict(request.headers), "body": body})
            self.max_concurrent = max(self.max_concurrent, sum(self.in_flight.values()))
            if sum(self.in_flight.values()) >= 2:
                self.second.set()
            status = self.statuses.pop(0) if self.statuses else 200
        if first and self.hold_first:
            self.second.wait(timeout=20)
        with self.lock:
            self.in_flight[event_id] -= 1
        request.send_response(status)
        request.send_header("Content-Length", "2")
        request.end_headers()
        request.wfile.write(b"ok")

    def events(self) -> list[dict[str, Any]]:
        import json
        return [json.loads(r["body"]) for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def subscribe(client: TestClient, url: str, types: list[str] | None = None) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, "event_types": types or ["*"]})
    assert response.status_code == 201, response.text
    return response.json()


def drain(container: Container, http: httpx.Client) -> None:
    """Passes until a pass finds nothing to do."""
    for _ in range(100):
        if not worker.run_once(container, http).busy:
            return
    raise AssertionError("the worker never ran out of work")


def placed_and_shipped(shop: Shop) -> dict:
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    order = shop.order([("SKU-1", 2)])
    shop.ship_parcel(order)
    return order


def test_an_order_s_events_reach_the_receiver_signed_and_in_sequence(
        container: Container, client: TestClient, shop: Shop, receiver: Receiver, http: httpx.Client) -> None:
    hook = subscribe(client, receiver.url)
    assert hook["secret"].startswith("whsec_")
    assert "secret" not in client.get("/api/v1/webhooks").json()["items"][0]
    order = placed_and_shipped(shop)

    drain(container, http)

    events = receiver.events()
    mine = [e for e in events if e["order_id"] == order["id"]]
    types = [e["type"] for e in mine]
    assert types[0] == "order.placed" and "fulfillment_order.accepted" in types and types[-1] == "shipment.shipped"
    assert [e["sequence"] for e in mine] == list(range(1, len(mine) + 1))
    assert all(e["version"] == 1 and e["data"]["order_id"] == order["id"] for e in mine)
    now = int(time.time())
    for request in receiver.received:
        headers = request["headers"]
        assert signing.verify(hook["secret"], headers["Baton-Signature"], headers["Baton-Timestamp"],
                              request["body"], now=now)
    assert sorted(r["headers"]["Baton-Event-Id"] for r in receiver.received) == sorted(e["id"] for e in events)
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["items"]
    assert {d["status"] for d in log} == {"delivered"} and len(log) == len(events)
    assert all(d["attempt_log"][0]["status_code"] == 200 for d in log)


def test_a_subscription_gets_only_the_types_it_asked_for(
        container: Container, client: TestClient, shop: Shop, receiver: Receiver, http: httpx.Client) -> None:
    subscribe(client, receiver.url, ["shipment.shipped"])
    placed_and_shipped(shop)
    drain(container, http)
    assert [e["type"] for e in receiver.events()] == ["shipment.shipped"]


def test_a_failing_receiver_is_retried_after_the_back_off(
        container: Container, client: TestClient, shop: Shop, receiver: Receiver, http: httpx.Client) -> None:
    hook = subscribe(client, receiver.url, ["order.placed"])
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    shop.order([("SKU-1", 1)])
    receiver.statuses = [500]
    t0 = utcnow() + timedelta(minutes=1)

    with frozen_at(t0):
        assert worker.run_once(container, http).failed == 1
    with frozen_at(t0 + timedelta(seconds=29)):
        assert not worker.run_once(container, http).busy  # not due yet
    with frozen_at(t0 + timedelta(seconds=30)):
        assert worker.run_once(container, http).delivered == 1

    assert len(receiver.received) == 2
    assert receiver.received[0]["headers"]["Baton-Event-Id"] == receiver.received[1]["headers"]["Baton-Event-Id"]
    [delivery] = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["items"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 200]
    assert delivery["attempt_log"][0]["response_excerpt"] == "ok"
    assert delivery["attempt_log"][0]["error"] == "HTTP 500"


def test_a_delivery_failing_for_a_day_is_dead_lettered_and_can_be_redelivered_by_hand(
        container: Container, client: TestClient, shop: Shop, receiver: Receiver, http: httpx.Client) -> None:
    hook = subscribe(client, receiver.url, ["order.placed"])
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    shop.order([("SKU-1", 1)])
    receiver.statuses = [503] * 3
    t0 = utcnow() + timedelta(minutes=1)
    with frozen_at(t0):
        worker.run_once(container, http)
    with frozen_at(t0 + RETRY_WINDOW - timedelta(minutes=1)):
        assert worker.run_once(container, http).failed == 1
    deliveries = f"/api/v1/webhooks/{hook['id']}/deliveries"
    assert client.get(deliveries).json()["items"][0]["status"] == "pending"  # still within the window
    with frozen_at(t0 + RETRY_WINDOW + timedelta(hours=1)):
        assert worker.run_once(container, http).failed == 1
        assert not worker.run_once(container, http).busy
    [dead] = client.get(deliveries, params={"status": "dead"}).json()["items"]
    assert dead["attempts"] == 3

    response = client.post(f"{deliveries}/{dead['id']}/redeliver")
    assert response.status_code == 202, response.text
    drain(container, http)
    [delivered] = client.get(deliveries).json()["items"]
    assert delivered["status"] == "delivered" and delivered["attempts"] == 4
    assert len(receiver.received) == 4
    audit = client.get("/api/v1/audit", params={"action": "webhook.redeliver"}).json()["items"]
    assert [a["target_id"] for a in audit] == [dead["id"]]


def test_a_subscription_failing_for_three_days_is_disabled_and_audited(
        container: Container, client: TestClient, shop: Shop, receiver: Receiver, http: httpx.Client) -> None:
    hook = subscribe(client, receiver.url, ["order.placed"])
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    shop.order([("SKU-1", 1)])
    receiver.statuses = [500] * 10
    t0 = utcnow() + timedelta(minutes=1)
    with frozen_at(t0):
        worker.run_once(container, http)
    shop.order([("SKU-1", 1)])  # a second event keeps failing after the first is dead-lettered
    with frozen_at(t0 + DISABLE_AFTER - timedelta(hours=1)):
        worker.run_once(container, http)
    assert client.get("/api/v1/webhooks").json()["items"][0]["status"] == "active"
    with frozen_at(t0 + DISABLE_AFTER + timedelta(minutes=1)):
        assert worker.run_once(container, http).failed == 1
    listed = client.get("/api/v1/webhooks").json()["items"][0]
    assert listed["status"] == "disabled"
    audit = client.get("/api/v1/audit", params={"action": "webhook.disabled"}).json()["items"]
    assert [a["target_id"] for a in audit] == [hook["id"]]
    sent = len(receiver.received)
    shop.order([("SKU-1", 1)])
    drain(container, http)
    assert len(receiver.received) == sent  # nothing more goes to a disabled subscription


def test_a_rolled_back_change_emits_nothing(
        container: Container, client: TestClient, shop: Shop, receiver: Receiver, http: httpx.Client) -> None:
    subscribe(client, receiver.url)
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 1)
    refused = client.post("/api/v1/orders", json=shop.order_body([("SKU-1", 5)]))
    assert refused.status_code == 409, refused.text
    with container.uow() as uow:  # a change that never commits
        uow.messages.add([DomainEvent("order.placed", "ord_rolled_back", {"order_id": "ord_rolled_back"})], [])
    drain(container, http)
    assert receiver.received == []
    with container.reader() as uow:
        assert uow.session.connection().scalar(select(func.count()).select_from(t.outbox)) == 0


def test_bad_webhook_input_is_refused_naming_the_field_and_changes_nothing(client: TestClient) -> None:
    for body, field in (({"url": "ftp://example.com", "event_types": ["*"]}, "url"),
                        ({"url": "https://example.com/h", "event_types": ["order.shipped"]}, "event_types"),
                        ({"url": "https://example.com/h", "event_types": []}, "event_types")):
        response = client.post("/api/v1/webhooks", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text
    assert client.get("/api/v1/webhooks").json()["items"] == []
    assert client.delete("/api/v1/webhooks/whk_nope").status_code == 404
    assert client.get("/api/v1/webhooks/whk_nope/deliveries").status_code == 404
    hook = subscribe(client, "https://example.com/h")
    assert client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/whd_nope/redeliver").status_code == 404
    bad_status = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", params={"status": "lost"})
    assert bad_status.status_code == 422 and "status" in bad_status.text
    assert client.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 204
    assert client.get("/api/v1/webhooks").json()["items"] == []
    assert client.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 404


# -- PostgreSQL: real parallel clients ------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite has one writer at a time anyway
def test_concurrent_writers_of_one_order_get_gapless_unique_sequences(container: Container) -> None:
    barrier = threading.Barrier(4)

    def writer(_index: int) -> None:
        barrier.wait(timeout=30)
        for _ in range(25):
            with container.uow() as uow:  # each thread its own connection and transaction
                uow.messages.add([DomainEvent("order.edited", "ord_shared", {"order_id": "ord_shared"})
                                  for _ in range(2)], [])
                uow.commit()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with container.reader() as uow:
        rows = uow.session.connection().execute(
            select(t.outbox.c.sequence, t.outbox.c.id).where(t.outbox.c.order_id == "ord_shared")).all()
    assert sorted(r.sequence for r in rows) == list(range(1, 201))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite runs one worker
def test_two_workers_deliver_200_events_each_once_and_never_the_same_one_at_once(
        container: Container, client: TestClient, http: httpx.Client) -> None:
    receiver = Receiver(hold_first=True)
    receiver.thread.start()
    try:
        subscribe(client, receiver.url)
        for batch in range(20):  # 20 orders with 10 events each
            with container.uow() as uow:
                order_id = f"ord_{batch:02d}"
                uow.messages.add([DomainEvent("order.edited", order_id, {"order_id": order_id, "n": n})
                                  for n in range(10)], [])
                uow.commit()
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with httpx.Client(timeout=30) as own:
                    start.wait(timeout=30)
                    drain(container, own)
            except BaseException as error:  # surfaced below
                errors.append(error)

        workers = [threading.Thread(target=run) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert errors == []
        ids = Counter(r["headers"]["Baton-Event-Id"] for r in receiver.received)
        assert len(ids) == 200 and set(ids.values()) == {1}
        assert receiver.overlaps == []
        assert receiver.max_concurrent >= 2  # both workers were delivering at the same time
        by_order: dict[str, list[int]] = {}
        for event in receiver.events():
            by_order.setdefault(event["order_id"], []).append(event["sequence"])
        assert all(seqs == list(range(1, 11)) for seqs in by_order.values())
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


# -- hardening: disabled subscriptions tell the admins and can be enabled; no webhooks to private addresses --------
def test_a_disabled_subscription_mails_the_admins_and_enabled_again_delivers_what_waited(
        container: Container, client: TestClient, shop: Shop, receiver: Receiver, http: httpx.Client) -> None:
    from baton.identity.console import create_user

    create_user(container.uow(), "ops@example.com", "Ops Admin", "admin", "a long enough password 1")
    create_user(container.uow(), "agent@example.com", "An Agent", "agent", "a long enough password 2")
    hook = subscribe(client, receiver.url, ["order.placed"])
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    shop.order([("SKU-1", 1)])
    receiver.statuses = [500] * 4
    t0 = utcnow() + timedelta(minutes=1)
    with frozen_at(t0):
        worker.run_once(container, http)
    shop.order([("SKU-1", 1)])
    with frozen_at(t0 + DISABLE_AFTER - timedelta(hours=1)):  # the first is dead-lettered, the second fails
        worker.run_once(container, http)
    with frozen_at(t0 + DISABLE_AFTER + timedelta(minutes=1)):
        worker.run_once(container, http)
    assert client.get("/api/v1/webhooks").json()["items"][0]["status"] == "disabled"
    with container.reader() as uow:
        mails = uow.session.connection().execute(select(t.mail_outbox)).all()
    assert [(m.kind, m.to_address) for m in mails] == [("webhook_disabled", "ops@example.com")]
    assert hook["id"] in mails[0].subject and f"baton webhooks enable {hook['id']}" in mails[0].body

    response = client.post(f"/api/v1/webhooks/{hook['id']}/enable")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "active" and response.json()["failing_since"] is None
    with frozen_at(t0 + DISABLE_AFTER + timedelta(minutes=2)):
        drain(container, http)
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["items"]
    assert [d["status"] for d in log] == ["delivered", "dead"]  # the pending one went again; dead stays dead
    audit = client.get("/api/v1/audit", params={"action": "webhook.enable"}).json()["items"]
    assert [a["target_id"] for a in audit] == [hook["id"]]
    assert client.post(f"/api/v1/webhooks/{hook['id']}/enable").json()["status"] == "active"  # unchanged
    assert client.post("/api/v1/webhooks/whk_nope/enable").status_code == 404


@pytest.fixture
def strict(container: Container) -> Iterator[tuple[Container, TestClient]]:
    """The same database as a production shop sees it: webhooks to private addresses refused."""
    from dataclasses import replace

    from baton.bootstrap import bootstrap
    from baton.entrypoints.http.app import create_app
    from tests.conftest import bearer, token

    production = bootstrap(replace(container.settings, webhooks_allow_private=False))
    with TestClient(create_app(production), base_url="https://testserver", raise_server_exceptions=False,
                    headers=bearer(token(production))) as strict_client:
        yield production, strict_client
    production.engine.dispose()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/h", "http://[::1]/h", "http://10.1.2.3/h", "http://192.168.0.7/h",
                                 "http://169.254.169.254/latest/meta-data", "http://224.0.0.1/h",
                                 "http://[::ffff:127.0.0.1]/h", "http://0.0.0.0/h", "http://localhost:8000/h"])
def test_a_webhook_to_a_private_address_is_refused_naming_the_url(
        strict: tuple[Container, TestClient], url: str) -> None:
    _production, strict_client = strict
    response = strict_client.post("/api/v1/webhooks", json={"url": url, "event_types": ["*"]})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "url" in response.text and "BATON_WEBHOOKS_ALLOW_PRIVATE" in response.text
    assert strict_client.get("/api/v1/webhooks").json()["items"] == []


def test_a_delivery_to_an_address_that_became_private_is_not_sent(
        strict: tuple[Container, TestClient], client: TestClient, shop: Shop, receiver: Receiver,
        http: httpx.Client) -> None:
    production, _strict_client = strict
    hook = subscribe(client, receiver.url, ["order.placed"])  # allowed when it was made (say, DNS changed since)
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    shop.order([("SKU-1", 1)])

    assert worker.run_once(production, http).failed == 1

    assert receiver.received == []
    [delivery] = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["items"]
    assert delivery["status"] == "pending"
    assert delivery["attempt_log"][0]["error"] == "not sent: 127.0.0.1 is a loopback address"


def test_the_cli_enables_a_disabled_subscription(
        container: Container, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from baton.entrypoints.cli.main import app as cli

    hook = subscribe(client, "https://hooks.example.com/in")
    with container.uow() as uow:
        uow.webhooks.disable(hook["id"], utcnow())
        uow.commit()
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    done = CliRunner().invoke(cli, ["webhooks", "enable", hook["id"]])
    assert done.exit_code == 0, done.output
    assert f"Webhook {hook['id']} (https://hooks.example.com/in) is active." in done.output
    assert client.get("/api/v1/webhooks").json()["items"][0]["status"] == "active"
    missing = CliRunner().invoke(cli, ["webhooks", "enable", "whk_nope"])
    assert missing.exit_code == 2 and "No webhook whk_nope" in missing.output
