"""Finding customers: agents search by email, name, phone or order number (case-insensitive, prefix match).

Email is stored lower case, so its prefix match is a plain LIKE; a name matches from its start or from the start
of any word in it (the surname); a phone matches on its digits, whatever spaces and dashes it was typed with; an
order number matches exactly through its unique index. Results come in id order with a cursor, like the plain
customer list."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select

from baton.adapters.db import tables as t
from baton.shared import cursor as cursors
from baton.shared.errors import InvalidInput

MIN_DIGITS = 3  # fewer digits would match half the phone book
_PHONE_NOISE = (" ", "-", "(", ")", ".", "/", "+")
_NOT_DIGITS = re.compile(r"\D")
_PHONE = re.compile(r"^[0-9 ()./+-]+$")


def search(conn: Connection, q: str | None, email: str | None, limit: int,
           cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    c = t.customers.c
    orders = select(func.count()).select_from(t.orders).where(t.orders.c.customer_id == c.id).scalar_subquery()
    stmt = select(c.id, c.email, c.name, c.phone, c.created_at, c.erased_at, c.language, orders.label("orders"))
    if email is not None:
        stmt = stmt.where(c.email == email.strip().lower())
    if q is not None:
        stmt = stmt.where(or_(*matches(q)))
    if cursor:
        stmt = stmt.where(c.id > str(cursors.decode(cursor, 1)[0]))
    rows = [dict(row._mapping) for row in conn.execute(stmt.order_by(c.id).limit(limit + 1))]
    for row in rows:
        row["erased"] = row["erased_at"] is not None
    next_cursor = cursors.encode([rows[limit - 1]["id"]]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def matches(q: str) -> list[ColumnElement[bool]]:
    """The conditions any one of which makes a customer a match for `q`."""
    term = q.strip().lower()
    if not term:
        raise InvalidInput("q", "type part of an email, a name, a phone number or an order number.")
    c, o = t.customers.c, t.orders.c
    prefix = _escape(term) + "%"
    name = func.lower(c.name)
    found: list[ColumnElement[bool]] = [
        c.email.like(prefix, escape="\\"),
        name.like(prefix, escape="\\"),
        name.like("% " + prefix, escape="\\"),
        c.id.in_(select(o.customer_id).where(o.number == term.upper())),
    ]
    digits = _NOT_DIGITS.sub("", term)
    if len(digits) >= MIN_DIGITS and _PHONE.match(term):  # "+49 30 555", "030-555": a phone number, typed
        found.append(_digits(c.phone).like(digits + "%"))
    return found


def _digits(column: Any) -> Any:
    for noise in _PHONE_NOISE:
        column = func.replace(column, noise, "")
    return column


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
