"""Customer care on orders: internal notes, tags and the tag filter, and orders placed by an agent on a customer's
behalf; each on the timeline and in the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from baton.adapters.db import tables as t
from baton.orders import notes
from tests.conftest import Shop, bearer, token
from tests.integration.test_shopper_access import token_for


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A")
    shop.stock("WH-BER", "A", 100)
    return shop


def timeline(client, order_id: str, kind: str, headers: dict | None = None) -> list[dict]:
    items = client.get(f"/api/v1/orders/{order_id}/timeline", headers=headers).json()["items"]
    return [e for e in items if e["kind"] == kind]


def audit(client, order_id: str, action: str) -> list[dict]:
    """Oldest first."""
    items = client.get("/api/v1/audit", params={"target_id": order_id, "action": action}).json()["items"]
    return sorted(items, key=lambda e: (e["at"], e["id"]))


def rows(container, table) -> int:
    with container.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)))


# -- notes ---------------------------------------------------------------------------------------------------------
def test_an_agent_writes_a_note_that_is_listed_on_the_timeline_and_audited(stocked, anonymous, container):
    # Given an order and an agent
    order = stocked.order([("A", 1)])
    agent = bearer(token(container, "agent", name="Maria Lopez"))
    # When the agent writes a note
    response = anonymous.post(f"/api/v1/orders/{order['id']}/notes", headers=agent,
                              json={"text": "  Customer called: leave the parcel with the neighbour.  "})
    # Then it is stored trimmed, listed, said on the timeline by the agent, and audited without its text
    assert response.status_code == 201, response.text
    note = response.json()
    assert (note["author"], note["text"]) == ("Maria Lopez (agent)",
                                              "Customer called: leave the parcel with the neighbour.")
    listed = anonymous.get(f"/api/v1/orders/{order['id']}/notes", headers=agent).json()["items"]
    assert [n["id"] for n in listed] == [note["id"]]
    [entry] = timeline(anonymous, order["id"], "note", agent)
    assert entry["message"] == "Note by Maria Lopez (agent): Customer called: leave the parcel with the neighbour."
    assert entry["actor"] == "Maria Lopez (agent)"


def test_notes_are_audited_without_their_text(stocked, client):
    order = stocked.order([("A", 1)])
    client.post(f"/api/v1/orders/{order['id']}/notes", json={"text": "Jane asked for a call back"})
    [entry] = audit(client, order["id"], "order.note")
    assert entry["after"]["characters"] == len("Jane asked for a call back")
    assert "Jane" not in str(entry)


@pytest.mark.parametrize(("body", "field"), [({"text": ""}, "text"), ({"text": "   "}, "text"),
                                             ({"text": "x" * 5001}, "text"), ({}, "text"),
                                             ({"text": "ok", "pinned": True}, "pinned")])
def test_a_bad_note_is_refused_naming_the_field_and_changes_nothing(stocked, client, container, body, field):
    order = stocked.order([("A", 1)])
    before = client.get(f"/api/v1/orders/{order['id']}/timeline").json()
    response = client.post(f"/api/v1/orders/{order['id']}/notes", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}
    assert rows(container, t.order_notes) == 0
    assert client.get(f"/api/v1/orders/{order['id']}/timeline").json() == before


def test_notes_and_tags_of_an_unknown_order_are_404(client, container):
    for response in (client.post("/api/v1/orders/ord_nope/notes", json={"text": "hello"}),
                     client.get("/api/v1/orders/ord_nope/notes"),
                     client.put("/api/v1/orders/ord_nope/tags", json={"tags": ["vip"]}),
                     client.get("/api/v1/orders/ord_nope/tags")):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "order_not_found"
    assert rows(container, t.order_notes) == rows(container, t.order_tags) == 0


def test_an_analyst_may_not_read_notes_and_a_shopper_never_sees_them(stocked, anonymous, client, container):
    order = stocked.order([("A", 1)])
    client.post(f"/api/v1/orders/{order['id']}/notes", json={"text": "Suspicious address, checked by phone"})
    analyst = bearer(token(container, "analyst"))
    assert anonymous.get(f"/api/v1/orders/{order['id']}/notes", headers=analyst).status_code == 403
    shopper = bearer(token_for(anonymous, container, "jane@example.com"))
    own = anonymous.get(f"/api/v1/shopper/orders/{order['number']}", headers=shopper)
    assert own.status_code == 200 and "Suspicious" not in own.text
    own = anonymous.get(f"/api/v1/self-service/orders/{order['number']}", headers=shopper)
    assert own.status_code == 200 and "Suspicious" not in own.text


# -- tags ----------------------------------------------------------------------------------------------------------
def test_tags_are_set_said_on_the_timeline_audited_and_filter_the_order_list(stocked, client):
    # Given two orders
    vip = stocked.order([("A", 1)])
    plain = stocked.order([("A", 1)])
    # When one is tagged, then one tag is swapped for another
    first = client.put(f"/api/v1/orders/{vip['id']}/tags", json={"tags": ["VIP", "fragile", "vip"]})
    second = client.put(f"/api/v1/orders/{vip['id']}/tags", json={"tags": ["vip", "gift"]})
    # Then the tags are normalised, listed, on the timeline and in the audit log
    assert first.status_code == 200, first.text
    assert first.json()["tags"] == ["fragile", "vip"] and second.json()["tags"] == ["gift", "vip"]
    assert client.get(f"/api/v1/orders/{vip['id']}/tags").json()["tags"] == ["gift", "vip"]
    assert [e["message"] for e in timeline(client, vip["id"], "tagged")] == [
        "Tagged fragile, vip.", "Tagged gift; untagged fragile."]
    assert [(e["before"], e["after"]) for e in audit(client, vip["id"], "order.tags")] == [
        ({"tags": []}, {"tags": ["fragile", "vip"]}), ({"tags": ["fragile", "vip"]}, {"tags": ["gift", "vip"]})]
    # And the order list filters by tag, in any case
    assert [o["id"] for o in client.get("/api/v1/orders", params={"tag": "VIP"}).json()["items"]] == [vip["id"]]
    assert client.get("/api/v1/orders", params={"tag": "fragile"}).json()["items"] == []
    assert len(client.get("/api/v1/orders").json()["items"]) == 2 and plain["id"]


def test_the_same_tags_again_change_nothing_and_are_audited_as_a_request(stocked, client):
    order = stocked.order([("A", 1)])
    client.put(f"/api/v1/orders/{order['id']}/tags", json={"tags": ["vip"]})
    again = client.put(f"/api/v1/orders/{order['id']}/tags", json={"tags": ["vip"]})
    assert again.status_code == 200 and again.json()["tags"] == ["vip"]
    assert len(timeline(client, order["id"], "tagged")) == 1
    assert [(e["before"], e["after"]) for e in audit(client, order["id"], "order.tags")] == [
        ({"tags": []}, {"tags": ["vip"]}), ({}, {})]  # the second request: nothing changed


def test_an_empty_list_removes_every_tag(stocked, client):
    order = stocked.order([("A", 1)])
    client.put(f"/api/v1/orders/{order['id']}/tags", json={"tags": ["vip", "b2b-lead"]})
    cleared = client.put(f"/api/v1/orders/{order['id']}/tags", json={"tags": []})
    assert cleared.json()["tags"] == []
    assert timeline(client, order["id"], "tagged")[-1]["message"] == "Untagged b2b-lead, vip."


@pytest.mark.parametrize(("tags", "field"), [(["x" * 41], "tags[0]"), (["vip", "two words"], "tags[1]"),
                                             (["-dash"], "tags[0]"), ([""], "tags[0]"),
                                             ([f"t{i}" for i in range(21)], "tags")])
def test_a_bad_tag_is_refused_naming_it_and_changes_nothing(stocked, client, container, tags, field):
    order = stocked.order([("A", 1)])
    client.put(f"/api/v1/orders/{order['id']}/tags", json={"tags": ["keep"]})
    response = client.put(f"/api/v1/orders/{order['id']}/tags", json={"tags": tags})
    assert response.status_code == 422, response.text
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()
    assert client.get(f"/api/v1/orders/{order['id']}/tags").json()["tags"] == ["keep"]
    assert len(timeline(client, order["id"], "tagged")) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite has one writer at a time anyway
def test_two_agents_tagging_one_order_at_once_take_turns(stocked, client, container):
    """Each replaces the whole set while holding the order's row: every outcome is one of the two sets, and the
    timeline and audit log name every change that happened, never a lost one."""
    order = stocked.order([("A", 1)])
    sets = [["vip"], ["fragile"], ["gift"], ["vip", "gift"]] * 4

    def tag(tags: list[str]) -> list[str]:
        return notes.set_tags(container.uow(), order["id"], tags, "agent")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(tag, sets))
    final = client.get(f"/api/v1/orders/{order['id']}/tags").json()["tags"]
    entries = [e for e in audit(client, order["id"], "order.tags") if e["after"]]  # requests that changed them
    # the changes chain: each one starts from what the one before left, and the last left what is stored now
    for earlier, later in pairwise(entries):
        assert later["before"].get("tags", []) == earlier["after"].get("tags", [])
    assert entries[-1]["after"]["tags"] == final


# -- an order on behalf ----------------------------------------------------------------------------------------------
def test_an_order_placed_by_an_agent_by_phone_names_the_agent_and_the_customer(stocked, anonymous, client, container):
    # Given an agent's token
    agent = bearer(token(container, "agent", name="Maria Lopez"))
    # When the agent places an order for Jane on the phone channel
    body = stocked.order_body([("A", 2)], channel="phone")
    response = anonymous.post("/api/v1/orders", headers=agent, json=body)
    assert response.status_code == 201, response.text
    order = response.json()
    # Then the timeline says who placed it for whom, and the audit log names the agent's token
    [entry] = timeline(client, order["id"], "placed_on_behalf")
    assert entry["message"] == "Placed by Maria Lopez (agent) on behalf of jane@example.com, by phone."
    assert entry["actor"] == "Maria Lopez (agent)"
    [placed] = audit(client, order["id"], "order.place")
    assert (placed["actor_kind"], placed["actor_name"], placed["actor_role"]) == ("token", "Maria Lopez", "agent")
    # And an order from the web shop says nothing of the kind
    web = stocked.order([("A", 1)])
    assert timeline(client, web["id"], "placed_on_behalf") == []
