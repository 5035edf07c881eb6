"""API tokens (CLI and API) and the audit log: who changed what, append-only, queryable by admins."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from baton.adapters.db import tables as t
from baton.entrypoints.cli.main import app as cli
from baton.shared.clock import utcnow
from tests.conftest import Shop, bearer, token


@pytest.fixture
def cli_env(container: Any, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    return CliRunner()


def test_tokens_create_prints_the_token_alone_on_stdout_and_stores_only_its_hash(cli_env: CliRunner,
                                                                                 container: Any,
                                                                                 anonymous: TestClient) -> None:
    # When an operator creates a token from the command line
    done = cli_env.invoke(cli, ["tokens", "create", "--role", "fulfillment", "--name", "berlin scanner",
                                "--location", "WH-BER", "--expires", "30"])
    # Then standard output holds the token and nothing else
    assert done.exit_code == 2  # WH-BER does not exist yet: refused with a reason, nothing printed
    assert done.stdout == "" and "no location with code WH-BER" in done.stderr
    Shop(_admin(container, anonymous)).location("WH-BER")
    done = cli_env.invoke(cli, ["tokens", "create", "--role", "fulfillment", "--name", "berlin scanner",
                                "--location", "WH-BER", "--expires", "30"])
    assert done.exit_code == 0, done.stderr
    secret = done.stdout.strip()
    assert done.stdout == secret + "\n" and secret.startswith("bt_") and len(secret) > 40
    # And the database holds its SHA-256, never the token
    with container.engine.connect() as conn:
        row = conn.execute(select(t.api_tokens).where(t.api_tokens.c.name == "berlin scanner")).mappings().one()
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(dict(row)) and row["locations"] == ["WH-BER"]
    assert row["expires_at"] - row["created_at"] == timedelta(days=30)
    # And the token works for its role
    assert anonymous.get("/api/v1/fulfillment-orders", headers=bearer(secret)).status_code == 200
    assert anonymous.get("/api/v1/orders", headers=bearer(secret)).status_code == 403


def _admin(container: Any, anonymous: TestClient) -> TestClient:
    anonymous.headers.update(bearer(token(container)))
    return anonymous


def test_tokens_list_and_revoke_from_the_command_line(cli_env: CliRunner, container: Any,
                                                      anonymous: TestClient) -> None:
    secret = cli_env.invoke(cli, ["tokens", "create", "--role", "analyst", "--name", "reports"]).stdout.strip()
    listed = cli_env.invoke(cli, ["tokens", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "reports" in listed.stdout and secret not in listed.stdout
    token_id = next(line.split()[1] for line in listed.stdout.splitlines() if "reports" in line)
    assert cli_env.invoke(cli, ["tokens", "revoke", token_id]).exit_code == 0
    assert anonymous.get("/api/v1/products", headers=bearer(secret)).status_code == 401
    assert cli_env.invoke(cli, ["tokens", "revoke", "tok_nope"]).exit_code == 2


def test_tokens_create_refuses_an_unknown_role_and_a_fulfilment_token_without_a_location(cli_env: CliRunner) -> None:
    wrong = cli_env.invoke(cli, ["tokens", "create", "--role", "root", "--name", "x"])
    assert wrong.exit_code == 2 and wrong.stdout == "" and "role" in wrong.stderr
    unscoped = cli_env.invoke(cli, ["tokens", "create", "--role", "fulfillment", "--name", "x"])
    assert unscoped.exit_code == 2 and "locations" in unscoped.stderr


def test_the_api_shows_the_secret_once_and_never_again(client: TestClient) -> None:
    created = client.post("/api/v1/tokens", json={"name": "erp", "role": "integration"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    listed = client.get("/api/v1/tokens")
    assert secret not in listed.text and "token_hash" not in listed.text
    assert any(t["name"] == "erp" and t["revoked_at"] is None for t in listed.json()["items"])


def test_every_change_is_audited_with_actor_target_before_after_source_and_time(client: TestClient,
                                                                                 shop: Shop) -> None:
    # Given a product changed by an admin token
    shop.product("A", price="10.00")
    changed = client.patch("/api/v1/products/A", json={"name": "Better name"}, headers={"X-Request-Id": "req-42"})
    assert changed.status_code == 200 and changed.headers["x-request-id"] == "req-42"
    # When an admin reads the audit log for the product
    entries = client.get("/api/v1/audit", params={"target_type": "product", "target_id": "A"}).json()["items"]
    # Then both changes are there, newest first, with who, what and from where
    assert [e["action"] for e in entries] == ["product.update", "product.create"]
    update = entries[0]
    assert update["before"] == {"name": "Product A"} and update["after"] == {"name": "Better name"}
    assert update["actor_kind"] == "token" and update["actor_name"] == "test admin"
    assert update["actor_role"] == "admin" and update["source_address"] == "testclient"
    assert update["request_id"] == "req-42"
    # And by actor and by time
    by_actor = client.get("/api/v1/audit", params={"actor_id": update["actor_id"]}).json()["items"]
    assert {e["id"] for e in entries} <= {e["id"] for e in by_actor}
    later = client.get("/api/v1/audit", params={"at_from": (utcnow() + timedelta(minutes=1)).isoformat()})
    assert later.json()["items"] == []


def test_the_audit_log_refuses_update_and_delete_in_the_database_itself(client: TestClient, shop: Shop,
                                                                        container: Any) -> None:
    shop.product("A")
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), container.engine.begin() as conn:
            conn.execute(text(statement))
    with container.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE target_id = 'A'")).scalar() == 1


def test_no_route_edits_or_deletes_the_audit_log(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    audit_paths = {path: set(item) for path, item in document["paths"].items() if "audit" in path}
    assert audit_paths == {"/api/v1/audit": {"get"}}


def test_a_refused_change_leaves_no_audit_entry(client: TestClient, shop: Shop, container: Any) -> None:
    shop.product("A")
    agent = bearer(token(container, "analyst"))
    assert client.patch("/api/v1/products/A", json={"name": "x"}, headers=agent).status_code == 403
    assert client.patch("/api/v1/products/A", json={"name": ""}).status_code == 422
    entries = client.get("/api/v1/audit", params={"target_id": "A"}).json()["items"]
    assert [e["action"] for e in entries] == ["product.create"]
