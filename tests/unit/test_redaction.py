"""Secrets never reach the logs: tokens, Authorization headers, signed shopper links, credential parameters."""

from __future__ import annotations

import logging
import sys

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from baton.adapters.db.migrate import upgrade
from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.entrypoints.http.app import create_app
from baton.shared.redaction import RedactSecrets, install_redaction, redact

TOKEN = "bt_" + "Q" * 43
SHOPPER = URLSafeTimedSerializer("k", salt="shopper").dumps({"order": "ord_01abc", "customer": "cus_01abc"})


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("test", logging.INFO, __file__, 1, msg, args, None)


@pytest.mark.parametrize("text", [
    f"Authorization: Bearer {TOKEN}",
    f"authorization: bearer {TOKEN}",
    f"headers={{'authorization': 'Bearer {TOKEN}', 'host': 'x'}}",
    f"[(b'host', b'x'), (b'authorization', b'Bearer {TOKEN}')]",
    f"retrying with {TOKEN}",
    f"GET /shop/orders?access={SHOPPER}&page=2",
    f"GET /shop/{SHOPPER}/orders",
    "POST /sign-in?password=hunter2secret",
    "verify code=hunter2secret for order",
    '{"secret": "hunter2secret"}',
    "Cookie: session=hunter2secret; theme=dark",
])
def test_a_secret_in_a_message_is_redacted(text):
    cleaned = redact(text)
    assert "[redacted]" in cleaned
    for secret in (TOKEN, SHOPPER, "hunter2secret"):
        assert secret not in cleaned
    assert "QQQQQQQQ" not in cleaned


@pytest.mark.parametrize("text", [
    "Order BT-100001 placed on web: 2 unit(s), total EUR 19.99.",
    "GET /api/v1/orders?status=placed&postal_code=10115 HTTP/1.1",
    "authorization failed for token tok_01abc",
    "sqlalchemy.engine.Engine BEGIN (implicit)",
])
def test_ordinary_messages_are_left_alone(text):
    assert redact(text) == text


def test_uvicorns_access_log_arguments_are_redacted_and_still_format():
    # uvicorn formats its access log from these five arguments; the status must stay an int for %d
    rec = record('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/shop?access={SHOPPER}&token={TOKEN}",
                 "1.1", 200)
    RedactSecrets().filter(rec)
    assert rec.getMessage() == '127.0.0.1:5000 - "GET /shop?access=[redacted]&token=[redacted] HTTP/1.1" 200'
    assert rec.args is not None and rec.args[4] == 200


def test_dict_arguments_and_tracebacks_are_redacted():
    rec = record("%(who)s sent %(header)s", {"who": "someone", "header": f"Bearer {TOKEN}"})
    RedactSecrets().filter(rec)
    assert TOKEN not in rec.getMessage()
    try:
        raise ValueError(f"bad token {TOKEN}")
    except ValueError:
        failed = logging.LogRecord("test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    RedactSecrets().filter(failed)
    assert failed.exc_text and TOKEN not in failed.exc_text
    assert TOKEN not in logging.Formatter().format(failed)


def test_installing_twice_adds_one_filter():
    install_redaction()
    install_redaction()
    for name in (None, "uvicorn", "uvicorn.error", "uvicorn.access"):
        assert sum(isinstance(f, RedactSecrets) for f in logging.getLogger(name).filters) == 1


def test_no_secret_of_a_request_reaches_any_log_record(caplog, tmp_path):
    """Requests with a bearer token and ?access=<secret> through the app, every logger at DEBUG: the secrets
    appear in no record, whether the app, the HTTP client or uvicorn's access log wrote it."""
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    upgrade(url)
    caplog.set_level(logging.DEBUG)
    container = bootstrap(Settings(database_url=url))
    app = create_app(container)  # installs the redaction
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        client.get(f"/api/v1/orders?access={SHOPPER}", headers=headers)
        client.get(f"/healthz?token={TOKEN}&code=hunter2secret", headers=headers)
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                                             f"/api/v1/orders?access={SHOPPER}", "1.1", 401)
    logging.getLogger("uvicorn.error").debug("request headers %s", [(b"authorization", f"Bearer {TOKEN}".encode())])
    logging.getLogger("baton.http").warning("refused %s", f"Authorization: Bearer {TOKEN}")
    container.engine.dispose()
    messages = [r.getMessage() for r in caplog.records]
    assert any("access=[redacted]" in m for m in messages)  # the client's own request log, for one
    for message in messages:
        for secret in (TOKEN, SHOPPER, "hunter2secret"):
            assert secret not in message
    assert all(secret not in caplog.text for secret in (TOKEN, SHOPPER, "hunter2secret"))
