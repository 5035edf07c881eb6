"""A database that cannot be reached (down, or out of connection slots at a peak) is a 503 with Retry-After, not a
500: nothing was written, and the client may send the same request again."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.entrypoints.http.app import create_app
from tests.conftest import PostgresServer, bearer, unavailable


def unreachable_url(kind: str, tmp_path: Path, server: PostgresServer | None) -> str:
    if kind == "sqlite":  # a file in a directory that does not exist cannot be opened
        return f"sqlite:///{tmp_path / 'missing' / 'baton.db'}"
    if server is None:
        unavailable("no PostgreSQL server (set BATON_TEST_POSTGRES_URL)")
    assert server is not None
    return server.url.set(database=f"baton_missing_{uuid.uuid4().hex[:8]}").render_as_string(hide_password=False)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("method, path", [("GET", "/api/v1/orders"), ("GET", "/api/v1/availability?sku=A"),
                                          ("GET", "/api/v1/track/trk_0123456789abcdef"), ("POST", "/api/v1/orders")])
def test_requests_get_a_503_with_retry_after_when_no_connection_can_be_had(
        kind: str, method: str, path: str, tmp_path: Path, postgres_server: PostgresServer | None) -> None:
    # Given a Baton whose database cannot be connected to
    container = bootstrap(Settings(database_url=unreachable_url(kind, tmp_path, postgres_server)))
    try:
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            # When a client calls it (with a token shaped like a real one)
            response = client.request(method, path, headers=bearer("bt_" + "x" * 40),
                                      json={} if method == "POST" else None)
    finally:
        container.engine.dispose()
    # Then it answers 503 with the problem to retry, never a 500
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "database_unavailable"
