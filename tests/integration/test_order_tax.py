"""Tax on orders: computed at placement per line and on shipping from the configured rates of the destination,
tax-inclusive or tax-exclusive by channel; the lines add up exactly to the totals; each shipment captures its tax;
the money ledger's tax payable equals the orders' tax, and a full refund gives all of it back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baton.shared.money import to_minor
from tests.conftest import Shop

CALIFORNIA = {"name": "Sam Lee", "line1": "1 Market St", "city": "San Francisco", "region": "CA",
              "postal_code": "94105", "country": "US"}
PARIS = {"name": "Léa Martin", "line1": "1 Rue de Rivoli", "city": "Paris", "postal_code": "75001", "country": "FR"}


def rate(client: TestClient, country: str, tax_class: str, value: str, region: str | None = None) -> None:
    body = {"country": country, "tax_class": tax_class, "rate": value, "valid_from": "2020-01-01"}
    if region:
        body["region"] = region
    response = client.post("/api/v1/settings/tax-rates", json=body)
    assert response.status_code == 201, response.text


def prices_include(client: TestClient, channel: str, mode: str) -> None:
    response = client.put(f"/api/v1/settings/channels/{channel}", json={"prices_include": mode})
    assert response.status_code == 200, response.text


@pytest.fixture
def taxed(shop: Shop) -> Shop:
    """Germany (19 %, books 7 %, shipping 19 %) with tax-inclusive web prices; California 7.25 % on top, with a
    state-wide 6 % rate for the US that California's own rate overrides."""
    client = shop.client
    for country, tax_class, value, region in [("DE", "standard", "0.19", None), ("DE", "reduced", "0.07", None),
                                              ("DE", "shipping", "0.19", None), ("US", "standard", "0.06", None),
                                              ("US", "standard", "0.0725", "CA"), ("US", "shipping", "0", None)]:
        rate(client, country, tax_class, value, region)
    prices_include(client, "web", "tax_inclusive")
    shop.product("SHIRT", price="29.99", tax_class="standard")
    shop.product("BOOK", price="12.00", tax_class="reduced")
    shop.product("USB", price="19.99", currency="USD", tax_class="standard")
    for sku in ("SHIRT", "BOOK", "USB"):
        shop.stock("WH-BER", sku, 50)
    return shop


def cents(order: dict, field: str) -> int:
    return to_minor(order["totals"][field], order["currency"])


def adds_up(order: dict) -> None:
    """Lines + shipping (+ its tax when on top) are exactly the total; line taxes + shipping tax the tax."""
    currency = order["currency"]
    lines = sum(to_minor(line["total"], currency) for line in order["lines"])
    line_tax = sum(to_minor(line["tax"], currency) for line in order["lines"])
    on_top = order["totals"]["prices_include"] == "tax_exclusive"
    shipping = cents(order, "shipping") + (cents(order, "shipping_tax") if on_top else 0)
    assert lines + shipping == cents(order, "total")
    assert line_tax + cents(order, "shipping_tax") == cents(order, "tax")
    assert cents(order, "total") == (cents(order, "subtotal") - cents(order, "discount") + cents(order, "shipping")
                                     + (cents(order, "tax") if on_top else 0))


def test_tax_inclusive_prices_contain_the_tax_per_line_and_on_shipping(taxed: Shop) -> None:
    order = taxed.order([("SHIRT", 2), ("BOOK", 1)], shipping="4.90")

    # 2 × 29.99 at 19 % contains 9.58; 12.00 at 7 % contains 0.79; 4.90 shipping at 19 % contains 0.78
    shirt, book = order["lines"]
    assert (shirt["tax_rate"], shirt["tax"], shirt["total"]) == ("0.19", "9.58", "59.98")
    assert (book["tax_rate"], book["tax"], book["tax_class"]) == ("0.07", "0.79", "reduced")
    assert order["totals"] == {"subtotal": "71.98", "discount": "0.00", "shipping": "4.90", "shipping_tax": "0.78",
                               "tax": "11.15", "total": "76.88", "currency": "EUR",
                               "prices_include": "tax_inclusive"}
    adds_up(order)
    placed = timeline(taxed.client, order["id"])[0]
    assert "total EUR 76.88 (including tax of EUR 11.15)" in placed


