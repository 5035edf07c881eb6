"""The happy path of the two hottest reads, answered without FastAPI's per-request machinery.

`GET /api/v1/availability` and `GET /api/v1/track/{tracking_id}` must reach 2,000 req/s with p99 ≤ 20 ms on
two cores shared with PostgreSQL (bench/RESULTS.md, "Where the time goes"). Once the statements were prepared,
most of their CPU was framework: exception and exit-stack layers, route matching over hundreds of routes,
dependency solving and Pydantic's validation of the repeated `sku` parameter. This middleware, just inside
`RequestScope`, answers only requests it can prove are a success, by calling what the routes call (the bearer
check and `permitted` of auth.py, `identity.services.authenticate`, the shaping of `inventory.available`,
`public.tracked`), so the answer is the same bytes; availability reads the token and the stock in one round trip
(adapters/db/fast_reads.py). Everything else — no or bad token, a role without inventory.read, a query the
route would refuse or that has anything but `sku` in it, an unknown tracking id, HEAD, a root path — goes to the
full app, so every error answer still comes from the one place that makes it; a failure on the way (the
database) is answered by the app's own exception handlers, as the route's would be. The routes stay declared in
FastAPI: for the OpenAPI document and as that fallback. tests/integration/test_fast_reads.py holds both paths
to the same answers.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from baton.adapters.db.fast_reads import token_and_stock
from baton.entrypoints.http import inventory, public
from baton.entrypoints.http.auth import bearer_secret, permitted, scope_read_connection
from baton.entrypoints.http.deps import fast_json
from baton.identity import services
from baton.identity.permissions import Action
from baton.identity.tokens import ApiToken
from baton.inventory.queries import StockRow
from baton.shared.errors import Forbidden, Unauthenticated

AVAILABILITY = "/api/v1/availability"
TRACK = "/api/v1/track/"
_PLAIN_SKUS = re.compile(rb"sku=[A-Za-z0-9_.\-/]+(?:&sku=[A-Za-z0-9_.\-/]+)*")  # the characters a SKU may have


class FastReads:
    """Pure ASGI middleware; see the module docstring. `RequestScope` (outside it) adds the request id and
    returns the read connection, whichever path answered."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = None
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            try:
                response = _answer(scope)
            except Exception as exc:  # answered as the app's exception handlers answer it
                response = await _handled(scope, receive, exc)
        if response is None:
            _release(scope)
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)


def _answer(scope: Scope) -> Response | None:
    """The route's answer when the request is one of the two reads and a success; None: ask the full app."""
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    if path == AVAILABILITY:
        return _availability(scope, query)
    if path.startswith(TRACK) and not query:
        tracking_id = path[len(TRACK):]  # the route's {tracking_id}: one non-empty path segment
        if tracking_id and "/" not in tracking_id and "\x00" not in tracking_id:  # NUL: problems.RefuseNul's
            found = public.tracked(scope, tracking_id)
            return fast_json(found) if found is not None else None
    return None


def _availability(scope: Scope, query: bytes) -> Response | None:
    # Only a query of plain `sku=` parameters: no escapes (so no NUL either), `+` or blanks, nothing to decode,
    # so splitting it yields what the route's request.query_params would. Anything else is the full app's.
    if _PLAIN_SKUS.fullmatch(query) is None:
        return None
    skus = [part[4:].decode("ascii") for part in query.split(b"&")]
    if len(skus) > inventory.SKUS_PER_REQUEST:  # (at least one: the pattern wants one)
        return None
    unique = list(dict.fromkeys(skus))
    stock: list[StockRow] = []

    def token_with_stock(conn: Connection, token_hash: str) -> ApiToken | None:  # one round trip for both
        token, rows = token_and_stock(conn, token_hash, unique)
        stock.extend(rows)
        return token

    try:
        secret = bearer_secret(_header(scope, b"authorization"))
        actor = permitted(services.authenticate(scope["app"].state.container.engine, scope_read_connection(scope),
                                                secret, lookup=token_with_stock), Action.INVENTORY_READ)
    except (Unauthenticated, Forbidden):
        return None
    return inventory.available_in(stock, unique, actor)


def _release(scope: Scope) -> None:
    """Return a read connection the fast path took before handing the request on: the app starts as if the fast
    path had not run (on SQLite a new read snapshot, which sees the token's last_used_at just touched)."""
    conn = scope.get("state", {}).pop("read_connection", None)
    if conn is not None:
        conn.close()


def _header(scope: Scope, name: bytes) -> str:
    """The first `name` header, as Starlette's `request.headers.get(name, "")` reads it."""
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), "")


async def _handled(scope: Scope, receive: Receive, exc: Exception) -> Response:
    """What the app's ExceptionMiddleware would answer (a database reset: 503); exceptions it leaves to
    ServerErrorMiddleware (the 500 problem) are raised on to it."""
    handlers: dict[Any, Any] = scope["app"].exception_handlers
    for kind in type(exc).__mro__:
        if kind is Exception:
            break
        if kind in handlers:
            answer = handlers[kind](Request(scope, receive), exc)
            return await answer if inspect.isawaitable(answer) else answer
    raise exc
