"""What the console's operations pages (fulfilment, inventory, returns) share: the route class that turns a refused
role into the 403 page and something unknown (or another location's) into the 404 page, the role check, the
location choices of the signed-in user, and the POST/redirect/GET action runner that shows a refusal next to its
field."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection, select

from baton.adapters.db import tables as t
from baton.entrypoints.web.console import SECURITY_HEADERS, ConsoleRoute, page
from baton.identity.console import SignedIn
from baton.identity.permissions import Action, allows
from baton.shared.actor import Actor
from baton.shared.errors import BatonError, Conflict, Forbidden, InvalidInput, NotFound
from baton.shared.idempotency import Idempotent, fingerprint

PAGE_SIZE = 50


class OpsRoute(ConsoleRoute):
    """On top of the console's handling: a refused role gets the 403 page, anything unknown the 404 page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Forbidden as refused:
                response = page(request, "console_message.html", {
                    "heading": "Not allowed", "text": refused.detail}, status=403)
            except NotFound as missing:
                response = page(request, "console_message.html", {
                    "heading": "Not found", "text": missing.detail}, status=404)
            response.headers.update(SECURITY_HEADERS)
            return response

        return handle


def require(signed: SignedIn, *actions: Action) -> Actor:
    """The signed-in actor, when its role may take one of `actions`; else the 403 page."""
    if not any(allows(signed.actor.role, action) for action in actions):
        wanted = " or ".join(action.value for action in actions)
        raise Forbidden(f"Your role ({signed.actor.role}) may not {wanted}.", code="permission_denied")
    return signed.actor


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


def location_name(conn: Connection, code: str) -> str:
    name = conn.scalar(select(t.locations.c.name).where(t.locations.c.code == code))
    return str(name) if name else code


def once(request: Request, form_key: str, values: list[Any]) -> Idempotent | None:
    """The form's own key as an Idempotency-Key: a double-submitted form acts once."""
    if not form_key:
        return None
    scope = f"POST {request.url.path}"
    return Idempotent(scope, form_key[:64], fingerprint(scope, values))


def text(name: str, value: str, limit: int = 500) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(name, "is required.")
    if len(cleaned) > limit:
        raise InvalidInput(name, f"is longer than {limit} characters.")
    return cleaned


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
