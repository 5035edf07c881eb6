"""Authentication and authorisation at the HTTP edge.

Every route declares what it does, `actor: Annotated[Actor, allow(Action.X)]`, or is listed as public;
`declare_permissions` refuses to start an app with a route that does neither, and writes each route's
action into the OpenAPI document (`x-permission`) so clients and the authorisation tests can read it."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from sqlalchemy import Connection

from baton.identity import services
from baton.identity.errors import NotSignedIn, PermissionDenied
from baton.identity.permissions import Action, allows
from baton.shared.actor import Actor

BEARER_HELP = "An API token from `baton tokens create` or POST /api/v1/tokens."
PUBLIC = "public"  # x-permission of routes anyone may call
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def source_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def read_connection(request: Request) -> Connection:
    """One autocommit read connection for the whole request (token lookup and the route's read share it: a pool
    checkout costs as much as the query); `RequestScope` returns it to the pool when the response is sent."""
    return scope_read_connection(request.scope)


def scope_read_connection(scope: Any) -> Connection:
    """`read_connection` for code that has the ASGI scope only (fast_reads.py)."""
    state = scope.setdefault("state", {})
    conn: Connection | None = state.get("read_connection")
    if conn is None:
        conn = state["read_connection"] = scope["app"].state.container.reads.connect()
    return conn


def bearer_secret(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header value; NotSignedIn without one."""
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        raise NotSignedIn()
    return secret.strip()


def permitted(actor: Actor, action: Action) -> Actor:
    """The actor, if its role may do `action`; PermissionDenied otherwise."""
    if not allows(actor.role, action):
        raise PermissionDenied(actor.role, action.value)
    return actor


class Allow(HTTPBearer):
    """The dependency that authenticates the bearer token and checks the route's action. It is the security
    scheme itself (FastAPI documents it as HTTP bearer auth): one dependency per request, not two."""

    def __init__(self, action: Action, *, share: bool = False):
        """`share`: keep the read connection for the route (`read_connection`); for quick reads only, so that
        a long write never holds a second connection."""
        super().__init__(auto_error=False, scheme_name="HTTPBearer", description=BEARER_HELP)
        self.action = action
        self.share = share

    async def __call__(self, request: Request) -> Actor:  # type: ignore[override]
        # async: the token lookup is one indexed read; a thread hop per request would cost more
        secret = bearer_secret(request.headers.get("authorization", ""))
        container = request.app.state.container
        if self.share:
            actor = services.authenticate(container.engine, read_connection(request), secret)
        else:
            with container.reads.connect() as conn:
                actor = services.authenticate(container.engine, conn, secret)
        return permitted(actor, self.action).at(source_of(request), request_id(request))


def allow(action: Action, *, share: bool = False) -> Any:
    return Depends(Allow(action, share=share))


def public() -> dict[str, Any]:
    """openapi_extra for a route anyone may call."""
    return {"x-permission": PUBLIC}


class RequestScope:
    """Pure ASGI middleware: every request gets an id (the caller's X-Request-Id when sane), echoed in the
    response and written on the audit entries it causes; a read connection the request took is returned."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-request-id"), "")
        rid = given if _REQUEST_ID.match(given) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            conn = scope["state"].pop("read_connection", None)
            if conn is not None:
                conn.close()


def declare_permissions(router: APIRouter) -> None:
    """Write each route's action into its OpenAPI operation; refuse routes that declare nothing.
    Called on every router before the app includes it."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        actions = {d.call.action.value for d in _dependencies(route.dependant) if isinstance(d.call, Allow)}
        declared = (route.openapi_extra or {}).get("x-permission")
        if len(actions) > 1 or (actions and declared not in (None, *actions)) or not (actions or declared):
            raise RuntimeError(f"route {route.methods} {route.path} must declare exactly one permission: "
                               "allow(Action.X) or openapi_extra=public()")
        if actions:  # (a second app from the same routers finds it already written)
            route.openapi_extra = {**(route.openapi_extra or {}), "x-permission": actions.pop()}


def _dependencies(dependant: Any) -> list[Any]:
    found = []
    for dep in dependant.dependencies:
        found.append(dep)
        found.extend(_dependencies(dep))
    return found