def test_tax_exclusive_prices_get_the_regions_rate_on_top(taxed: Shop) -> None:
    order = taxed.order([("USB", 3)], currency="USD", shipping="5.00", shipping_address=CALIFORNIA, channel="phone",
                        discounts=[{"code": "WELCOME", "amount": "4.97"}])

    # (59.97 − 4.97) × 7.25 % = 3.9875 → 3.99 (California's rate, not the US-wide 6 %); shipping untaxed
    [line] = order["lines"]
    assert (line["tax_rate"], line["tax"], line["total"]) == ("0.0725", "3.99", "58.99")
    assert (order["totals"]["tax"], order["totals"]["total"]) == ("3.99", "63.99")
    assert order["totals"]["prices_include"] == "tax_exclusive"
    adds_up(order)
    assert "plus tax of USD 3.99" in timeline(taxed.client, order["id"])[0]


def test_a_country_without_rates_is_one_where_the_shop_collects_no_tax(taxed: Shop) -> None:
    order = taxed.order([("SHIRT", 1)], shipping_address=PARIS)

    assert (order["totals"]["tax"], order["totals"]["total"]) == ("0.00", "29.99")
    assert "no tax charged: no tax rates are configured for FR" in timeline(taxed.client, order["id"])[0]


def test_a_missing_rate_of_a_taxed_country_refuses_the_order_and_changes_nothing(taxed: Shop) -> None:
    taxed.product("FOOD", price="3.00", tax_class="food")
    taxed.stock("WH-BER", "FOOD", 5)
    body = taxed.order_body([("SHIRT", 1), ("FOOD", 2)])

    response = taxed.client.post("/api/v1/orders", json=body)

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "tax_rate_missing"
    assert problem["errors"][0]["field"] == "lines[1].tax_class"
    assert "no 'food' tax rate for DE" in problem["errors"][0]["message"]
    assert taxed.level("WH-BER", "FOOD")["reserved"] == 0
    assert taxed.client.get("/api/v1/orders").json()["items"] == []


@pytest.mark.parametrize(("currency", "prices", "discount", "shipping", "mode"), [
    ("USD", ["10.00", "10.00", "10.00"], "10.00", "4.99", "tax_exclusive"),
    ("EUR", ["0.99", "3.33", "7.77"], "1.01", "2.50", "tax_inclusive"),
    ("JPY", ["999", "1001", "333"], "100", "500", "tax_exclusive"),
    ("KWD", ["1.005", "2.333", "0.777"], "0.101", "1.250", "tax_inclusive"),
])
def test_discounts_spread_over_three_lines_add_up_exactly_in_every_currency(
        taxed: Shop, currency: str, prices: list[str], discount: str, shipping: str, mode: str) -> None:
    prices_include(taxed.client, "app", mode)
    for i, price in enumerate(prices):
        taxed.product(f"{currency}{i}", price=price, currency=currency)
        taxed.stock("WH-BER", f"{currency}{i}", 10)

    order = taxed.order([(f"{currency}{i}", i + 1) for i in range(3)], currency=currency, channel="app",
                        shipping=shipping, discounts=[{"code": "SALE", "amount": discount}])

    adds_up(order)
    assert sum(to_minor(line["discount"], currency) for line in order["lines"]) == to_minor(discount, currency)
    assert all(Decimal(line["tax"]).as_tuple().exponent == Decimal(order["totals"]["tax"]).as_tuple().exponent
               for line in order["lines"])  # the currency's own exponent: JPY 0, KWD 3
    assert cents(order, "tax") > 0


