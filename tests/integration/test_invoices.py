"""Invoices and credit memos: one per capture and per refund, issued in the transaction that books it, agreeing with
the ledger to the minor unit, numbered per kind and year without gaps (also with 20 parallel clients on
PostgreSQL), immutable in the database, downloadable as JSON and PDF, kept through an erasure."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from baton.adapters.db.migrate import upgrade
from baton.bootstrap import Container, bootstrap
from baton.config import Settings
from baton.entrypoints.cli.main import app as cli
from baton.entrypoints.http.app import create_app
from baton.fulfillment import services as fulfillment
from baton.invoicing.model import DocumentKind
from baton.payments import bookkeeping, flows
from baton.shared.clock import frozen_at, utcnow
from tests.conftest import HAMBURG, PostgresServer, Shop, bearer, paid_and_captured, token, unavailable

CARD = {"method": "sandbox", "token": "tok_approve"}
PATHS = {DocumentKind.INVOICE: "invoices", DocumentKind.CREDIT_MEMO: "credit-memos"}


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    for sku in ("A", "B"):
        shop.stock("WH-BER", sku, 50)
    return shop


def place(shop: Shop, payment: Any = CARD, **extra: Any) -> dict:
    """Two A and one B, 5.00 shipping: 85.00."""
    return shop.order([("A", 2), ("B", 1)], payment=payment, shipping="5.00", **extra)


ship = Shop.ship_parcel  # one parcel: `quantity` of `sku`, or everything still open


def refund(client: TestClient, order_id: str, amount: str, reason: str) -> None:
    response = client.post(f"/api/v1/orders/{order_id}/refunds", json={"amount": amount, "reason": reason})
    assert response.status_code == 201, response.text


def documents(client: TestClient, kind: DocumentKind, order_id: str | None = None) -> list[dict]:
    """Every document of `kind` (of the order), walking the cursor one at a time."""
    items: list[dict] = []
    params: dict[str, Any] = {"limit": 1, **({"order_id": order_id} if order_id else {})}
    while True:
        response = client.get(f"/api/v1/{PATHS[kind]}", params=params)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        if response.json()["next_cursor"] is None:
            return items
        params["cursor"] = response.json()["next_cursor"]


def lines(document: dict) -> list[tuple[Any, ...]]:
    return [(ln["description"], ln["sku"], ln["quantity"], ln["amount"]) for ln in document["lines"]]


def agrees_with_ledger(client: TestClient, document: dict) -> None:
    """The document's money is exactly its journal entry's postings."""
    entries = client.get("/api/v1/ledger", params={"order_id": document["order_id"], "limit": 200}).json()["items"]
    [entry] = [e for e in entries if e["id"] == document["entry_id"]]
    assert entry["kind"] == document["kind"] and entry["source_id"] == document["source_id"]
    side = "credit" if document["kind"] == "invoice" else "debit"
    amounts = {p["account"]: p[side] for p in entry["postings"]}
    receivable = next(p for p in entry["postings"] if p["account"] == "customer_receivable")
    totals = document["totals"]
    assert receivable["debit" if side == "credit" else "credit"] == totals["total"]
    goods = "revenue" if document["kind"] == "invoice" else "refunds"
    assert amounts.get(goods, "0.00") == totals["net"]
    assert amounts.get("tax_payable", "0.00") == totals["tax"]
    assert amounts.get("shipping_revenue", "0.00") == totals["shipping"]
    cents = sum(int(ln["amount"].replace(".", "")) for ln in document["lines"])
    assert cents == int(totals["net"].replace(".", ""))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# -- issuing ------------------------------------------------------------------------------------------------------
def test_each_capture_is_an_invoice_and_each_refund_a_credit_memo_agreeing_with_the_ledger(client, stocked) -> None:
    # Given an order of 85.00 paid by card
    order = place(stocked)
    assert documents(client, DocumentKind.INVOICE, order["id"]) == []  # an authorisation invoices nothing
    # When one A ships, then the rest, and 40.00 is refunded
    ship(stocked, order, "A")
    ship(stocked, order)
    refund(client, order["id"], "40.00", "damaged in transit")
    year = utcnow().year
    # Then each parcel's capture has its invoice, listing the units it shipped
    first, second = documents(client, DocumentKind.INVOICE, order["id"])
    assert (first["number"], second["number"]) == (f"INV-{year}-000001", f"INV-{year}-000002")
    assert lines(first) == [("Product A", "A", 1, "30.00")]
    assert first["totals"] == {"net": "30.00", "shipping": "5.00", "tax": "0.00", "total": "35.00"}
    assert lines(second) == [("Product A", "A", 1, "30.00"), ("Product B", "B", 1, "20.00")]
    assert second["totals"]["total"] == "50.00"
    # And the refund its credit memo, correcting the order's invoices
    [memo] = documents(client, DocumentKind.CREDIT_MEMO, order["id"])
    assert memo["number"] == f"CN-{year}-000001" and memo["reason"] == "damaged in transit"
    assert lines(memo) == [("Refund: damaged in transit", None, None, "40.00")]
    assert memo["refers_to"] == [first["number"], second["number"]] and memo["totals"]["total"] == "40.00"
    # And every document is its ledger entry's money, with the order's buyer and the configured seller
    for document in (first, second, memo):
        agrees_with_ledger(client, document)
        assert document["order_number"] == order["number"] and document["payment_method"] == "sandbox"
        assert document["buyer"] == {"name": "Jane Doe", "email": "jane@example.com", "billing_address": HAMBURG}
        assert document["seller"]["name"] == Settings().seller_name
    # And the timeline says so, and the audit log records each issue
    timeline = [e["message"] for e in client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]]
    assert f"Invoice INV-{year}-000001 issued for EUR 35.00." in timeline
    assert f"Credit memo CN-{year}-000001 issued for EUR 40.00." in timeline
    audit = client.get("/api/v1/audit", params={"action": "invoice.issue"}).json()["items"]
    assert sorted(e["after"]["number"] for e in audit) == [first["number"], second["number"]]


def test_a_refused_capture_issues_nothing_and_uses_no_number(client, stocked) -> None:
    declined = place(stocked, {"method": "sandbox", "token": "tok_capture_decline"})
    ship(stocked, declined)
    assert documents(client, DocumentKind.INVOICE) == []
    paid = place(stocked)
    ship(stocked, paid)
    assert [d["number"] for d in documents(client, DocumentKind.INVOICE)] == [f"INV-{utcnow().year}-000001"]


def test_a_shipment_paid_by_two_payments_gets_two_invoices_listing_each_unit_once(client, stocked) -> None:
    order = place(stocked, [{"method": "external", "reference": "gc_77", "amount": "25.00"}, CARD])
    ship(stocked, order)
    invoices = documents(client, DocumentKind.INVOICE, order["id"])
    assert sorted(d["totals"]["total"] for d in invoices) == ["25.00", "60.00"]
    units: dict[str, int] = {}
    for document in invoices:
        agrees_with_ledger(client, document)
        for line in document["lines"]:
            if line["sku"]:
                units[line["sku"]] = units.get(line["sku"], 0) + line["quantity"]
    assert units == {"A": 2, "B": 1}
    assert any(ln["description"].startswith("The rest of the price") for ln in invoices[1]["lines"])


def test_money_captured_before_shipping_is_invoiced_for_the_units_kept(client, stocked, container) -> None:
    order = stocked.order([("A", 1)])
    paid_and_captured(container, order["id"], 3000)  # a capture the storefront made at checkout
    flows.settle(container.uow, order["id"], [])  # booked, and invoiced, at the next settlement
    [invoice] = documents(client, DocumentKind.INVOICE, order["id"])
    assert lines(invoice) == [("Product A", "A", 1, "30.00")]
    agrees_with_ledger(client, invoice)


# -- numbering ----------------------------------------------------------------------------------------------------
def test_a_rolled_back_settlement_gives_its_number_back_and_a_retry_issues_nothing_twice(client, stocked,
                                                                                         container) -> None:
    order = stocked.order([("A", 1)])
    paid_and_captured(container, order["id"], 3000)
    # Given a settlement that issued an invoice and then failed (its transaction rolled back)
    with container.uow() as uow:
        locked = uow.orders.get(order["id"], lock=True)
        assert locked is not None
        bookkeeping.book(uow, locked, uow.payments.of_order(order["id"]))
        assert [d.number for d in uow.invoices.of_order(order["id"])] == [f"INV-{utcnow().year}-000001"]
    # When it is settled again, twice
    flows.settle(container.uow, order["id"], [])
    flows.settle(container.uow, order["id"], [])
    # Then the number was given back, and the capture has exactly one invoice
    assert [d["number"] for d in documents(client, DocumentKind.INVOICE)] == [f"INV-{utcnow().year}-000001"]
    with container.uow() as uow:
        assert uow.invoices.next_sequence(DocumentKind.INVOICE, utcnow().year) == 2  # not committed: given back
        assert uow.invoices.next_sequence(DocumentKind.CREDIT_MEMO, utcnow().year) == 1  # its own counter


def test_numbers_start_again_with_each_calendar_year_in_utc(client, stocked, container) -> None:
    moments = [datetime(2031, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),  # still 2030 in UTC
               datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2031, 1, 1, 0, 0, tzinfo=UTC)]
    for moment in moments:
        order = stocked.order([("B", 1)])
        with frozen_at(moment):
            paid_and_captured(container, order["id"], 2000)
            flows.settle(container.uow, order["id"], [])
    issued = documents(client, DocumentKind.INVOICE)
    assert [d["number"] for d in issued] == ["INV-2030-000001", "INV-2030-000002", "INV-2031-000001"]
    assert [d["issued_at"][:19] for d in issued] == ["2030-12-31T23:30:00", "2030-12-31T23:59:59",
                                                     "2031-01-01T00:00:00"]


@pytest.fixture
def postgres(postgres_server: PostgresServer | None) -> Iterator[Container]:
    """A fresh, migrated PostgreSQL database of its own, with room for 20 parallel units of work."""
    if postgres_server is None:
        unavailable("no PostgreSQL server for the parallel numbering test (set BATON_TEST_POSTGRES_URL)")
    assert postgres_server is not None
    url = postgres_server.create()
    try:
        upgrade(url)
        container = bootstrap(Settings(database_url=url, db_pool_size=25))
        yield container
        container.engine.dispose()
    finally:
        postgres_server.drop(url)


@pytest.mark.postgres
def test_twenty_parallel_captures_get_numbers_one_to_twenty_with_no_gap_and_no_duplicate(postgres) -> None:
    # Given 20 card-paid orders of 20 products, each accepted by the warehouse
    clients = 20
    with TestClient(create_app(postgres), base_url="https://testserver", raise_server_exceptions=False,
                    headers=bearer(token(postgres))) as client:
        shop = Shop(client)
        shop.location("WH-BER")
        pairs = []
        for i in range(clients):
            shop.product(f"P{i}", price="10.00")
            shop.stock("WH-BER", f"P{i}", 1)
            order = shop.order([(f"P{i}", 1)], payment=CARD)
            fo_id = order["fulfillment_orders"][0]["id"]
            shop.act(fo_id, "accept")
            pairs.append((order["id"], fo_id))
        barrier = threading.Barrier(clients)

        def ship_and_settle(pair: tuple[str, str]) -> None:
            order_id, fo_id = pair
            barrier.wait(timeout=60)
            fulfillment.ship(postgres.uow(), fo_id, carrier="DHL", tracking_number=None, service=None, lines=None,
                             actor="packer")
            flows.settle_pending(postgres.uow, postgres.gateway, order_id)

        # When they all ship at once, each from its own thread and connection
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(ship_and_settle, pairs))
        # Then each capture has one invoice, numbered 1 … 20 of this year, none missing, none twice
        issued = documents(client, DocumentKind.INVOICE)
    year = utcnow().year
    assert sorted(d["order_id"] for d in issued) == sorted(order_id for order_id, _fo in pairs)
    assert sorted(d["number"] for d in issued) == [f"INV-{year}-{n:06d}" for n in range(1, clients + 1)]
    assert {d["totals"]["total"] for d in issued} == {"10.00"}


# -- immutable ----------------------------------------------------------------------------------------------------
def test_the_database_refuses_to_change_or_delete_an_issued_document(client, stocked, container) -> None:
    order = place(stocked)
    ship(stocked, order)
    [before] = documents(client, DocumentKind.INVOICE)
    for statement in ("UPDATE invoices SET total = 0", "UPDATE invoices SET document = '{}'",
                      "DELETE FROM invoices"):
        with pytest.raises(DBAPIError, match="never changes"), container.engine.begin() as conn:
            conn.execute(text(statement))
    assert client.get(f"/api/v1/invoices/{before['id']}").json() == before
    # And a number is unique per kind in the database too, whatever a counter might say
    with container.engine.connect() as conn:
        capture = conn.execute(text("SELECT id FROM journal_entries WHERE kind = 'capture'")).scalar_one()
    with pytest.raises(DBAPIError, match=r"uq_invoices_kind|invoices\.kind, invoices\.number"), \
            container.engine.begin() as conn:
        conn.execute(text("INSERT INTO invoices (id, kind, number, order_id, entry_id, currency, total, issued_at, "
                          "document) SELECT 'inv_x', kind, number, order_id, :entry, currency, total, issued_at, "
                          "document FROM invoices"), {"entry": capture})


# -- reading ------------------------------------------------------------------------------------------------------
def test_a_document_downloads_as_json_or_as_a_pdf_rendered_the_same_every_time(client, stocked) -> None:
    order = place(stocked)
    ship(stocked, order)
    refund(client, order["id"], "12.50", "late delivery")
    [invoice] = documents(client, DocumentKind.INVOICE)
    [memo] = documents(client, DocumentKind.CREDIT_MEMO)
    for accept in ("", "*/*", "application/json"):
        response = client.get(f"/api/v1/invoices/{invoice['id']}", headers={"Accept": accept})
        assert response.headers["content-type"] == "application/json" and response.json() == invoice
    pdf = client.get(f"/api/v1/invoices/{invoice['id']}", headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'inline; filename="{invoice["number"]}.pdf"'
    text = text_of(pdf.content)
    for expected in (f"Invoice {invoice['number']}", order["number"], "Product A", "Product B", "EUR 60.00",
                     "EUR 20.00", "EUR 5.00", "EUR 85.00", "Jane Doe", "Hamburg"):
        assert expected in text, expected
    assert client.get(f"/api/v1/invoices/{invoice['id']}", headers={"Accept": "application/pdf"}).content == \
        pdf.content
    memo_pdf = client.get(f"/api/v1/credit-memos/{memo['id']}", headers={"Accept": "application/pdf"})
    assert all(s in text_of(memo_pdf.content) for s in (memo["number"], invoice["number"], "late delivery",
                                                        "EUR 12.50"))


def test_unknown_documents_and_bad_list_parameters_are_refused_naming_what(client, stocked) -> None:
    order = place(stocked)
    ship(stocked, order)
    refund(client, order["id"], "1.00", "goodwill")
    [invoice], [memo] = documents(client, DocumentKind.INVOICE), documents(client, DocumentKind.CREDIT_MEMO)
    for path, code in ((f"/api/v1/invoices/{memo['id']}", "invoice_not_found"),
                       (f"/api/v1/credit-memos/{invoice['id']}", "credit_memo_not_found"),
                       ("/api/v1/invoices/inv_nope", "invoice_not_found")):
        response = client.get(path, headers={"Accept": "application/pdf"})
        assert response.status_code == 404 and response.json()["code"] == code, path
    for params, field in (({"cursor": "nonsense"}, "cursor"), ({"limit": 0}, "limit"),
                          ({"order_id": "o" * 41}, "order_id")):
        response = client.get("/api/v1/invoices", params=params)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
    assert client.get("/api/v1/invoices", params={"order_id": "ord_nope"}).json() == {"items": [],
                                                                                      "next_cursor": None}


def test_admins_agents_and_finance_read_documents_and_nobody_else(anonymous, client, stocked, container) -> None:
    order = place(stocked)
    ship(stocked, order)
    [invoice] = documents(client, DocumentKind.INVOICE)
    for role, status in (("agent", 200), ("finance", 200), ("analyst", 403), ("integration", 403)):
        headers = bearer(token(container, role))
        assert anonymous.get(f"/api/v1/invoices/{invoice['id']}", headers=headers).status_code == status, role
        assert anonymous.get("/api/v1/credit-memos", headers=headers).status_code == status, role


def test_the_cli_shows_a_document_by_number_or_id_and_writes_its_pdf(client, stocked, container, monkeypatch,
                                                                     tmp_path) -> None:
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    order = place(stocked)
    ship(stocked, order)
    [invoice] = documents(client, DocumentKind.INVOICE)
    runner = CliRunner()
    target = tmp_path / "invoice.pdf"
    shown = runner.invoke(cli, ["invoices", "show", invoice["number"].lower(), "--pdf", str(target)])
    assert shown.exit_code == 0, shown.output
    assert f'"number": "{invoice["number"]}"' in shown.stdout and invoice["number"] in text_of(target.read_bytes())
    by_id = runner.invoke(cli, ["invoices", "show", invoice["id"]])
    assert by_id.exit_code == 0 and f'"id": "{invoice["id"]}"' in by_id.stdout
    missing = runner.invoke(cli, ["invoices", "show", "CN-2026-999999"])
    assert missing.exit_code == 2 and "Not found: No credit memo CN-2026-999999." in missing.output


def test_seller_settings_and_names_outside_latin_1_reach_the_document_and_its_pdf(client, stocked, container,
                                                                                  monkeypatch) -> None:
    seller = Settings.from_env({"BATON_SELLER_NAME": "Łukasik Handel sp. z o.o.",
                                "BATON_SELLER_ADDRESS": "Rynek Główny 1, 31-042 Kraków, Poland",
                                "BATON_SELLER_TAX_ID": "PL1234567890"})
    monkeypatch.setattr(container, "settings", replace(container.settings, seller_name=seller.seller_name,
                                                       seller_address=seller.seller_address,
                                                       seller_tax_id=seller.seller_tax_id))
    order = place(stocked, customer={"email": "taro@example.jp", "name": "山田 太郎"},
                  billing_address={**HAMBURG, "name": "Zoë Müller"})
    ship(stocked, order)
    [invoice] = documents(client, DocumentKind.INVOICE)
    assert invoice["seller"] == {"name": "Łukasik Handel sp. z o.o.", "address": "Rynek Główny 1, 31-042 Kraków, "
                                 "Poland", "tax_id": "PL1234567890"}
    assert invoice["buyer"]["name"] == "山田 太郎" and invoice["buyer"]["billing_address"]["name"] == "Zoë Müller"
    pdf = client.get(f"/api/v1/invoices/{invoice['id']}", headers={"Accept": "application/pdf"})
    text = text_of(pdf.content)
    for expected in ("Lukasik Handel", "Rynek Glówny 1, 31-042 Kraków", "PL1234567890", "?? ??", "Zoë Müller"):
        assert expected in text, expected


# -- privacy ------------------------------------------------------------------------------------------------------
def test_the_export_holds_the_documents_and_an_erasure_keeps_them_as_issued(client, stocked) -> None:
    order = place(stocked)
    ship(stocked, order)
    refund(client, order["id"], "5.00", "late")
    customer_id = order["customer"]["id"]
    [exported] = client.get(f"/api/v1/customers/{customer_id}/export").json()["orders"]
    [invoice], [memo] = exported["invoices"], exported["credit_memos"]
    assert invoice["buyer"]["name"] == "Jane Doe" and memo["totals"]["total"] == "5.00"
    assert client.post(f"/api/v1/customers/{customer_id}/erase", json={"reason": "PR-1"}).status_code == 200
    assert client.get(f"/api/v1/invoices/{invoice['id']}").json()["buyer"]["name"] == "Jane Doe"
    [after] = client.get(f"/api/v1/customers/{customer_id}/export").json()["orders"]
    assert after["invoices"] == exported["invoices"] and after["customer"]["name"] is None
    erased = [e for e in client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]
              if e["kind"] == "customer_erased"]
    assert "GDPR art. 17(3)(b)" in erased[-1]["message"]
