"""Console sign-in: argon2 passwords, session cookies, CSRF on every form, lock-out, sign-out everywhere."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from typer.testing import CliRunner

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.entrypoints.cli.main import app as cli
from baton.entrypoints.http.app import create_app
from baton.identity.console import REFUSED, create_user, sign_in, signed_in
from baton.identity.demo_access import ensure_demo_admin
from baton.identity.users import User
from baton.shared.clock import frozen_at, utcnow
from baton.shared.errors import InvalidInput
from tests.integration.console_helpers import PASSWORD, csrf_of

EMAIL = "jane@example.com"


@pytest.fixture
def jane(container: Container) -> User:
    return create_user(container.uow(), EMAIL, "Jane Doe", "agent", PASSWORD)


def submit_sign_in(browser: TestClient, email: str = EMAIL, password: str = PASSWORD):
    form = browser.get("/console/sign-in")
    assert form.status_code == 200, form.text
    return browser.post("/console/sign-in", data={"email": email, "password": password,
                                                  "csrf_token": csrf_of(form.text)})


def signed_in_browser(browsers, email: str = EMAIL, password: str = PASSWORD) -> TestClient:
    browser = browsers()
    response = submit_sign_in(browser, email, password)
    assert response.status_code == 303, response.text
    return browser


def user_row(container: Container, user_id: str):
    with container.engine.connect() as conn:
        return conn.execute(select(t.users).where(t.users.c.id == user_id)).one()


def sessions_of(container: Container, user_id: str) -> list:
    with container.engine.connect() as conn:
        return list(conn.execute(select(t.console_sessions).where(t.console_sessions.c.user_id == user_id)))


def audit_of(container: Container, target_id: str) -> list:
    a = t.audit_log.c
    with container.engine.connect() as conn:
        return list(conn.execute(select(t.audit_log).where(a.target_id == target_id).order_by(a.at, a.id)))


def session_cookie_header(response) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith("baton_session=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


# -- passwords ----------------------------------------------------------------------------------------------------
def test_a_new_users_password_is_stored_as_an_argon2id_hash_and_never_in_clear(container, jane):
    row = user_row(container, jane.id)
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert row.email == EMAIL and row.role == "agent" and row.active and row.failed_sign_ins == 0
    created = audit_of(container, jane.id)
    assert [e.action for e in created] == ["user.create"]
    assert "argon2" not in str(created[0].after) and PASSWORD not in str(created[0].after)


def test_production_hashes_passwords_at_the_rfc_9106_cost(production_password_hasher):
    # the tests in this process hash at the lowest cost (conftest.py); this is the hasher passwords.py makes
    assert production_password_hasher.hash(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_password_shorter_than_12_characters_is_refused_naming_the_password_field(container):
    with pytest.raises(InvalidInput) as refused:
        create_user(container.uow(), EMAIL, "Jane Doe", "agent", "short pass!")
    assert refused.value.field == "password" and "12" in refused.value.reason
    with container.engine.connect() as conn:
        assert conn.execute(select(t.users)).first() is None


def test_emails_are_stored_in_lower_case_and_sign_in_ignores_their_case(container, browsers):
    create_user(container.uow(), "  Jane@Example.COM ", "Jane Doe", "agent", PASSWORD)
    assert submit_sign_in(browsers(), "JANE@example.com").status_code == 303


# -- signing in ---------------------------------------------------------------------------------------------------
def test_signing_in_sets_a_secure_http_only_same_site_session_cookie_and_shows_who_is_signed_in(
        container, browsers, jane):
    browser = browsers()
    response = submit_sign_in(browser)
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    header = session_cookie_header(response)
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    assert {"secure", "httponly", "samesite", "path", "max-age"} <= set(attributes)
    assert attributes["samesite"].lower() == "samesite=lax"
    assert attributes["path"] == "Path=/"
    assert attributes["max-age"] == f"Max-Age={container.settings.session_hours * 3600}"
    cookie = header.split(";")[0].split("=", 1)[1]
    stored = sessions_of(container, jane.id)
    assert [s.id_hash for s in stored] == [hashlib.sha256(cookie.encode()).hexdigest()]  # only the hash is kept
    home = browser.get("/console/")
    assert home.status_code == 200
    assert "Signed in as <strong>Jane Doe</strong>" in home.text and "(agent)" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]


def test_the_console_redirects_to_the_sign_in_page_without_a_session_and_back_home_with_one(browsers, jane):
    anonymous = browsers()
    response = anonymous.get("/console/")
    assert response.status_code == 303 and response.headers["location"] == "/console/sign-in"
    assert signed_in_browser(browsers).get("/console/sign-in").headers["location"] == "/console/"


def test_a_wrong_password_and_an_unknown_email_get_the_same_generic_401(container, browsers, jane):
    wrong = submit_sign_in(browsers(), EMAIL, "not the password at all")
    unknown = submit_sign_in(browsers(), "nobody@example.com", PASSWORD)
    hostile = submit_sign_in(browsers(), '"><script>alert(1)</script>', PASSWORD)
    assert "<script>alert(1)" not in hostile.text and "&lt;script&gt;" in hostile.text  # shown back, escaped
    for response in (wrong, unknown, hostile):
        assert response.status_code == 401
        assert REFUSED in response.text
        assert not [h for h in response.headers.get_list("set-cookie") if h.startswith("baton_session=")]
    assert REFUSED == "Wrong email or password, or the account is locked for a while."
    assert sessions_of(container, jane.id) == []


def test_five_wrong_passwords_lock_the_account_for_15_minutes_even_against_the_right_password(
        container, browsers, jane):
    start = utcnow()
    browser = browsers()
    with frozen_at(start):
        for _ in range(5):
            assert submit_sign_in(browser, password="a wrong password").status_code == 401
        locked = user_row(container, jane.id)
        assert locked.failed_sign_ins == 5
        right_but_locked = submit_sign_in(browser)
        assert right_but_locked.status_code == 401 and REFUSED in right_but_locked.text
    with frozen_at(start + timedelta(minutes=14)):
        assert submit_sign_in(browser).status_code == 401
    with frozen_at(start + timedelta(minutes=16)):
        assert submit_sign_in(browser).status_code == 303
    row = user_row(container, jane.id)
    assert row.failed_sign_ins == 0 and row.locked_until is None
    assert [e.after.get("reason") for e in audit_of(container, jane.id) if e.action == "user.sign_in_failed"] == \
        ["wrong_password"] * 5 + ["locked", "locked"]


def test_a_user_of_the_integration_role_cannot_sign_in_to_the_console(container, browsers):
    with pytest.raises(InvalidInput) as refused:
        create_user(container.uow(), "robot@example.com", "Robot", "integration", PASSWORD)
    assert refused.value.field == "role"
    robot = create_user(container.uow(), "robot@example.com", "Robot", "analyst", PASSWORD)
    with container.engine.begin() as conn:  # as if someone turned the user into an integration afterwards
        conn.execute(t.users.update().where(t.users.c.id == robot.id).values(role="integration"))
    response = submit_sign_in(browsers(), "robot@example.com", PASSWORD)
    assert response.status_code == 401 and REFUSED in response.text
    assert sessions_of(container, robot.id) == []
    assert audit_of(container, robot.id)[-1].after == {"reason": "role_without_console"}


# -- CSRF ---------------------------------------------------------------------------------------------------------
def test_a_sign_in_form_without_the_right_csrf_token_is_refused_with_403_and_changes_nothing(
        container, browsers, jane):
    browser = browsers()
    token = csrf_of(browser.get("/console/sign-in").text)
    credentials = {"email": EMAIL, "password": PASSWORD}
    forged = URLSafeTimedSerializer("another secret", salt="baton.console.sign-in").dumps("x")

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3 * 3600

    expired = URLSafeTimedSerializer(container.secret_key, salt="baton.console.sign-in", signer=LongAgo).dumps("x")
    refused = [
        browser.post("/console/sign-in", data=credentials),  # no field
        browser.post("/console/sign-in", data={**credentials, "csrf_token": token + "x"}),  # not the cookie's
        browsers().post("/console/sign-in", data={**credentials, "csrf_token": token}),  # no cookie
    ]
    for value in (forged, expired):  # cookie and field agree, but the server never signed it, or long ago
        other = browsers()
        other.cookies.set("baton_csrf", value, domain="testserver", path="/console")
        refused.append(other.post("/console/sign-in", data={**credentials, "csrf_token": value}))
    for response in refused:
        assert response.status_code == 403
        assert "nothing was changed" in response.text
        assert not [h for h in response.headers.get_list("set-cookie") if h.startswith("baton_session=")]
    assert sessions_of(container, jane.id) == []
    assert user_row(container, jane.id).failed_sign_ins == 0
    assert [e.action for e in audit_of(container, jane.id)] == ["user.create"]


def test_signing_out_without_the_sessions_csrf_token_is_refused_and_the_session_stays_alive(
        container, browsers, jane):
    browser = signed_in_browser(browsers)
    sign_in_form_token = csrf_of(browsers().get("/console/sign-in").text)
    for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": sign_in_form_token}, {"csrf_token": "ünïcode"}):
        for path in ("/console/sign-out", "/console/sign-out-everywhere"):
            assert browser.post(path, data=data).status_code == 403
    assert browser.get("/console/").status_code == 200
    assert [s.revoked_at for s in sessions_of(container, jane.id)] == [None]
    token = csrf_of(browser.get("/console/").text)
    response = browser.post("/console/sign-out", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/console/sign-in"
    assert "Max-Age=0" in session_cookie_header(response)
    assert browser.get("/console/").headers["location"] == "/console/sign-in"
    assert [s.revoked_at is not None for s in sessions_of(container, jane.id)] == [True]


# -- sessions -----------------------------------------------------------------------------------------------------
def test_signing_out_everywhere_ends_the_sessions_of_every_browser(container, browsers, jane):
    laptop, phone = signed_in_browser(browsers), signed_in_browser(browsers)
    assert laptop.get("/console/").status_code == phone.get("/console/").status_code == 200
    token = csrf_of(phone.get("/console/").text)
    assert phone.post("/console/sign-out-everywhere", data={"csrf_token": token}).status_code == 303
    for browser in (laptop, phone):
        assert browser.get("/console/").headers["location"] == "/console/sign-in"
    assert all(s.revoked_at is not None for s in sessions_of(container, jane.id))
    everywhere = [e for e in audit_of(container, jane.id) if e.action == "user.sign_out_everywhere"]
    assert [e.after for e in everywhere] == [{"sessions_revoked": 2}]
    assert everywhere[0].actor_id == jane.id


def test_an_expired_session_is_refused_and_its_cookie_cleared(container, browsers, jane):
    browser = signed_in_browser(browsers)
    cookie = browser.cookies["baton_session"]
    assert signed_in(container.reads, cookie) is not None
    later = utcnow() + timedelta(hours=container.settings.session_hours, minutes=1)
    with frozen_at(later):
        assert signed_in(container.reads, cookie) is None
        response = browser.get("/console/")
    assert response.status_code == 303 and response.headers["location"] == "/console/sign-in"
    assert "Max-Age=0" in session_cookie_header(response)


def test_a_session_cookie_is_only_a_random_value_and_a_made_up_one_signs_nobody_in(container, browsers, jane):
    cookie, _csrf = sign_in(container.uow(), EMAIL, PASSWORD, "127.0.0.1")
    assert len(cookie) >= 43 and signed_in(container.reads, cookie) is not None
    stranger = browsers()
    stranger.cookies.set("baton_session", cookie[:-1] + ("A" if cookie[-1] != "A" else "B"), domain="testserver")
    assert stranger.get("/console/").status_code == 303


# -- audit --------------------------------------------------------------------------------------------------------
def test_sign_ins_failures_and_sign_outs_are_in_the_audit_log_with_who_and_from_where(container, browsers, jane):
    failed = submit_sign_in(browsers(), password="a wrong password")
    unknown = submit_sign_in(browsers(), "nobody@example.com")
    browser = signed_in_browser(browsers)
    browser.post("/console/sign-out", data={"csrf_token": csrf_of(browser.get("/console/").text)})
    entries = audit_of(container, jane.id)
    assert [e.action for e in entries] == ["user.create", "user.sign_in_failed", "user.sign_in", "user.sign_out"]
    _create, failure, success, sign_out = entries
    assert (failure.actor_kind, failure.actor_id, failure.source_address) == ("system", "anonymous", "testclient")
    assert failure.request_id == failed.headers["x-request-id"]
    assert failure.after == {"failed_sign_ins": 1, "reason": "wrong_password"}
    assert (success.actor_kind, success.actor_id, success.actor_name, success.actor_role) == \
        ("user", jane.id, EMAIL, "agent")
    assert success.after["failed_sign_ins"] == 0 and "session_expires_at" in success.after
    assert (sign_out.actor_id, sign_out.after) == (jane.id, {"sessions_revoked": 1})
    a = t.audit_log.c
    with container.engine.connect() as conn:
        nobody = conn.execute(select(t.audit_log).where(a.request_id == unknown.headers["x-request-id"])).one()
    assert (nobody.action, nobody.target_id, nobody.after) == ("user.sign_in_failed", "unknown",
                                                               {"reason": "unknown_email"})
    assert "nobody@example.com" not in str(nobody._mapping)  # what strangers type is not kept


# -- CLI and demo -------------------------------------------------------------------------------------------------
def test_the_cli_creates_a_user_with_a_password_from_stdin_lists_and_signs_them_out(
        container, browsers, monkeypatch):
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal, so the table shows whole emails
    runner = CliRunner()
    short = runner.invoke(cli, ["users", "create", "--email", "ops@example.com", "--name", "Ops", "--role", "admin",
                                "--password-stdin"], input="too short\n")
    assert short.exit_code == 2 and "password" in short.output
    created = runner.invoke(cli, ["users", "create", "--email", "Ops@Example.com", "--name", "Ops Person",
                                  "--role", "fulfillment", "--location", "WH-BER", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert created.exit_code == 2 and "WH-BER" in created.output  # no such location yet
    created = runner.invoke(cli, ["users", "create", "--email", "Ops@Example.com", "--name", "Ops Person",
                                  "--role", "admin", "--password-stdin"], input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert PASSWORD not in created.output
    listed = runner.invoke(cli, ["users", "list"])
    assert listed.exit_code == 0 and "ops@example.com" in listed.output
    browser = signed_in_browser(browsers, "ops@example.com", PASSWORD)
    assert "(admin)" in browser.get("/console/").text
    out = runner.invoke(cli, ["users", "sign-out-everywhere", "ops@example.com"])
    assert out.exit_code == 0 and "1 session" in out.output
    assert browser.get("/console/").status_code == 303
    assert runner.invoke(cli, ["users", "sign-out-everywhere", "ghost@example.com"]).exit_code == 2
    changed = runner.invoke(cli, ["users", "set-password", "ops@example.com", "--password-stdin"],
                            input="another long pass phrase\n")
    assert changed.exit_code == 0, changed.output
    assert submit_sign_in(browsers(), "ops@example.com", PASSWORD).status_code == 401
    assert submit_sign_in(browsers(), "ops@example.com", "another long pass phrase").status_code == 303


def test_the_demo_admin_gets_a_fresh_password_each_time_and_the_old_one_stops_working(container, browsers):
    email, first = ensure_demo_admin(container)
    old_browser = signed_in_browser(browsers, email, first)
    again, second = ensure_demo_admin(container)
    assert again == email == "admin@demo.baton" and second != first and len(second) >= 12
    assert old_browser.get("/console/").status_code == 303  # a new password ends the old sessions
    assert submit_sign_in(browsers(), email, first).status_code == 401
    assert "(admin)" in signed_in_browser(browsers, email, second).get("/console/").text


# -- throttling per source address --------------------------------------------------------------------------------
def test_the_21st_sign_in_attempt_from_one_address_is_refused_with_429_even_with_the_right_password(
        container, browsers, jane):
    # Given 20 attempts from one address within a quarter of an hour, on emails nobody has
    browser = browsers()
    with frozen_at(datetime(2031, 3, 1, 9, 2, tzinfo=UTC)):
        guesses = [submit_sign_in(browser, f"guess{i}@example.com").status_code for i in range(20)]
        # When the 21st attempt brings Jane's right password
        refused = submit_sign_in(browser)
    # Then it is refused before the password is looked at, with a page saying when to come back
    assert guesses == [401] * 20
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "780"  # the rest of the 15-minute window
    assert "Too many sign-in attempts from this address; try again in 13 minutes." in refused.text
    assert refused.headers["cache-control"] == "no-store"
    assert not [h for h in refused.headers.get_list("set-cookie") if h.startswith("baton_session=")]
    assert sessions_of(container, jane.id) == []
    assert user_row(container, jane.id).failed_sign_ins == 0
    assert [e.action for e in audit_of(container, jane.id)] == ["user.create"]
    with container.engine.connect() as conn:
        buckets = list(conn.scalars(select(t.rate_limits.c.bucket)))
    assert buckets and all("testclient" not in bucket for bucket in buckets)  # addresses are stored hashed


def test_throttling_one_address_leaves_another_address_free_to_sign_in(container, browsers, jane):
    # Given an address that used up its attempts
    busy = browsers()
    moment = datetime(2031, 3, 1, 9, 2, tzinfo=UTC)
    with frozen_at(moment):
        for i in range(20):
            submit_sign_in(busy, f"guess{i}@example.com")
        assert submit_sign_in(busy).status_code == 429
        # When Jane signs in from another address
        with TestClient(create_app(container), base_url="https://testserver", follow_redirects=False,
                        client=("203.0.113.7", 50000)) as elsewhere:
            signed = submit_sign_in(elsewhere)
    # Then she gets in, and the busy address may try again in the next window
    assert signed.status_code == 303 and signed.headers["location"] == "/console/"
    with frozen_at(moment + timedelta(minutes=15)):
        assert submit_sign_in(busy).status_code == 303
    assert sorted(s.source_address for s in sessions_of(container, jane.id)) == ["203.0.113.7", "testclient"]
