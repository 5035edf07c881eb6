"""Shopper access: a mailed link or a one-time code opens one customer's own orders and nothing else.

Mail is read from the outbox table, as the notifications worker will read it."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from baton.adapters.db import tables as t
from baton.customers.access import ShopperKeys
from baton.shared.clock import frozen_at, utcnow
from tests.conftest import bearer

JANE = {"email": "jane@example.com", "name": "Jane Doe"}
BOB = {"email": "bob@example.com", "name": "Bob Roe"}
SENT = {"detail": "If we hold orders for this address, a link is on its way."}


@pytest.fixture
def stocked(shop):
    shop.product("SHIRT")
    shop.stock("WH-BER", "SHIRT", 100)
    return shop


def mails(container, kind: str | None = None) -> list[dict]:
    m = t.mail_outbox.c
    stmt = select(m.kind, m.to_address, m.subject, m.body).order_by(m.created_at, m.id)
    if kind:
        stmt = stmt.where(m.kind == kind)
    with container.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(stmt)]


def ask_link(anonymous, email: str) -> str:
    response = anonymous.post("/api/v1/shopper/links", json={"email": email})
    assert response.status_code == 202, response.text
    return response.text


def link_token(container, email: str) -> str:
    """The access value of the newest link mailed to `email`."""
    body = [m for m in mails(container, "shopper_link") if m["to_address"] == email][-1]["body"]
    found = re.search(r"/portal\?access=(shp_[A-Za-z0-9_.\-]+)", body)
    assert found, body
    return found.group(1)


def token_for(anonymous, container, email: str) -> str:
    ask_link(anonymous, email)
    return link_token(container, email)


def code_for(container, email: str) -> str:
    body = [m for m in mails(container, "shopper_code") if m["to_address"] == email][-1]["body"]
    found = re.search(r"^\s+(\d{6})$", body, re.MULTILINE)
    assert found, body
    return found.group(1)


def own_orders(anonymous, token: str, **params) -> list[str]:
    response = anonymous.get("/api/v1/shopper/orders", headers=bearer(token), params=params)
    assert response.status_code == 200, response.text
    return [item["number"] for item in response.json()["items"]]


def audit(container, customer_id: str) -> list[dict]:
    a = t.audit_log.c
    with container.engine.connect() as conn:
        rows = conn.execute(select(a.action, a.actor_kind, a.actor_id, a.before, a.after, a.source_address)
                            .where(a.target_type == "customer", a.target_id == customer_id).order_by(a.at, a.id))
        return [dict(row._mapping) for row in rows]


# -- links ------------------------------------------------------------------------------------------------------
def test_a_shopper_asks_for_a_link_and_opens_their_full_order_with_it(stocked, anonymous, container):
    order = stocked.order([("SHIRT", 2)], customer=JANE)

    answer = anonymous.post("/api/v1/shopper/links", json={"email": "Jane@Example.com"})

    assert answer.status_code == 202 and answer.json() == SENT
    [mail] = mails(container)
    assert mail["kind"] == "shopper_link" and mail["to_address"] == "jane@example.com"
    assert f"{container.settings.public_url}/portal?access=shp_" in mail["body"]
    assert "Authorization: Bearer" in mail["body"]
    token = link_token(container, "jane@example.com")
    assert own_orders(anonymous, token) == [order["number"]]
    full = anonymous.get(f"/api/v1/shopper/orders/{order['number']}", headers=bearer(token))
    assert full.status_code == 200
    assert full.json() == stocked.get_order(order["id"])
    entries = audit(container, order["customer"]["id"])
    assert [e["action"] for e in entries] == ["shopper.link_requested"]
    assert entries[0]["actor_kind"] == "shopper" and entries[0]["source_address"] == "testclient"
    assert "@" not in str(entries[0]["before"]) + str(entries[0]["after"])


def test_the_history_lists_only_the_shoppers_own_orders_newest_first_page_by_page(stocked, anonymous, container):
    janes = [stocked.order([("SHIRT", 1)], customer=JANE)["number"] for _ in range(3)]
    bobs = stocked.order([("SHIRT", 1)], customer=BOB)["number"]
    token = token_for(anonymous, container, "jane@example.com")

    first = anonymous.get("/api/v1/shopper/orders", headers=bearer(token), params={"limit": 2}).json()
    second = own_orders(anonymous, token, limit=2, cursor=first["next_cursor"])

    assert [item["number"] for item in first["items"]] + second == list(reversed(janes))
    assert bobs not in own_orders(anonymous, token)


def test_asking_for_a_link_answers_the_same_for_a_known_and_an_unknown_email(stocked, anonymous, container):
    stocked.order([("SHIRT", 1)], customer=JANE)

    known = anonymous.post("/api/v1/shopper/links", json={"email": "jane@example.com"})
    unknown = anonymous.post("/api/v1/shopper/links", json={"email": "nobody@example.com"})

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (202, SENT)
    assert [m["to_address"] for m in mails(container)] == ["jane@example.com"]


# -- one shopper never reaches another's orders ------------------------------------------------------------------
def test_a_shopper_cannot_reach_another_shoppers_order_by_number_id_or_tracking_id(stocked, anonymous, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    bobs = stocked.order([("SHIRT", 1)], customer=BOB)
    jane = token_for(anonymous, container, "jane@example.com")

    def get(ref: str):
        return anonymous.get(f"/api/v1/shopper/orders/{ref}", headers=bearer(jane))

    missing = get("BT-999999")
    assert missing.status_code == 404
    for ref in (bobs["number"], bobs["number"].lower(), bobs["id"], bobs["tracking_id"]):
        answer = get(ref)
        assert (answer.status_code, answer.json()) == (404, missing.json()), ref
        assert "Bob" not in answer.text
    bob = token_for(anonymous, container, "bob@example.com")
    assert anonymous.get(f"/api/v1/shopper/orders/{bobs['number']}", headers=bearer(bob)).status_code == 200


def test_a_link_cannot_be_rewritten_to_open_another_customers_orders(stocked, anonymous, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    bobs = stocked.order([("SHIRT", 1)], customer=BOB)
    jane = token_for(anonymous, container, "jane@example.com")
    bob = token_for(anonymous, container, "bob@example.com")
    jane_payload, jane_signature = jane.rsplit(".", 1)
    bob_payload, bob_signature = bob.rsplit(".", 1)
    forged_elsewhere = ShopperKeys("a secret that is not this shop's secret", 24).issue(
        bobs["customer"]["id"], "bob@example.com", utcnow()).token

    for forged in (f"{bob_payload}.{jane_signature}", f"{jane_payload}.{bob_signature}", forged_elsewhere):
        answer = anonymous.get("/api/v1/shopper/orders", headers=bearer(forged))
        assert answer.status_code == 401, forged
        answer = anonymous.get(f"/api/v1/shopper/orders/{bobs['number']}", headers=bearer(forged))
        assert answer.status_code == 401, forged


# -- tampered, expired, revoked links ---------------------------------------------------------------------------
def test_a_tampered_link_is_refused(stocked, anonymous, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    token = token_for(anonymous, container, "jane@example.com")
    middle = len(token) // 2
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]

    for bad in (flipped, token[:-4], token + "x", token.replace("shp_", "bt_"), "shp_", "shp_" + "A" * 600):
        answer = anonymous.get("/api/v1/shopper/orders", headers=bearer(bad))
        assert answer.status_code == 401, bad
        assert answer.headers["content-type"] == "application/problem+json"
    assert own_orders(anonymous, token)  # the genuine one still works


def test_a_link_works_until_it_expires_and_never_after(stocked, anonymous, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    hours = container.settings.shopper_link_hours
    issued = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    with frozen_at(issued):
        token = token_for(anonymous, container, "jane@example.com")

    with frozen_at(issued + timedelta(hours=hours) - timedelta(seconds=1)):
        assert own_orders(anonymous, token) == [order["number"]]
    with frozen_at(issued + timedelta(hours=hours)):
        expired = anonymous.get("/api/v1/shopper/orders", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid_shopper_token"


def test_an_erased_customers_old_link_stops_working_and_no_new_one_is_sent(stocked, anonymous, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    token = token_for(anonymous, container, "jane@example.com")
    customer_id = order["customer"]["id"]
    with container.engine.begin() as conn:
        conn.execute(update(t.customers).where(t.customers.c.id == customer_id).values(
            erased_at=utcnow(), email=f"erased+{customer_id}@erased.invalid", name=None))

    assert anonymous.get("/api/v1/shopper/orders", headers=bearer(token)).status_code == 401
    assert ask_link(anonymous, "jane@example.com") == ask_link(anonymous, "nobody@example.com")
    assert len(mails(container)) == 1


def test_a_link_stops_working_when_the_customers_email_changes(stocked, anonymous, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    token = token_for(anonymous, container, "jane@example.com")
    with container.engine.begin() as conn:
        conn.execute(update(t.customers).where(t.customers.c.id == order["customer"]["id"]).values(
            email="jane.new@example.com"))

    assert anonymous.get("/api/v1/shopper/orders", headers=bearer(token)).status_code == 401
    assert own_orders(anonymous, token_for(anonymous, container, "jane.new@example.com")) == [order["number"]]


# -- API tokens and shopper tokens are not interchangeable ------------------------------------------------------
def test_an_api_token_does_not_open_shopper_routes_and_a_shopper_token_does_not_open_the_api(
        stocked, anonymous, client, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    shopper = token_for(anonymous, container, "jane@example.com")

    assert client.get("/api/v1/shopper/orders").status_code == 401  # the admin's own bearer token
    assert client.get(f"/api/v1/shopper/orders/{order['number']}").status_code == 401
    assert anonymous.get("/api/v1/shopper/orders").status_code == 401
    for path in ("/api/v1/orders", f"/api/v1/orders/{order['id']}", f"/api/v1/orders/{order['id']}/timeline"):
        assert anonymous.get(path, headers=bearer(shopper)).status_code == 401, path
    cancel = anonymous.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "mine"}, headers=bearer(shopper))
    assert cancel.status_code == 401
    assert stocked.get_order(order["id"])["status"] != "cancelled"


# -- one-time codes ---------------------------------------------------------------------------------------------
def test_a_code_is_traded_once_for_an_access_token(stocked, anonymous, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    asked = anonymous.post("/api/v1/shopper/codes", json={"order_number": order["number"],
                                                          "email": "jane@example.com"})
    assert asked.status_code == 202
    code = code_for(container, "jane@example.com")
    body = {"order_number": order["number"], "email": "jane@example.com"}

    wrong = anonymous.post("/api/v1/shopper/sessions", json={**body, "code": f"{(int(code) + 1) % 10**6:06d}"})
    right = anonymous.post("/api/v1/shopper/sessions", json={**body, "code": code})
    again = anonymous.post("/api/v1/shopper/sessions", json={**body, "code": code})

    assert wrong.status_code == 401 and wrong.json()["detail"] == "The code is wrong or has expired."
    assert right.status_code == 201, right.text
    session = right.json()
    assert session["access_token"].startswith("shp_") and datetime.fromisoformat(session["expires_at"]) > utcnow()
    assert own_orders(anonymous, session["access_token"]) == [order["number"]]
    assert (again.status_code, again.json()) == (401, wrong.json())
    entries = audit(container, order["customer"]["id"])
    assert [e["action"] for e in entries] == ["shopper.code_requested", "shopper.code_verified"]
    assert entries[1]["actor_kind"] == "shopper" and entries[1]["actor_id"] == order["customer"]["id"]
    assert "@" not in str([(e["before"], e["after"]) for e in entries])


def test_five_wrong_codes_lock_the_code(stocked, anonymous, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    body = {"order_number": order["number"], "email": "jane@example.com"}
    anonymous.post("/api/v1/shopper/codes", json=body)
    code = code_for(container, "jane@example.com")
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    answers = [anonymous.post("/api/v1/shopper/sessions", json={**body, "code": wrong}).status_code for _ in range(5)]
    locked = anonymous.post("/api/v1/shopper/sessions", json={**body, "code": code})

    assert answers == [401] * 5
    assert locked.status_code == 401
    with container.engine.connect() as conn:
        assert conn.scalar(select(t.shopper_codes.c.attempts)) == 5


def test_a_code_expires_after_fifteen_minutes_and_a_new_code_retires_the_old_one(stocked, anonymous, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    body = {"order_number": order["number"], "email": "jane@example.com"}
    start = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    with frozen_at(start):
        anonymous.post("/api/v1/shopper/codes", json=body)
    first = code_for(container, "jane@example.com")
    with frozen_at(start + timedelta(minutes=15)):
        expired = anonymous.post("/api/v1/shopper/sessions", json={**body, "code": first})
        anonymous.post("/api/v1/shopper/codes", json=body)
        second = code_for(container, "jane@example.com")
        if first != second:  # (one time in a million they are equal, and the old code is the new one)
            retired = anonymous.post("/api/v1/shopper/sessions", json={**body, "code": first})
            assert retired.status_code == 401
        fresh = anonymous.post("/api/v1/shopper/sessions", json={**body, "code": second})

    assert expired.status_code == 401
    assert fresh.status_code == 201


def test_asking_for_and_using_a_code_answers_the_same_whatever_is_wrong(stocked, anonymous, container):
    janes = stocked.order([("SHIRT", 1)], customer=JANE)
    bobs = stocked.order([("SHIRT", 1)], customer=BOB)
    cases = [
        {"order_number": janes["number"], "email": "jane@example.com"},  # right: a code is mailed
        {"order_number": janes["number"], "email": "bob@example.com"},  # someone else's order
        {"order_number": bobs["number"], "email": "jane@example.com"},
        {"order_number": "BT-999999", "email": "jane@example.com"},  # no such order
        {"order_number": janes["number"], "email": "nobody@example.com"},  # no such customer
    ]

    asked = [anonymous.post("/api/v1/shopper/codes", json=case) for case in cases]
    tried = [anonymous.post("/api/v1/shopper/sessions", json={**case, "code": "000000"}) for case in cases[1:]]

    assert len({(a.status_code, a.text) for a in asked}) == 1 and asked[0].status_code == 202
    assert [m["to_address"] for m in mails(container)] == ["jane@example.com"]
    assert len({(a.status_code, a.text) for a in tried}) == 1 and tried[0].status_code == 401


# -- rate limits ------------------------------------------------------------------------------------------------
def test_too_many_links_for_one_email_answer_429_with_retry_after_and_mail_nothing(stocked, anonymous, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    with frozen_at(datetime(2031, 3, 1, 9, 20, tzinfo=UTC)):
        answers = [anonymous.post("/api/v1/shopper/links", json={"email": "jane@example.com"}) for _ in range(6)]
        unknown = [anonymous.post("/api/v1/shopper/links", json={"email": "nobody@example.com"}) for _ in range(6)]

    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert [a.status_code for a in unknown] == [202] * 5 + [429]  # limited alike: nothing to learn
    assert answers[-1].headers["retry-after"] == "2400"  # the rest of the hour's window
    assert answers[-1].json()["code"] == "rate_limited"
    assert len(mails(container)) == 5


def test_one_address_asking_about_many_emails_is_limited(stocked, anonymous, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    answers = [anonymous.post("/api/v1/shopper/links", json={"email": f"guess{i}@example.com"}) for i in range(30)]

    limited = anonymous.post("/api/v1/shopper/links", json={"email": "jane@example.com"})
    code = anonymous.post("/api/v1/shopper/codes", json={"order_number": "BT-100001", "email": "jane@example.com"})

    assert {a.status_code for a in answers} == {202}
    assert limited.status_code == code.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert mails(container) == []


def test_guessing_codes_for_one_order_is_limited_even_across_new_codes(stocked, anonymous, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    body = {"order_number": order["number"], "email": "jane@example.com"}
    answers = []
    for _ in range(3):
        anonymous.post("/api/v1/shopper/codes", json=body)
        answers += [anonymous.post("/api/v1/shopper/sessions", json={**body, "code": "1"}).status_code
                    for _ in range(4)]
    right = anonymous.post("/api/v1/shopper/sessions", json={**body, "code": code_for(container, "jane@example.com")})

    assert answers == [401] * 10 + [429] * 2
    assert right.status_code == 429


def test_two_processes_sharing_a_rate_limit_never_let_more_than_the_limit_through(container):
    limit, hits_each = 25, 40
    start = threading.Barrier(2)
    moment = datetime(2031, 3, 1, 9, 30, tzinfo=UTC)  # far from a window boundary, in every thread

    def hammer() -> int:
        allowed = 0
        with frozen_at(moment):
            start.wait()
            for _ in range(hits_each):
                uow = container.uow()
                with uow:
                    verdict = uow.rate_limits.hit("test:shared", 3600, limit)
                    uow.commit()
                allowed += verdict is None
        return allowed

    with ThreadPoolExecutor(2) as pool:
        results = [f.result() for f in [pool.submit(hammer), pool.submit(hammer)]]

    assert sum(results) == limit
    with container.engine.connect() as conn:
        assert conn.scalar(select(t.rate_limits.c.hits).where(t.rate_limits.c.bucket == "test:shared")) == 2 * hits_each
