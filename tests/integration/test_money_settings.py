"""The money settings over the API, the CLI and the repository order placement reads: tax rates as exact,
versioned history; each channel's tax mode; exchange rates to the base currency. Every change is audited, and
every bad input is a 4xx naming the field that writes nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from baton.bootstrap import Container
from baton.entrypoints.cli.main import app as cli
from baton.shared.clock import frozen_at, utcnow
from baton.shared.errors import InvalidInput
from baton.tax.model import PricesInclude
from baton.tax.rates import TaxRate
from baton.tax.settings import TaxRateVersion
from tests.conftest import bearer, token

TAX_RATES = "/api/v1/settings/tax-rates"
EXCHANGE_RATES = "/api/v1/settings/exchange-rates"


def add_rate(client: TestClient, country: str, tax_class: str, rate: str, valid_from: date | str,
             region: str | None = None, status: int = 201) -> dict:
    body: dict[str, Any] = {"country": country, "tax_class": tax_class, "rate": rate, "valid_from": str(valid_from)}
    if region is not None:
        body["region"] = region
    response = client.post(TAX_RATES, json=body)
    assert response.status_code == status, response.text
    return response.json()


def listed(client: TestClient, path: str, **params: Any) -> list[dict]:
    """Every item of a settings list, walking its cursor one item at a time."""
    items: list[dict] = []
    cursor = None
    while True:
        response = client.get(path, params={**params, "limit": 1, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


def audit(client: TestClient, target_type: str) -> list[dict]:
    return client.get("/api/v1/audit", params={"target_type": target_type}).json()["items"]


def raw_rates(container: Container, table: str) -> list[str]:
    """The rate column as the database holds it, without our type in between."""
    with container.engine.connect() as conn:
        return sorted(conn.execute(text(f"SELECT rate FROM {table}")).scalars())


# -- tax rates over the API --------------------------------------------------------------------------------------
def test_tax_rates_are_added_and_listed_exactly_as_written_with_an_audit_entry(client: TestClient) -> None:
    # Given a German rate and a Californian one with four decimals
    de = add_rate(client, "DE", "standard", "0.19", "2021-01-01")
    ca = add_rate(client, "US", "standard", "0.0725", "2020-01-01", region="CA")
    assert (de["rate"], de["region"], de["in_force"]) == ("0.19", None, True)
    assert (ca["country"], ca["region"], ca["rate"]) == ("US", "CA", "0.0725")
    # When finance lists them, all and filtered
    everything = listed(client, TAX_RATES)
    only_us = client.get(TAX_RATES, params={"country": "US", "tax_class": "standard"}).json()["items"]
    # Then each reads back as written, and each addition is audited
    assert [(r["country"], r["region"], r["rate"], r["valid_from"]) for r in everything] == [
        ("DE", None, "0.19", "2021-01-01"), ("US", "CA", "0.0725", "2020-01-01")]
    assert [r["id"] for r in only_us] == [ca["id"]]
    entries = audit(client, "tax_rate")
    assert sorted((e["action"], e["target_id"]) for e in entries) == sorted(
        [("tax_rate.create", de["id"]), ("tax_rate.create", ca["id"])])
    assert next(e for e in entries if e["target_id"] == ca["id"])["after"]["rate"] == "0.0725"


def test_rates_round_trip_exactly_through_the_database(client: TestClient, container: Container) -> None:
    # Given rates that a float would not keep exactly
    add_rate(client, "US", "standard", "0.0725", "2020-01-01", region="CA")
    add_rate(client, "DE", "standard", "0.19", "2020-01-01")
    assert client.post(EXCHANGE_RATES, json={"currency": "USD", "rate": "1.08345", "valid_on": "2026-11-20"}
                       ).status_code == 201
    # Then the database holds their exact text and the repositories hand back the exact Decimals
    assert raw_rates(container, "tax_rates") == ["0.0725", "0.19"]
    assert raw_rates(container, "exchange_rates") == ["1.08345"]
    with container.reader() as uow:
        ca = uow.tax_settings.table("US").rate_for("US", "CA", "standard", date(2026, 1, 1))
        [usd] = uow.exchange_rates.all("EUR")
    assert ca.rate == Decimal("0.0725") and str(ca.rate) == "0.0725"
    assert usd.rate == Decimal("1.08345") and str(usd.rate) == "1.08345"


def test_a_second_version_on_the_same_day_is_a_conflict_and_a_later_one_a_new_version(client: TestClient) -> None:
    first = add_rate(client, "DE", "standard", "0.16", "2020-07-01")
    twin = add_rate(client, "DE", "standard", "0.19", "2020-07-01", status=409)
    assert twin["code"] == "tax_rate_exists" and "valid_from" in twin["detail"]
    # A whole-country rate is unique too (its region is no NULL that would let a twin in)
    assert add_rate(client, "DE", "standard", "0.16", "2020-07-01", region="", status=409)["code"] == "tax_rate_exists"
    later = add_rate(client, "DE", "standard", "0.19", "2021-01-01")
    assert [r["id"] for r in listed(client, TAX_RATES)] == [first["id"], later["id"]]


def test_a_rate_not_yet_in_force_may_be_deleted_and_one_in_force_is_history(client: TestClient) -> None:
    # Given a rate in force since 2020 and one scheduled for next month
    today = utcnow().date()
    history = add_rate(client, "DE", "standard", "0.19", "2020-01-01")
    scheduled = add_rate(client, "DE", "standard", "0.21", today + timedelta(days=30))
    assert (history["in_force"], scheduled["in_force"]) == (True, False)
    # When an admin tries to delete the one in force, then it is refused with the fix, and nothing changes
    refused = client.delete(f"{TAX_RATES}/{history['id']}")
    assert refused.status_code == 409 and refused.json()["code"] == "tax_rate_in_force"
    assert "add a new version" in refused.json()["detail"]
    # Once the scheduled one starts, it is history too
    with frozen_at(datetime.combine(today + timedelta(days=30), time(0, 0, 1), tzinfo=UTC)):
        assert client.delete(f"{TAX_RATES}/{scheduled['id']}").status_code == 409
    # Before that, it can be deleted, once
    assert client.delete(f"{TAX_RATES}/{scheduled['id']}").status_code == 204
    assert client.delete(f"{TAX_RATES}/{scheduled['id']}").status_code == 404
    assert [r["id"] for r in listed(client, TAX_RATES)] == [history["id"]]
    deleted = [e for e in audit(client, "tax_rate") if e["action"] == "tax_rate.delete"]
    assert [(e["target_id"], e["before"]["rate"]) for e in deleted] == [(scheduled["id"], "0.21")]


@pytest.mark.parametrize(("body", "field"), [
    ({"country": "XX"}, "country"),
    ({"country": "Germany"}, "country"),
    ({"region": "BAVARIA"}, "region"),
    ({"tax_class": " "}, "tax_class"),
    ({"rate": "-0.01"}, "rate"),
    ({"rate": "1.01"}, "rate"),
    ({"rate": "19%"}, "rate"),
    ({"rate": "NaN"}, "rate"),
    ({"rate": "0.12345678901"}, "rate"),
    ({"rate": 0.19}, "rate"),
    ({"valid_from": "2026-02-30"}, "valid_from"),
    ({"surprise": 1}, "surprise"),
])
def test_a_bad_tax_rate_is_refused_naming_the_field_and_writes_nothing(client: TestClient, body: dict,
                                                                        field: str) -> None:
    good = {"country": "DE", "tax_class": "standard", "rate": "0.19", "valid_from": "2026-01-01"}
    response = client.post(TAX_RATES, json={**good, **body})
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert client.get(TAX_RATES).json()["items"] == [] and audit(client, "tax_rate") == []


@pytest.mark.parametrize("params", [{"country": "XX"}, {"cursor": "nonsense"}, {"limit": 0}])
def test_bad_list_filters_are_refused(client: TestClient, params: dict) -> None:
    response = client.get(TAX_RATES, params=params)
    assert response.status_code == 422 and list(params) == [e["field"] for e in response.json()["errors"]]


# -- the repository order placement reads ------------------------------------------------------------------------
def version(country: str, region: str | None, tax_class: str, rate: str, valid_from: date) -> TaxRateVersion:
    return TaxRateVersion(f"txr_{country}{region}{tax_class}{valid_from:%Y%m%d}",
                          TaxRate(country, region, tax_class, Decimal(rate), valid_from), utcnow())


def test_the_tax_table_of_a_country_picks_the_region_and_the_version_in_force(container: Container) -> None:
    # Given versions in Germany, a US-wide rate with California's own, and a French rate
    with container.uow() as uow:
        for v in [version("DE", None, "standard", "0.19", date(2007, 1, 1)),
                  version("DE", None, "standard", "0.16", date(2020, 7, 1)),
                  version("DE", None, "standard", "0.19", date(2021, 1, 1)),
                  version("US", None, "standard", "0.06", date(2020, 1, 1)),
                  version("US", "CA", "standard", "0.0725", date(2020, 1, 1)),
                  version("FR", None, "standard", "0.20", date(2014, 1, 1))]:
            assert uow.tax_settings.add(v)
        uow.commit()
    # When placement reads the tables of Germany and the US
    with container.reader() as uow:
        de, us, nowhere = uow.tax_settings.table("DE"), uow.tax_settings.table("us"), uow.tax_settings.table("JP")
        collects = [uow.tax_settings.collects_in(c) for c in ("DE", "US", "FR", "JP")]
    # Then each day gets its version, each region its own rate or the country's
    assert de.rate_for("DE", None, "standard", date(2020, 6, 30)).rate == Decimal("0.19")
    assert de.rate_for("DE", "BY", "standard", date(2020, 12, 31)).rate == Decimal("0.16")
    assert de.rate_for("DE", None, "standard", date(2021, 1, 1)).rate == Decimal("0.19")
    assert us.rate_for("US", "CA", "standard", date(2026, 1, 1)).rate == Decimal("0.0725")
    assert us.rate_for("US", "NY", "standard", date(2026, 1, 1)).rate == Decimal("0.06")
    # and a table holds its country only; a missing rate is an error, never zero
    with pytest.raises(InvalidInput, match="no 'standard' tax rate for FR"):
        de.rate_for("FR", None, "standard", date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="valid on 2019-12-31"):
        us.rate_for("US", "CA", "standard", date(2019, 12, 31))
    with pytest.raises(InvalidInput):
        nowhere.rate_for("JP", None, "standard", date(2026, 1, 1))
    assert collects == [True, True, True, False]


def test_a_channel_prices_tax_exclusive_until_set_otherwise(client: TestClient, container: Container) -> None:
    with container.reader() as uow:
        assert uow.tax_settings.prices_include("web") is PricesInclude.TAX_EXCLUSIVE
    assert client.put("/api/v1/settings/channels/web", json={"prices_include": "tax_inclusive"}).status_code == 200
    with container.reader() as uow:
        assert uow.tax_settings.prices_include("web") is PricesInclude.TAX_INCLUSIVE
        assert uow.tax_settings.prices_include("b2b") is PricesInclude.TAX_EXCLUSIVE


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite has one writer at a time anyway
def test_two_admins_adding_the_same_version_at_once_store_it_once(container: Container) -> None:
    # Given two transactions on their own connections, each adding DE standard from 2027-01-01
    start = threading.Barrier(2)

    def add(rate: str) -> bool:
        with container.uow() as uow:
            start.wait(timeout=30)
            added = uow.tax_settings.add(TaxRateVersion(f"txr_race_{rate}", TaxRate(
                "DE", None, "standard", Decimal(rate), date(2027, 1, 1)), utcnow()))
            uow.commit()
            return added

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(add, ["0.19", "0.20"]))
    # Then exactly one stored it, the other was told it exists
    assert outcomes == [False, True]
    with container.reader() as uow:
        assert len(uow.tax_settings.versions("DE")) == 1


# -- channels ----------------------------------------------------------------------------------------------------
def test_every_channel_has_a_tax_mode_that_an_admin_sets_with_an_audit_entry(client: TestClient) -> None:
    before = client.get("/api/v1/settings/channels").json()["items"]
    assert {c["channel"]: c["prices_include"] for c in before} == {
        c: "tax_exclusive" for c in ("web", "app", "marketplace", "store", "phone", "b2b")}
    response = client.put("/api/v1/settings/channels/store", json={"prices_include": "tax_inclusive"})
    assert response.json() == {"channel": "store", "prices_include": "tax_inclusive"}
    after = {c["channel"]: c["prices_include"] for c in client.get("/api/v1/settings/channels").json()["items"]}
    assert after["store"] == "tax_inclusive" and after["web"] == "tax_exclusive"
    [entry] = audit(client, "channel")
    assert (entry["action"], entry["target_id"], entry["before"], entry["after"]) == (
        "channel.tax_mode", "store", {"prices_include": "tax_exclusive"}, {"prices_include": "tax_inclusive"})


@pytest.mark.parametrize(("channel", "body", "field"), [
    ("web", {"prices_include": "gross"}, "prices_include"),
    ("web", {}, "prices_include"),
    ("fax", {"prices_include": "tax_inclusive"}, "channel"),
])
def test_a_bad_channel_or_mode_is_refused_and_changes_nothing(client: TestClient, channel: str, body: dict,
                                                              field: str) -> None:
    response = client.put(f"/api/v1/settings/channels/{channel}", json=body)
    assert response.status_code == 422 and field in [e["field"] for e in response.json()["errors"]]
    assert {c["prices_include"] for c in client.get("/api/v1/settings/channels").json()["items"]} == {"tax_exclusive"}
    assert audit(client, "channel") == []


# -- exchange rates ----------------------------------------------------------------------------------------------
def test_exchange_rates_to_the_base_currency_are_added_listed_and_audited(client: TestClient) -> None:
    for currency, rate, day in [("USD", "0.9234", "2026-11-22"), ("JPY", "0.0061", "2026-11-21"),
                                ("USD", "0.9301", "2026-11-21")]:
        response = client.post(EXCHANGE_RATES, json={"currency": currency, "rate": rate, "valid_on": day})
        assert response.status_code == 201, response.text
        assert response.json()["base_currency"] == "EUR"
    rates = listed(client, EXCHANGE_RATES)
    assert [(r["currency"], r["rate"], r["valid_on"]) for r in rates] == [
        ("JPY", "0.0061", "2026-11-21"), ("USD", "0.9301", "2026-11-21"), ("USD", "0.9234", "2026-11-22")]
    assert [r["valid_on"] for r in listed(client, EXCHANGE_RATES, currency="USD")] == ["2026-11-21", "2026-11-22"]
    entries = audit(client, "exchange_rate")
    assert len(entries) == 3 and {e["action"] for e in entries} == {"exchange_rate.create"}


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"currency": "ABC"}, 422, "currency"),
    ({"currency": "usd"}, 422, "currency"),
    ({"currency": "EUR"}, 422, "currency"),
    ({"rate": "0"}, 422, "rate"),
    ({"rate": "-1.2"}, 422, "rate"),
    ({"rate": "one"}, 422, "rate"),
    ({"rate": 1.08}, 422, "rate"),
    ({"valid_on": "yesterday"}, 422, "valid_on"),
])
def test_a_bad_exchange_rate_is_refused_naming_the_field_and_writes_nothing(client: TestClient, body: dict,
                                                                           status: int, field: str) -> None:
    good = {"currency": "USD", "rate": "0.9234", "valid_on": "2026-11-22"}
    response = client.post(EXCHANGE_RATES, json={**good, **body})
    assert response.status_code == status, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert client.get(EXCHANGE_RATES).json()["items"] == [] and audit(client, "exchange_rate") == []


def test_a_second_rate_for_the_same_day_is_a_conflict(client: TestClient, container: Container) -> None:
    body = {"currency": "USD", "rate": "0.9234", "valid_on": "2026-11-22"}
    assert client.post(EXCHANGE_RATES, json=body).status_code == 201
    again = client.post(EXCHANGE_RATES, json={**body, "rate": "0.95"})
    assert again.status_code == 409 and again.json()["code"] == "exchange_rate_exists"
    assert raw_rates(container, "exchange_rates") == ["0.9234"]


def test_another_base_currency_is_configured_by_environment(container: Container, monkeypatch) -> None:
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("BATON_BASE_CURRENCY", "usd")
    added = run("exchange-rates", "add", "EUR", "1.08345", "--valid-on", "2026-11-22")
    assert added.exit_code == 0, added.output
    assert "1 EUR = 1.08345 USD" in added.output
    with container.reader() as uow:
        assert [(r.currency, r.base_currency) for r in uow.exchange_rates.all("USD")] == [("EUR", "USD")]


# -- permissions -------------------------------------------------------------------------------------------------
def test_only_admins_manage_money_settings(anonymous: TestClient, container: Container) -> None:
    finance = bearer(token(container, "finance"))
    assert anonymous.get(TAX_RATES, headers=finance).status_code == 403
    refused = anonymous.post(EXCHANGE_RATES, headers=finance,
                             json={"currency": "USD", "rate": "0.9", "valid_on": "2026-11-22"})
    assert refused.status_code == 403
    with container.reader() as uow:
        assert uow.exchange_rates.all("EUR") == []


# -- the command line --------------------------------------------------------------------------------------------
def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})  # wide: no line breaks inside a sentence


def test_the_cli_manages_tax_rates_channels_and_exchange_rates(client: TestClient, container: Container,
                                                               monkeypatch) -> None:
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    future = (utcnow().date() + timedelta(days=10)).isoformat()
    # Tax rates: add two, list them, remove the scheduled one, refuse to remove the one in force
    added = run("tax-rates", "add", "us", "standard", "0.0725", "--region", "ca", "--valid-from", "2020-01-01")
    assert added.exit_code == 0, added.output
    assert "US-CA standard 0.0725 from 2020-01-01" in added.output
    assert run("tax-rates", "add", "DE", "standard", "0.21", "--valid-from", future).exit_code == 0
    rates = {r["country"]: r for r in client.get(TAX_RATES).json()["items"]}
    assert rates["US"]["rate"] == "0.0725" and rates["US"]["region"] == "CA"
    listing = run("tax-rates", "list", "--country", "US")
    assert listing.exit_code == 0 and "0.0725" in listing.stdout and "0.21" not in listing.stdout
    kept = run("tax-rates", "remove", rates["US"]["id"])
    assert kept.exit_code == 2 and "history" in kept.output
    assert run("tax-rates", "remove", rates["DE"]["id"]).exit_code == 0
    assert [r["country"] for r in client.get(TAX_RATES).json()["items"]] == ["US"]
    # Channels
    assert run("channels", "set-tax-mode", "web", "tax_inclusive").exit_code == 0
    assert "tax_inclusive" in run("channels", "list").stdout
    bad_mode = run("channels", "set-tax-mode", "web", "gross")
    assert bad_mode.exit_code == 2 and "prices_include" in bad_mode.output
    # Exchange rates
    assert run("exchange-rates", "add", "USD", "0.9234", "--valid-on", "2026-11-22").exit_code == 0
    assert "0.9234" in run("exchange-rates", "list").stdout
    to_itself = run("exchange-rates", "add", "EUR", "1", "--valid-on", "2026-11-22")
    assert to_itself.exit_code == 2 and "base currency" in to_itself.output
    # Every change was audited as the CLI's actor
    actors = {e["actor_id"].split(":")[0] for kind in ("tax_rate", "channel", "exchange_rate")
              for e in audit(client, kind)}
    assert actors == {"cli"}
    assert len(audit(client, "tax_rate")) == 3  # two additions and one removal


def test_the_cli_refuses_a_bad_rate_with_its_reason(container: Container, monkeypatch) -> None:
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    refused = run("tax-rates", "add", "DE", "standard", "1.5", "--valid-from", "2026-01-01")
    assert refused.exit_code == 2 and "between 0 and 1" in refused.output
    with container.reader() as uow:
        assert uow.tax_settings.versions() == []
