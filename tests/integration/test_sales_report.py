"""The sales report: gross sales, refunds, tax and net per currency and UTC day, from the money ledger, converted
to the base currency with the rate valid on each day, rounded half up once per day; a missing rate is a 422 that
says how to add it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baton.bootstrap import Container
from baton.entrypoints.cli.main import app as cli
from baton.finance import postings
from baton.finance.journal import BookedEntry, EntryKind
from baton.finance.postings import Amounts, Context
from baton.shared.clock import utcnow
from baton.tax.exchange import ExchangeRate, MissingExchangeRate, RateHistory
from tests.conftest import Shop, bearer, token

DAY_1, DAY_2 = date(2026, 11, 20), date(2026, 11, 21)
SALES = "/api/v1/reports/sales"


def at(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=UTC)


def book(container: Container, kind: str, currency: str, when: datetime, amounts: Amounts) -> None:
    """An invoice (with its capture), a credit memo (with the refund) or an appeasement, as the payment flows
    book them."""
    context = Context(currency, None, when, f"test {kind}")
    made = {"invoice": lambda: [(postings.invoice(amounts, context), EntryKind.INVOICE),
                                (postings.capture(amounts.gross, context), EntryKind.CAPTURE)],
            "credit_memo": lambda: [(postings.credit_memo(amounts, context), EntryKind.CREDIT_MEMO),
                                    (postings.refund(amounts.gross, context), EntryKind.REFUND)],
            "appeasement": lambda: [(postings.appeasement(amounts, context), EntryKind.CREDIT_MEMO)]}[kind]()
    with container.uow() as uow:
        for entry, entry_kind in made:
            assert uow.journal.add(BookedEntry(entry, entry_kind, None))
        uow.commit()


def exchange_rate(client: TestClient, currency: str, rate: str, valid_on: date) -> None:
    response = client.post("/api/v1/settings/exchange-rates",
                           json={"currency": currency, "rate": rate, "valid_on": valid_on.isoformat()})
    assert response.status_code == 201, response.text


def report(client: TestClient, start: date, end: date, **params: str) -> dict:
    response = client.get(SALES, params={"from": start.isoformat(), "to": end.isoformat(), **params})
    assert response.status_code == 200, response.text
    return response.json()


def amounts(figures: dict) -> tuple[str, ...]:
    return tuple(figures[name]["amount"] for name in ("gross_sales", "refunds", "tax", "net"))


@pytest.fixture
def two_currencies(client: TestClient, container: Container) -> None:
    """Two days of euro and dollar sales; USD was worth 0.90 EUR from Nov 1 and 0.80 EUR from Nov 21."""
    exchange_rate(client, "USD", "0.9", date(2026, 11, 1))
    exchange_rate(client, "USD", "0.8", DAY_2)
    book(container, "invoice", "EUR", at(DAY_1), Amounts(net=10_000, tax=1_900))  # 119.00
    book(container, "invoice", "USD", at(DAY_1, 9), Amounts(net=5_000, shipping=500, tax=550))  # 60.50
    book(container, "credit_memo", "USD", at(DAY_2, 8), Amounts(net=1_000, tax=100))  # 11.00 back
    book(container, "invoice", "EUR", at(DAY_2, 23, 59, 59), Amounts(net=1_000, tax=190))  # 11.90
    book(container, "appeasement", "EUR", at(DAY_2), Amounts(net=500))  # 5.00 goodwill
    # Outside the two days, on both sides of the boundary
    book(container, "invoice", "EUR", at(date(2026, 11, 19), 23, 59, 59), Amounts(net=99_900))
    book(container, "invoice", "USD", at(date(2026, 11, 22), 0), Amounts(net=99_900))


def test_two_currencies_over_two_days_are_reported_and_converted_with_each_days_rate(
        client: TestClient, two_currencies: None) -> None:
    body = report(client, DAY_1, DAY_2)
    assert (body["from"], body["to"], body["base_currency"]) == ("2026-11-20", "2026-11-21", "EUR")
    # Each currency in its own money: gross with tax, refunds with tax, tax owed, net without tax
    currencies = {c["currency"]: c for c in body["currencies"]}
    assert amounts(currencies["EUR"]["figures"]) == ("130.90", "5.00", "20.90", "105.00")
    assert amounts(currencies["USD"]["figures"]) == ("60.50", "11.00", "4.50", "45.00")
    # Each day converted with the rate valid on it: Nov 20 at 0.9 (from Nov 1), Nov 21 at 0.8
    days = {(d["day"], d["currency"]): d for d in body["days"]}
    assert sorted(days) == [("2026-11-20", "EUR"), ("2026-11-20", "USD"), ("2026-11-21", "EUR"),
                            ("2026-11-21", "USD")]
    assert (days["2026-11-20", "USD"]["rate"], days["2026-11-21", "USD"]["rate"]) == ("0.9", "0.8")
    assert amounts(days["2026-11-20", "USD"]["in_base"]) == ("54.45", "0.00", "4.95", "49.50")
    assert amounts(days["2026-11-21", "USD"]["in_base"]) == ("0.00", "8.80", "-0.80", "-8.00")
    assert days["2026-11-21", "EUR"]["rate"] == "1"
    # The euro sums of a currency are its converted days; the total is every currency in euros
    assert amounts(currencies["USD"]["in_base"]) == ("54.45", "8.80", "4.15", "41.50")
    assert amounts(currencies["EUR"]["in_base"]) == amounts(currencies["EUR"]["figures"])
    assert amounts(body["total"]) == ("185.35", "13.80", "25.05", "146.50")
    assert {m["currency"] for m in body["total"].values()} == {"EUR"}


def test_amounts_are_formatted_in_the_requested_locale(client: TestClient, two_currencies: None) -> None:
    body = report(client, DAY_1, DAY_2, locale="de_DE")
    assert body["total"]["gross_sales"]["formatted"] == "185,35\xa0€"
    usd = next(c for c in body["currencies"] if c["currency"] == "USD")
    assert usd["figures"]["gross_sales"]["formatted"] == "60,50\xa0$"
    assert report(client, DAY_1, DAY_2)["total"]["net"]["formatted"] == "€146.50"  # en_US by default


def test_a_day_without_a_rate_is_refused_naming_the_currency_the_day_and_the_fix(
        client: TestClient, container: Container) -> None:
    exchange_rate(client, "USD", "0.9", DAY_2)
    book(container, "invoice", "USD", at(DAY_1), Amounts(net=1_000))
    book(container, "invoice", "JPY", at(DAY_2), Amounts(net=1_000))
    response = client.get(SALES, params={"from": DAY_1.isoformat(), "to": DAY_2.isoformat()})
    assert response.status_code == 422 and response.json()["code"] == "exchange_rate_missing"
    detail = response.json()["detail"]
    assert "USD" in detail and "2026-11-20" in detail and "POST /api/v1/settings/exchange-rates" in detail
    assert "baton exchange-rates add USD" in detail
    # With the day's rate added, the next currency missing one is named
    exchange_rate(client, "USD", "0.95", DAY_1)
    response = client.get(SALES, params={"from": DAY_1.isoformat(), "to": DAY_2.isoformat()})
    assert response.status_code == 422 and "JPY" in response.json()["detail"]
    assert "2026-11-21" in response.json()["detail"]
    # A period without those days needs no rate
    assert report(client, DAY_1, DAY_1)["currencies"][0]["currency"] == "USD"


def test_conversion_rounds_each_days_sum_once_not_each_entry(client: TestClient, container: Container) -> None:
    # Given two sales of 0.05 USD on one day, at 0.9 EUR: each alone would round 0.045 up to 0.05
    exchange_rate(client, "USD", "0.9", DAY_1)
    for hour in (9, 10):
        book(container, "invoice", "USD", at(DAY_1, hour), Amounts(net=5))
    # Then the day's 0.10 USD is converted once: 0.09 EUR, not 0.10
    [usd] = report(client, DAY_1, DAY_1)["currencies"]
    assert usd["in_base"]["gross_sales"]["amount"] == "0.09"


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-11-21", "to": "2026-11-20"}, "to"),
    ({"from": "2026-11-20"}, "to"),
    ({"from": "2026-11-31", "to": "2026-12-01"}, "from"),
    ({"from": "2000-01-01", "to": "2026-11-20"}, "to"),
    ({"from": "2026-11-20", "to": "2026-11-20", "locale": "xx_YY"}, "locale"),
    ({"from": "2026-11-20", "to": "2026-11-20", "locale": "../etc"}, "locale"),
])
def test_bad_report_parameters_are_refused_naming_the_field(client: TestClient, params: dict, field: str) -> None:
    response = client.get(SALES, params=params)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_finance_reads_the_report_and_an_analyst_does_not(anonymous: TestClient, container: Container) -> None:
    params = {"from": "2026-11-20", "to": "2026-11-20"}
    assert anonymous.get(SALES, params=params, headers=bearer(token(container, "finance"))).status_code == 200
    assert anonymous.get(SALES, params=params, headers=bearer(token(container, "analyst"))).status_code == 403


def test_a_real_order_shipped_and_partly_refunded_shows_in_todays_report(shop: Shop, client: TestClient) -> None:
    # Given an order of 85.00 paid by card, shipped (invoiced and captured), and 40.00 refunded
    shop.product("A", price="40.00")
    shop.stock("WH-BER", "A", 5)
    order = shop.order([("A", 2)], payment={"method": "sandbox", "token": "tok_approve"}, shipping="5.00")
    fo = shop.get_order(order["id"])["fulfillment_orders"][0]
    shop.act(fo["id"], "accept")
    shop.act(fo["id"], "ship", {"carrier": "DHL"})
    refunded = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"amount": "40.00", "reason": "damaged"})
    assert refunded.status_code == 201, refunded.text
    # Then today's report shows what was invoiced and given back, with the tax the ledger booked
    today = utcnow().date()
    [eur] = report(client, today, today)["currencies"]
    gross, refunds, tax, net = (Decimal(a) for a in amounts(eur["figures"]))
    assert (gross, refunds) == (Decimal(order["totals"]["total"]), Decimal("40.00"))
    assert net == gross - refunds - tax and gross == Decimal("85.00")


def test_the_cli_prints_the_report_in_the_base_currency(client: TestClient, container: Container,
                                                        two_currencies: None, monkeypatch: Any) -> None:
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    env = {"COLUMNS": "200"}
    result = CliRunner().invoke(cli, ["reports", "sales", "--from", "2026-11-20", "--to", "2026-11-21", "--locale",
                                      "de_DE"], env=env)
    assert result.exit_code == 0, result.output
    total = next(line for line in result.stdout.splitlines() if "total in EUR" in line)
    assert all(f"{amount}\xa0€" in total for amount in ("185,35", "13,80", "25,05", "146,50"))
    usd = next(line for line in result.stdout.splitlines() if line.strip("│ ").startswith("USD"))
    assert "60,50\xa0$" in usd and "41,50\xa0€" in usd
    book(container, "invoice", "JPY", at(DAY_1), Amounts(net=1_000))
    missing = CliRunner().invoke(cli, ["reports", "sales", "--from", "2026-11-20", "--to", "2026-11-21"], env=env)
    assert missing.exit_code == 2 and "no JPY to EUR exchange rate valid on 2026-11-20" in missing.output
    refused = CliRunner().invoke(cli, ["reports", "sales", "--from", "2026-11-21", "--to", "2026-11-20"], env=env)
    assert refused.exit_code == 2 and "before the first day" in refused.output


# -- conversion, exactly ----------------------------------------------------------------------------------------
def history(base: str, *rates: tuple[str, str, date]) -> RateHistory:
    return RateHistory(base, [ExchangeRate(f"fx_{i}", currency, base, Decimal(rate), day, utcnow())
                              for i, (currency, rate, day) in enumerate(rates)])


def test_conversion_is_exact_and_rounds_half_up_to_the_base_currencys_minor_unit() -> None:
    eur = history("EUR", ("USD", "0.9", DAY_1), ("JPY", "0.0061", DAY_1), ("USD", "1.08345", DAY_2))
    assert eur.convert(5, "USD", DAY_1) == 5  # 0.045 EUR rounds up to 0.05
    assert eur.convert(-5, "USD", DAY_1) == -5  # a refund mirrors the sale
    assert eur.convert(4, "USD", DAY_1) == 4  # 0.036 -> 0.04
    assert eur.convert(1_000, "JPY", DAY_2) == 610  # 1000 JPY (no decimals) = 6.10 EUR
    assert eur.convert(10_000, "USD", DAY_2) == 10_835  # 100.00 USD × 1.08345 = 108.345 -> 108.35
    assert eur.convert(10_000, "EUR", DAY_1) == 10_000
    kwd = history("KWD", ("USD", "0.3075", DAY_1))
    assert kwd.convert(100, "USD", DAY_1) == 308  # 1.00 USD = 0.3075 KWD -> 0.308 (three decimals)
    with pytest.raises(MissingExchangeRate, match="no USD to EUR exchange rate valid on 2026-11-19"):
        eur.convert(1, "USD", date(2026, 11, 19))
