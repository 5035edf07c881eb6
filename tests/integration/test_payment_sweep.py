"""The sweep of stuck transactions (issue 5): a transaction left pending when the process died between deciding
it and recording the gateway's answer, or when the gateway did not answer, is settled by `sweep` (and
`baton payments settle-pending`), once, even with several sweepers at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baton.adapters.db.migrate import upgrade
from baton.bootstrap import Container, bootstrap
from baton.config import Settings
from baton.entrypoints.cli.main import app as cli
from baton.entrypoints.http.app import create_app
from baton.fulfillment import services as fulfillment
from baton.orders.queries import timeline
from baton.payments.gateway import Authorization, Movement, PaymentGateway, PaymentView
from baton.payments.model import TransactionStatus
from baton.payments.sweep import Settled, sweep
from baton.shared.clock import frozen_at, utcnow
from baton.shared.errors import InvalidInput
from tests.conftest import LOCATIONS, PostgresServer, Shop, bearer, token, unavailable

TIMEOUT = 60.0  # a safety net only: the threads below wait for each other's signals, never for time


def stocked(shop: Shop) -> Shop:
    shop.product("A", price="30.00")
    shop.stock("WH-BER", "A", 100)
    return shop


@pytest.fixture
def shop(client: TestClient) -> Shop:
    shop = Shop(client)
    for code in LOCATIONS:
        shop.location(code)
    return stocked(shop)


def shipped_but_not_settled(container: Container, shop: Shop, token: str = "tok_approve", units: int = 2) -> str:
    """An order paid by a sandbox card whose shipment was recorded, with its capture decided (pending), and then
    the process died: the gateway was never asked."""
    order = shop.order([("A", units)], payment={"method": "sandbox", "token": token})
    fo = order["fulfillment_orders"][0]["id"]
    fulfillment.accept(container.uow(), fo, "warehouse")
    fulfillment.ship(container.uow(), fo, carrier="DHL", tracking_number=None, service=None, lines=None,
                     actor="warehouse")
    return str(order["id"])


def pending(container: Container, order_id: str) -> list[str]:
    with container.reader() as uow:
        return [tx.id for p in uow.payments.of_order(order_id) for tx in p.transactions
                if tx.status == TransactionStatus.PENDING]


def swept(container: Container, older_than: int = 0) -> list[Settled]:
    return sweep(lambda: container.uow(), container.reader, container.gateway, older_than=older_than)


def test_a_capture_left_pending_by_a_dead_process_is_settled_and_told(container, shop, client) -> None:
    # Given a shipment whose capture was decided but never asked of the gateway
    order_id = shipped_but_not_settled(container, shop)
    assert len(pending(container, order_id)) == 1
    # When the sweep runs
    [settled] = swept(container)
    # Then the capture went through, once, and the order says so
    assert settled.order_id == order_id and settled.still_pending == 0
    assert settled.outcomes == ["The capture of EUR 60.00 (sandbox) went through."]
    assert pending(container, order_id) == []
    listed = client.get(f"/api/v1/orders/{order_id}/payments").json()
    assert listed["payment_status"] == "captured" and listed["items"][0]["captured"] == "60.00"
    told = [e["message"] for e in client.get(f"/api/v1/orders/{order_id}/timeline").json()["items"]]
    assert told.count("The capture of EUR 60.00 (sandbox) went through.") == 1
    # And a second sweep finds nothing to do
    assert swept(container) == []


def test_only_transactions_older_than_the_threshold_are_swept(container, shop) -> None:
    order_id = shipped_but_not_settled(container, shop)
    assert swept(container, older_than=300) == []  # just decided: perhaps still in flight
    assert len(pending(container, order_id)) == 1
    with frozen_at(utcnow() + timedelta(seconds=301)):
        assert [s.order_id for s in swept(container, older_than=300)] == [order_id]
    assert pending(container, order_id) == []


def test_an_authorisation_the_gateway_never_answers_stays_pending_and_is_asked_again(container, shop) -> None:
    # Given an order whose gateway errors on every try (the sandbox's tok_error)
    order = shop.order([("A", 1)], payment={"method": "sandbox", "token": "tok_error"})
    # When two sweeps run one after the other
    first, second = swept(container), swept(container)
    # Then each asked again and reported that the answer is still missing; nothing moved
    for result in (first, second):
        assert [(s.order_id, s.still_pending) for s in result] == [(order["id"], 1)]
        assert result[0].outcomes == ["The authorisation of EUR 30.00 (sandbox) is still waiting for the gateway's "
                                      "answer; the next sweep asks again."]
    with container.reader() as uow:
        [payment] = uow.payments.of_order(order["id"])
    assert (payment.status, payment.authorized) == ("pending", 0)


def test_a_refused_capture_found_by_the_sweep_holds_the_receivable(container, shop, client) -> None:
    order_id = shipped_but_not_settled(container, shop, token="tok_capture_decline")
    [settled] = swept(container)
    assert settled.outcomes[0].startswith("The capture of EUR 60.00 (sandbox) failed: The sandbox refused")
    order = client.get(f"/api/v1/orders/{order_id}").json()
    assert [h["kind"] for h in order["holds"] if h["active"]] == ["payment"]
    assert client.get(f"/api/v1/orders/{order_id}/payments").json()["items"][0]["voided"] is False


def test_a_sweep_refuses_a_negative_age(container) -> None:
    with pytest.raises(InvalidInput, match="older_than"):
        swept(container, older_than=-1)


def test_the_command_prints_what_it_settled(container, shop, monkeypatch) -> None:
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    runner = CliRunner()
    order_id = shipped_but_not_settled(container, shop)
    quiet = runner.invoke(cli, ["payments", "settle-pending"])  # the default: pending for five minutes
    assert quiet.exit_code == 0 and "Nothing was pending for longer than 300 seconds." in quiet.output
    done = runner.invoke(cli, ["payments", "settle-pending", "--older-than", "0"])
    assert done.exit_code == 0, done.output
    with container.reader() as uow:
        order = uow.orders.get(order_id)
    assert order is not None
    assert f"{order.number} ({order_id})" in done.output
    assert "  The capture of EUR 60.00 (sandbox) went through." in done.output
    assert "Settled 1 order(s); 0 transaction(s) still wait for the gateway." in done.output
    assert runner.invoke(cli, ["payments", "settle-pending", "--older-than", "-5"]).exit_code == 2


# -- several sweepers at once, on PostgreSQL ----------------------------------------------------------------------
@pytest.fixture
def pg(postgres_server: PostgresServer | None) -> Iterator[tuple[Container, Shop]]:
    """A fresh migrated PostgreSQL database with a small shop, for sweepers on their own connections."""
    if postgres_server is None:
        unavailable("no PostgreSQL server for the parallel sweeps (set BATON_TEST_POSTGRES_URL)")
    assert postgres_server is not None
    url = postgres_server.create()
    container = bootstrap(Settings(database_url=url, db_pool_size=20))
    try:
        upgrade(url)
        with TestClient(create_app(container), base_url="https://testserver",
                        headers=bearer(token(container))) as client:
            shop = Shop(client)
            for code in LOCATIONS:
                shop.location(code)
            yield container, stocked(shop)
    finally:
        container.engine.dispose()
        postgres_server.drop(url)


class Witness:
    """The sandbox gateway behind a window: counts every call by idempotency key, and holds the very first call
    until the *other* sweeper has finished its whole sweep. While held, its sweeper has claimed that order, so
    the other one must pass it by; were the claim not working, the other would ask for it too (and be counted)."""

    def __init__(self, container: Container, sweepers: dict[str, threading.Event]):
        self.container = container
        self.finished = sweepers  # thread name → set when that sweeper is done
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.held: str | None = None  # the name of the sweeper whose first call was held
        self.released = False  # the other sweeper finished while the first call was held

    def __call__(self, method: str) -> PaymentGateway:
        return _Counted(self, self.container.gateway(method))

    def asked(self, key: str) -> None:
        me = threading.current_thread().name
        with self.lock:
            self.calls[key] += 1
            first = self.held is None
            if first:
                self.held = me
        if first:
            other = next(event for name, event in self.finished.items() if name != me)
            self.released = other.wait(TIMEOUT)


class _Counted:
    def __init__(self, witness: Witness, inner: PaymentGateway):
        self.witness, self.inner, self.name = witness, inner, inner.name

    def check_token(self, token: str) -> None:
        self.inner.check_token(token)

    def authorize(self, *, token: str, amount: int, currency: str, idempotency_key: str) -> Authorization:
        self.witness.asked(idempotency_key)
        return self.inner.authorize(token=token, amount=amount, currency=currency, idempotency_key=idempotency_key)

    def capture(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement:
        self.witness.asked(idempotency_key)
        return self.inner.capture(reference=reference, amount=amount, currency=currency,
                                  idempotency_key=idempotency_key)

    def void(self, *, reference: str, idempotency_key: str) -> None:
        self.witness.asked(idempotency_key)
        self.inner.void(reference=reference, idempotency_key=idempotency_key)

    def refund(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement:
        self.witness.asked(idempotency_key)
        return self.inner.refund(reference=reference, amount=amount, currency=currency,
                                 idempotency_key=idempotency_key)

    def lookup(self, *, reference: str) -> PaymentView:
        return self.inner.lookup(reference=reference)


def test_two_sweeps_at_once_settle_each_stuck_order_once_and_ask_the_gateway_once(pg) -> None:
    container, shop = pg
    # Given four orders whose shipments' captures were decided and never asked of the gateway
    orders = [shipped_but_not_settled(container, shop, units=n) for n in (1, 2, 3, 4)]
    stuck = {tx for order_id in orders for tx in pending(container, order_id)}
    assert len(stuck) == 4
    # When two sweepers run at the same moment, each in its own thread with its own connections
    finished = {"sweeper-1": threading.Event(), "sweeper-2": threading.Event()}
    witness = Witness(container, finished)
    start = threading.Barrier(2)
    results: dict[str, Any] = {}

    def run() -> None:
        me = threading.current_thread().name
        try:
            start.wait(TIMEOUT)
            results[me] = sweep(lambda: container.uow(), container.reader, witness, older_than=0)
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            results[me] = error
        finally:
            finished[me].set()

    threads = [threading.Thread(target=run, name=name) for name in finished]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    # Then the first gateway call was held while the other sweeper did all it could, and that one passed the
    # claimed order by
    assert all(isinstance(r, list) for r in results.values()), results
    assert witness.held is not None and witness.released
    # And every stuck capture was asked of the gateway exactly once, and settled by exactly one sweeper
    assert set(witness.calls) == stuck and set(witness.calls.values()) == {1}
    mine = {name: {s.order_id for s in result} for name, result in results.items()}
    assert mine["sweeper-1"].isdisjoint(mine["sweeper-2"])
    assert mine["sweeper-1"] | mine["sweeper-2"] == set(orders)
    assert mine[witness.held], "the held sweeper settled the order it held"
    # And the money and the timelines say it happened once
    for order_id in orders:
        assert pending(container, order_id) == []
        with container.reader() as uow:
            [payment] = uow.payments.of_order(order_id)
        assert payment.captured == payment.authorized and payment.status == "captured"
        with container.reads.connect() as conn:
            told = [e["message"] for e in timeline(conn, order_id) if e["kind"] == "payment_capture"]
        assert len(told) == 1, told
