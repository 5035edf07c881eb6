"""What the console's operations pages (fulfilment, inventory, returns) share: the location choices of the
signed-in user (another location's is as good as unknown: the 404 page of console.PageRoute), the checks of a
form's location and units per line, and the POST/redirect/GET action runner that shows a refusal next to its
field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection, Engine, select

from baton.adapters.db import tables as t
from baton.shared.actor import Actor
from baton.shared.errors import BatonError, Conflict, Forbidden, InvalidInput, NotFound
from baton.shared.idempotency import Idempotent, fingerprint

PAGE_SIZE = 50


def locations(conn: Connection, actor: Actor) -> list[dict[str, str]]:
    """The active locations the actor works for (every one for a role not scoped to locations)."""
    c = t.locations.c
    rows = conn.execute(select(c.code, c.name).where(c.active.is_(True)).order_by(c.priority, c.code))
    return [{"code": row.code, "name": row.name} for row in rows if actor.reaches(row.code)]


def location_or_404(conn: Connection, actor: Actor, code: str) -> dict[str, str]:
    """One of the actor's locations; another location is as good as absent."""
    found = next((loc for loc in locations(conn, actor) if loc["code"] == code), None)
    if found is None:
        raise NotFound(f"There is no location {code[:32]} you work for.")
    return found


def chosen_location(reads: Engine, actor: Actor, code: str, missing: str) -> str:
    """The location code typed into a form, when it is one of the actor's; `missing` says why one is needed."""
    if not code:
        raise InvalidInput("location", missing)
    with reads.connect() as conn:
        if code not in {loc["code"] for loc in locations(conn, actor)}:
            raise InvalidInput("location", "is not one of your locations.")
    return code


def location_name(conn: Connection, code: str) -> str:
    name = conn.scalar(select(t.locations.c.name).where(t.locations.c.code == code))
    return str(name) if name else code


def once(request: Request, form_key: str, values: list[Any]) -> Idempotent | None:
    """The form's own key as an Idempotency-Key: a double-submitted form acts once."""
    if not form_key:
        return None
    scope = f"POST {request.url.path}"
    return Idempotent(scope, form_key[:64], fingerprint(scope, values))


def count(name: str, value: str, *, minimum: int = 0) -> int:
    """A whole number of units typed into a form."""
    try:
        number = int(value.strip() or "0")
    except ValueError:
        raise InvalidInput(name, "is not a whole number.") from None
    if number < minimum:
        raise InvalidInput(name, "cannot be negative." if minimum == 0 else f"must be at least {minimum}.")
    if number > 1_000_000:
        raise InvalidInput(name, "is too large.")
    return number


def units_per_line(ids: list[str], counts: list[str], none: str) -> dict[str, int]:
    """{line id: units} from the form's `line_id` and `quantity` fields, one pair a line; lines left at 0 are not
    part of it, and `none` is the message when every line is."""
    if len(ids) != len(counts) or not ids:
        raise InvalidInput("form", "the form is incomplete; reload the page.")
    units = {line: count(f"quantity.{line}", typed) for line, typed in zip(ids, counts, strict=True)}
    units = {line: n for line, n in units.items() if n}
    if not units:
        raise InvalidInput(f"quantity.{ids[0]}", none)
    return units


def act(name: str, fields: set[str], change: Callable[[], object], again: Callable[[dict[str, str], int], Response],
        done: str) -> Response:
    """Run one action; a refusal re-renders the page (`again(errors, status)`) with the message next to its field
    (`name.field`, or `name.form` for a field the form does not show); success redirects to `done`."""
    try:
        change()
    except InvalidInput as refused:
        field = refused.field if refused.field in fields | {"form"} else "form"
        known = field == refused.field  # a field the form does not show is named in the message
        return again({f"{name}.{field}": refused.reason if known else refused.detail}, 422)
    except (Forbidden, NotFound):
        raise
    except (Conflict, BatonError) as refused:
        return again({f"{name}.form": refused.detail}, 409)
    return RedirectResponse(done, status_code=303)


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
