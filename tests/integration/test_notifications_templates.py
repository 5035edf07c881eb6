"""Notification templates: every built-in one renders in every language; an admin edits one through the API (checked
against a sample order first: a syntax error, an unknown variable or an escape from the sandbox is a 422 naming the
field, and nothing changes); the edited one is used for the next message; DELETE restores the built-in one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from baton.notifications.context import sample
from baton.notifications.defaults import DEFAULTS
from baton.notifications.moments import Moment
from baton.notifications.template import LANGUAGES, SMS_MAX, render
from tests.conftest import Shop, bearer, token
from tests.integration.test_notifications import drain, messages, stocked

URL = "/api/v1/notification-templates"
GOOD = {"subject": "Shipped: {{ order_number }}", "body": "Hi {{ customer_name }}, see {{ tracking_url }}",
        "sms": "Shipped {{ order_number }}"}


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_built_in_template_renders_in_every_language(language: str) -> None:
    for moment in Moment:
        rendered = render(DEFAULTS[language][moment], sample(language, "https://shop.example.com", "Shop"),
                          strict=True)
        assert "BT-100042" in rendered.subject + rendered.body and len(rendered.sms) <= SMS_MAX
        assert "{{" not in rendered.body and "{%" not in rendered.body


def test_the_list_holds_every_moment_in_every_language(client: TestClient) -> None:
    items = client.get(URL).json()["items"]
    assert len(items) == len(Moment) * len(LANGUAGES) >= 45
    assert {item["language"] for item in items} == {"en", "fr", "de", "es", "hi"}
    assert not any(item["customised"] for item in items)


@pytest.mark.parametrize(("field", "source", "says"), [
    ("body", "Hello {{ customer_name }", "line 1"),
    ("subject", "{% if order_number %}open", "line 1"),
    ("sms", "{{ no_such_thing }}", "'no_such_thing' is undefined"),
    ("body", "{{ order_number.__class__.__mro__ }}", "unsafe"),
    ("body", "{{ ''.__class__.__base__.__subclasses__() }}", "unsafe"),
    ("sms", "{% for i in range(100) %}{{ order_number }}{% endfor %}", "keep an SMS within 480"),
])
def test_a_template_that_does_not_render_is_refused_naming_the_field(client: TestClient, field: str, source: str,
                                                                     says: str) -> None:
    response = client.put(f"{URL}/shipped/en", json={**GOOD, field: source})

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "template_invalid" and problem["errors"][0]["field"] == field
    assert says in problem["errors"][0]["message"]
    assert client.get(f"{URL}/shipped/en").json()["customised"] is False


def test_unknown_moments_and_languages_are_404(client: TestClient) -> None:
    assert client.get(f"{URL}/teleported/en").status_code == 404
    assert client.put(f"{URL}/shipped/xx", json=GOOD).status_code == 404


def test_an_edited_template_is_used_for_the_next_message_and_delete_restores_the_default(
        container: Container, client: TestClient, shop: Shop) -> None:
    saved = client.put(f"{URL}/order_confirmed/en", json={**GOOD, "subject": "Thanks! {{ order_number }}"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["customised"] and saved.json()["updated_by"] == "test admin (admin)"
    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    drain(container)
    assert messages(client, order["id"])[0]["subject"] == f"Thanks! {order['number']}"
    audit = client.get("/api/v1/audit", params={"action": "notification_template.update"}).json()["items"]
    assert audit and audit[0]["target_id"] == "order_confirmed/en"

    assert client.delete(f"{URL}/order_confirmed/en").status_code == 204
    assert client.get(f"{URL}/order_confirmed/en").json()["customised"] is False
    second = shop.order([("SKU-1", 1)])
    drain(container)
    assert messages(client, second["id"])[0]["subject"] == f"Your order {second['number']} is confirmed"


def test_only_settings_managers_edit_templates(container: Container, client: TestClient) -> None:
    agent = bearer(token(container, "agent"))
    assert client.get(URL, headers=agent).status_code == 403
    assert client.put(f"{URL}/shipped/en", json=GOOD, headers=agent).status_code == 403


def test_the_cli_shows_edits_and_resets_a_template_and_lists_and_resends_an_order_s_messages(
        container: Container, client: TestClient, shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from baton.entrypoints.cli.main import app as cli

    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("COLUMNS", "250")  # rich would wrap the table's ids at 80 columns
    runner = CliRunner()
    shown = runner.invoke(cli, ["notifications", "show", "shipped", "de"])
    assert shown.exit_code == 0 and "--- body ---" in shown.stdout and "ist unterwegs" in shown.stdout

    edited = tmp_path / "shipped.txt"
    edited.write_text(shown.stdout.replace("ist unterwegs", "ist auf dem Weg"), encoding="utf-8")
    assert runner.invoke(cli, ["notifications", "edit", "shipped", "de", str(edited)]).exit_code == 0
    assert client.get(f"{URL}/shipped/de").json()["subject"] == "Bestellung {{ order_number }} ist auf dem Weg"
    broken = tmp_path / "broken.txt"
    broken.write_text("--- subject ---\n{{ oops\n--- body ---\nx\n--- sms ---\ny\n", encoding="utf-8")
    refused = runner.invoke(cli, ["notifications", "edit", "shipped", "de", str(broken)])
    assert refused.exit_code == 2 and "subject" in refused.stderr
    listed = runner.invoke(cli, ["notifications", "templates"])
    assert listed.exit_code == 0 and "yes" in listed.stdout
    assert runner.invoke(cli, ["notifications", "reset", "shipped", "de"]).exit_code == 0
    assert client.get(f"{URL}/shipped/de").json()["customised"] is False

    stocked(shop)
    order = shop.order([("SKU-1", 1)])
    drain(container)
    [message] = messages(client, order["id"])
    out = runner.invoke(cli, ["notifications", "messages", order["number"]])
    assert out.exit_code == 0 and message["id"] in out.stdout and "queued" in out.stdout
    queued = runner.invoke(cli, ["notifications", "resend", order["number"], message["id"]])
    assert queued.exit_code == 2 and "still queued" in queued.stderr
