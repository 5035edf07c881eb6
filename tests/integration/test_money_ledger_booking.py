"""The money ledger, booked by the payment flows and read by finance over the API: every succeeded capture is an
invoice plus the capture that pays it, every succeeded refund a credit memo plus the money paid back; every entry
balances, the trial balance of each currency is zero, a settled order owes nothing, and nothing is booked twice
or for money that did not move."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from baton.finance import queries
from baton.finance.ledger import Account, JournalEntry, check_trial_balance, credit, debit
from baton.payments import bookkeeping, flows
from baton.payments.model import TransactionKind, TransactionStatus
from baton.payments.services import Outcome
from baton.shared.clock import utcnow
from tests.conftest import Shop, bearer, paid_and_captured, token

Lines = list[tuple[str, str, str]]  # (account, debit, credit)


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    shop.product("U", price="12.00", currency="USD")
    for sku in ("A", "B", "U"):
        shop.stock("WH-BER", sku, 20)
    return shop


def place(shop: Shop, payment: Any, **extra: Any) -> dict:
    """Two A and one B, 5.00 shipping: 85.00."""
    return shop.order([("A", 2), ("B", 1)], payment=payment, shipping="5.00", **extra)


ship = Shop.ship_parcel  # one parcel: `quantity` of `sku`, or everything still open


def refund(client: TestClient, order_id: str, amount: str, reason: str = "damaged in transit") -> None:
    response = client.post(f"/api/v1/orders/{order_id}/refunds", json={"amount": amount, "reason": reason})
    assert response.status_code == 201, response.text


def ledger(client: TestClient, **params: str) -> list[dict]:
    """Every entry the filters select, walking the cursor."""
    items: list[dict] = []
    cursor = None
    while True:
        response = client.get("/api/v1/ledger", params={**params, "limit": "2", **({"cursor": cursor} if cursor
                                                                                  else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def booked(client: TestClient, order_id: str) -> list[tuple[str, Lines]]:
    return [(e["kind"], [(p["account"], p["debit"], p["credit"]) for p in e["postings"]])
            for e in ledger(client, order_id=order_id)]


def trial_balance(client: TestClient, **params: str) -> dict:
    response = client.get("/api/v1/ledger/trial-balance", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def balances(body: dict, currency: str = "EUR") -> dict[str, str]:
    """The non-zero balances of one currency, by account."""
    [found] = [c for c in body["items"] if c["currency"] == currency]
    return {a["account"]: a["balance"] for a in found["accounts"] if a["balance"].strip("-0.") != ""}


def invoice(gross: str, goods: str, shipping: str | None = None) -> tuple[str, Lines]:
    lines = [("customer_receivable", gross, "0.00"), ("revenue", "0.00", goods)]
    return "invoice", lines + ([("shipping_revenue", "0.00", shipping)] if shipping else [])


def capture(amount: str) -> tuple[str, Lines]:
    return "capture", [("gateway_clearing", amount, "0.00"), ("customer_receivable", "0.00", amount)]


def credit_memo(amount: str) -> tuple[str, Lines]:
    return "credit_memo", [("refunds", amount, "0.00"), ("customer_receivable", "0.00", amount)]


def paid_back(amount: str) -> tuple[str, Lines]:
    return "refund", [("customer_receivable", amount, "0.00"), ("gateway_clearing", "0.00", amount)]


def test_two_parcels_and_a_partial_refund_book_exactly_the_expected_balanced_entries(client, stocked) -> None:
    # Given an order of 85.00 (two A at 30.00, one B at 20.00, 5.00 shipping) authorised by a card
    order = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    assert booked(client, order["id"]) == []  # an authorisation books nothing
    # When one A ships (35.00 with the shipping charge), then the rest (50.00), and 40.00 is refunded
    ship(stocked, order, "A")
    ship(stocked, order)
    refund(client, order["id"], "40.00")
    # Then each capture is an invoice paid by the capture, the refund a credit memo and the money paid back
    assert booked(client, order["id"]) == [
        invoice("35.00", "30.00", "5.00"), capture("35.00"),
        invoice("50.00", "50.00"), capture("50.00"),
        credit_memo("40.00"), paid_back("40.00"),
    ]
    for entry in ledger(client, order_id=order["id"]):
        assert entry["currency"] == "EUR" and entry["order_id"] == order["id"] and entry["memo"]
        assert sum(float(p["debit"]) for p in entry["postings"]) == sum(float(p["credit"]) for p in entry["postings"])
    # And the order owes nothing: its receivable is zero, the gateway holds what it kept
    mine = trial_balance(client, order_id=order["id"])
    assert mine["balanced"] is True
    assert balances(mine) == {"gateway_clearing": "45.00", "revenue": "-80.00", "shipping_revenue": "-5.00",
                              "refunds": "40.00"}
    assert "customer_receivable" not in balances(mine)


def test_a_refund_beyond_the_goods_gives_back_the_shipping_last(client, stocked) -> None:
    order = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    ship(stocked, order)
    refund(client, order["id"], "80.00")
    refund(client, order["id"], "5.00")
    assert booked(client, order["id"])[2:] == [credit_memo("80.00"), paid_back("80.00"),
                                               credit_memo("5.00"), paid_back("5.00")]
    assert balances(trial_balance(client, order_id=order["id"])) == {
        "revenue": "-80.00", "shipping_revenue": "-5.00", "refunds": "85.00"}


CHARGES = bookkeeping.Charges(total=8500, tax=0, shipped=8500, shipped_tax=0, shipping_net=500)


def test_goods_first_then_shipping_is_how_captures_and_refunds_are_split() -> None:
    at = utcnow()

    def entry(*postings: Any) -> JournalEntry:
        return JournalEntry("je_1", "ord_1", "EUR", at, "test", list(postings))

    first = bookkeeping.capture_amounts(CHARGES, 3500, [])
    assert (first.net, first.shipping, first.tax) == (3000, 500, 0)
    shipped = [entry(debit(Account.CUSTOMER_RECEIVABLE, 3500), credit(Account.REVENUE, 3000),
                     credit(Account.SHIPPING_REVENUE, 500))]
    later = bookkeeping.capture_amounts(CHARGES, 5000, shipped)
    assert (later.net, later.shipping) == (5000, 0)
    small = bookkeeping.capture_amounts(CHARGES, 300, [])  # a capture smaller than the shipping charge
    assert (small.net, small.shipping) == (0, 300)
    goods = bookkeeping.refund_amounts(2000, shipped)
    assert (goods.net, goods.shipping) == (2000, 0)
    credited = [*shipped, entry(debit(Account.REFUNDS, 2900), credit(Account.CUSTOMER_RECEIVABLE, 2900))]
    rest = bookkeeping.refund_amounts(600, credited)
    assert (rest.net, rest.shipping) == (100, 500)


def test_the_trial_balance_of_every_currency_is_zero(client, stocked, container: Container) -> None:
    # Given orders in two currencies, shipped and partly refunded
    eur = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    usd = stocked.order([("U", 3)], currency="USD", shipping="4.50",
                        payment={"method": "sandbox", "token": "tok_approve"})
    for order in (eur, usd):
        ship(stocked, order)
    refund(client, usd["id"], "12.00")
    # Then each currency balances, on its own and all together
    body = trial_balance(client)
    assert body["balanced"] is True and [c["currency"] for c in body["items"]] == ["EUR", "USD"]
    assert all(c["balanced"] for c in body["items"])
    assert balances(body, "USD") == {"gateway_clearing": "28.50", "revenue": "-36.00", "shipping_revenue": "-4.50",
                                     "refunds": "12.00"}
    assert [c["currency"] for c in trial_balance(client, currency="USD")["items"]] == ["USD"]
    with container.reads.connect() as conn:
        check_trial_balance(queries.balances(queries.trial_balance(conn)))
    # And the currency filter of the list keeps to its currency
    assert {e["currency"] for e in ledger(client, currency="USD")} == {"USD"}
    assert {e["order_id"] for e in ledger(client, currency="USD")} == {usd["id"]}


def test_a_failed_capture_or_refund_books_nothing(client, stocked) -> None:
    # Given a card that approves and then refuses every capture
    declined = place(stocked, {"method": "sandbox", "token": "tok_capture_decline"})
    ship(stocked, declined, "A")
    captures = [tx for p in client.get(f"/api/v1/orders/{declined['id']}/payments").json()["items"]
                for tx in p["transactions"] if tx["kind"] == "capture"]
    assert [tx["status"] for tx in captures] == ["failed"]
    assert booked(client, declined["id"]) == []
    # And a card that refuses every refund: its capture is booked, its refund is not
    no_refund = place(stocked, {"method": "sandbox", "token": "tok_refund_decline"})
    ship(stocked, no_refund)
    client.post(f"/api/v1/orders/{no_refund['id']}/refunds", json={"amount": "10.00", "reason": "x"})
    assert booked(client, no_refund["id"]) == [invoice("85.00", "80.00", "5.00"), capture("85.00")]
    assert trial_balance(client)["balanced"] is True


def test_a_retried_settlement_books_nothing_twice(client, stocked, container: Container) -> None:
    # Given an order shipped and partly refunded
    order = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    ship(stocked, order, "A")
    refund(client, order["id"], "10.00")
    first = ledger(client, order_id=order["id"])
    assert len(first) == 4

    def uows() -> Any:
        return container.uow()

    # When the settlement runs again: nothing pending, and the gateway's answers told a second time
    assert flows.settle_pending(uows, container.gateway, order["id"]) is None
    with container.uow() as uow:
        payments = uow.payments.of_order(order["id"])
    again = [Outcome(tx.id, p.id, confirmed=tx.gateway_reference) for p in payments for tx in p.transactions
             if tx.kind in (TransactionKind.CAPTURE, TransactionKind.REFUND)]
    flows.settle(uows, order["id"], again)
    flows.settle(uows, order["id"], again)
    # Then the ledger is as it was
    assert ledger(client, order_id=order["id"]) == first


def test_a_capture_recorded_outside_a_settlement_is_booked_before_the_refund_that_follows(
        client, shop: Shop, container: Container) -> None:
    # Given an order of 100.00 whose card capture was recorded by the payment services alone
    shop.product("A", price="100.00")
    shop.stock("WH-BER", "A", 5)
    order_id = str(shop.order([("A", 1)])["id"])
    paid_and_captured(container, order_id, 10_000)
    assert booked(client, order_id) == []
    # When it is refunded through the flows
    refund(client, order_id, "30.00")
    # Then the capture is booked first, at the time it happened, and the receivable is zero
    assert booked(client, order_id) == [invoice("100.00", "100.00"), capture("100.00"),
                                        credit_memo("30.00"), paid_back("30.00")]
    with container.uow() as uow:
        [payment] = uow.payments.of_order(order_id)
    settled = next(tx.settled_at for tx in payment.transactions
                   if tx.kind == TransactionKind.CAPTURE and tx.status == TransactionStatus.SUCCEEDED)
    entries = ledger(client, order_id=order_id)
    assert datetime.fromisoformat(entries[0]["occurred_at"].replace("Z", "+00:00")) == settled
    assert "customer_receivable" not in balances(trial_balance(client, order_id=order_id))


@pytest.mark.parametrize("payment", [{"method": "manual", "token": "manual:invoice:net30"},
                                     {"method": "external", "reference": "ch_3Nabc", "amount": "85.00"}])
def test_manual_and_external_payments_are_booked_like_cards(client, stocked, payment) -> None:
    order = place(stocked, payment)
    ship(stocked, order)
    assert booked(client, order["id"]) == [invoice("85.00", "80.00", "5.00"), capture("85.00")]
    assert "customer_receivable" not in balances(trial_balance(client, order_id=order["id"]))


def test_finance_lists_the_entries_of_a_day_and_of_an_order(client, stocked) -> None:
    # Given two orders, each shipped (one in two parcels)
    first = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    second = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    ship(stocked, first, "B")
    ship(stocked, second)
    ship(stocked, first)
    everything = ledger(client)
    assert len(everything) == 6
    assert [e["occurred_at"] for e in everything] == sorted(e["occurred_at"] for e in everything)  # oldest first
    # When finance lists one order, the entries of that order only, in the order they were booked
    assert [e["id"] for e in ledger(client, order_id=first["id"])] == \
        [e["id"] for e in everything if e["order_id"] == first["id"]]
    assert len(ledger(client, order_id=second["id"])) == 2
    assert ledger(client, order_id="ord_nobody") == []
    # And one UTC day, the entries that happened that day
    days = {e["occurred_at"][:10] for e in everything}
    for day in days:
        assert [e["id"] for e in ledger(client, date=day)] == \
            [e["id"] for e in everything if e["occurred_at"].startswith(day)]
    assert ledger(client, date="2000-01-01") == []
    assert ledger(client, date=max(days), order_id=first["id"]) == \
        [e for e in everything if e["order_id"] == first["id"] and e["occurred_at"].startswith(max(days))]
    assert date.fromisoformat(max(days)) <= utcnow().date()


@pytest.mark.parametrize(("params", "field"), [({"date": "2026-13-01"}, "date"), ({"currency": "eur"}, "currency"),
                                               ({"currency": "ZZZ"}, "currency"), ({"cursor": "nope"}, "cursor"),
                                               ({"limit": "0"}, "limit")])
def test_bad_filters_are_refused_with_the_field_named(client, params, field) -> None:
    response = client.get("/api/v1/ledger", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


def test_the_far_ends_of_the_calendar_are_empty_days_not_errors(client) -> None:
    for day in ("0001-01-01", "9999-12-31"):
        assert client.get("/api/v1/ledger", params={"date": day}).json() == {"items": [], "next_cursor": None}


def test_finance_and_admins_read_the_ledger_and_nobody_else(client, anonymous, container: Container,
                                                            stocked) -> None:
    order = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    ship(stocked, order)
    finance = bearer(token(container, "finance"))
    listed = anonymous.get("/api/v1/ledger", params={"order_id": order["id"]}, headers=finance)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 2
    assert anonymous.get("/api/v1/ledger/trial-balance", headers=finance).json()["balanced"] is True
    for role in ("agent", "analyst", "fulfillment", "integration"):
        headers = bearer(token(container, role, ("WH-BER",) if role == "fulfillment" else ()))
        for path in ("/api/v1/ledger", "/api/v1/ledger/trial-balance"):
            refused = anonymous.get(path, headers=headers)
            assert refused.status_code == 403, (role, path)
            assert refused.json()["code"] == "permission_denied"
    assert anonymous.get("/api/v1/ledger").status_code == 401