def test_each_shipment_captures_its_tax_and_the_ledger_owes_exactly_the_orders_tax(taxed: Shop) -> None:
    client = taxed.client
    order = taxed.order([("USB", 3)], currency="USD", shipping="5.00", shipping_address=CALIFORNIA, channel="phone",
                        payment={"method": "sandbox", "token": "tok_approve"})
    line = order["lines"][0]["id"]
    fo = order["fulfillment_orders"][0]["id"]
    taxed.act(fo, "accept")

    # 59.97 + 7.25 % (4.35) + 5.00 = 69.32, shipped in three parcels: each captures its unit with its share of the
    # tax (rounded down for the first two), the first also the shipping
    for _ in range(3):
        taxed.act(fo, "ship", {"carrier": "UPS", "lines": [{"line_id": line, "quantity": 1}]})

    [payment] = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert payment["captured"] == order["totals"]["total"] == "69.32"
    balances = trial_balance(client, order["id"])
    assert balances["tax_payable"] == "-" + order["totals"]["tax"]
    assert balances["revenue"] == "-59.97" and balances["shipping_revenue"] == "-5.00"

    refund = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"amount": "69.32", "reason": "recall"})
    assert refund.status_code == 201, refund.text
    assert "tax_payable" not in trial_balance(client, order["id"])  # every cent of tax credited back


def test_a_cancelled_line_takes_its_tax_with_it(taxed: Shop) -> None:
    order = taxed.order([("SHIRT", 2), ("BOOK", 1)])
    book = order["lines"][1]["id"]

    response = taxed.client.post(f"/api/v1/orders/{order['id']}/cancel",
                                 json={"lines": [{"line_id": book, "quantity": 1}], "reason": "customer asked"})

    assert response.status_code == 200, response.text
    after = response.json()
    assert (after["totals"]["tax"], after["totals"]["total"]) == ("9.58", "59.98")
    adds_up(after)


def timeline(client: TestClient, order_id: str) -> list[str]:
    response = client.get(f"/api/v1/orders/{order_id}/timeline")
    assert response.status_code == 200, response.text
    return [entry["message"] for entry in response.json()["items"]]


def trial_balance(client: TestClient, order_id: str) -> dict[str, Any]:
    response = client.get("/api/v1/ledger/trial-balance", params={"order_id": order_id})
    assert response.status_code == 200, response.text
    [found] = response.json()["items"]
    return {row["account"]: row["balance"] for row in found["accounts"] if row["balance"].strip("-0.") != ""}


def test_each_invoice_carries_the_tax_of_the_units_its_shipment_took(taxed: Shop) -> None:
    # Shirts at 19 % and a book at 7 %, shipped in two parcels: each invoice's tax is its own lines' tax
    client = taxed.client
    order = taxed.order([("SHIRT", 2), ("BOOK", 1)], shipping="4.90",
                        payment={"method": "sandbox", "token": "tok_approve"})
    shirt, book = (line["id"] for line in order["lines"])
    fo = order["fulfillment_orders"][0]["id"]
    taxed.act(fo, "accept")
    taxed.act(fo, "ship", {"carrier": "DHL", "lines": [{"line_id": shirt, "quantity": 2}]})
    taxed.act(fo, "ship", {"carrier": "DHL", "lines": [{"line_id": book, "quantity": 1}]})

    entries = client.get("/api/v1/ledger", params={"order_id": order["id"]}).json()["items"]
    invoices = [{p["account"]: p["credit"] for p in e["postings"]} for e in entries if e["kind"] == "invoice"]
    # 59.98 contains 9.58 and the 4.90 shipping 0.78: 10.36; the 12.00 book contains 0.79
    assert [i.get("tax_payable") for i in invoices] == ["10.36", "0.79"]
    assert [i.get("shipping_revenue") for i in invoices] == ["4.12", None]
    assert [i["revenue"] for i in invoices] == ["50.40", "11.21"]
