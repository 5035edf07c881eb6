"""RFC 9457 problem details for every error, so clients can rely on one shape."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from baton.shared.errors import BatonError, Conflict, Forbidden, InvalidInput, NotFound, RateLimited, Unauthenticated

log = logging.getLogger("baton.http")
PROBLEM = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None
    shortages: list[dict[str, Any]] | None = None


def problem(status: int, title: str, detail: str, code: str, **extra: Any) -> JSONResponse:
    body = {"type": f"https://baton.dev/problems/{code}", "title": title, "status": status, "detail": detail,
            "code": code, **{k: v for k, v in extra.items() if v is not None}}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'lines', 0, 'sku') -> 'lines[0].sku'; query and header names stay plain."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def _located(error: dict[str, Any], body: Any) -> tuple[Any, ...]:
    """Where a body error is, as the client wrote it. Pydantic puts the tag of a discriminated union's member in
    the location (('body', 'countries_differ', 'params', 'x')); such a part names no key of the body there and is
    dropped. An unknown or missing tag is the discriminator's fault, so it is named ('kind')."""
    loc = tuple(error.get("loc", ()))
    if not loc or loc[0] != "body":
        return loc
    kept: list[Any] = [loc[0]]
    value = body
    for position, part in enumerate(loc[1:], start=1):
        last = position == len(loc) - 1
        if isinstance(part, str) and isinstance(value, dict) and part not in value and not last:
            continue
        kept.append(part)
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            value = None
    if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        kept.append(str((error.get("ctx") or {}).get("discriminator", "")).strip("'\""))
    return tuple(kept)


class RefuseNul:
    """Pure ASGI middleware: PostgreSQL cannot store NUL in text, so a NUL in the path or query is refused,
    naming where it was. (Starlette's BaseHTTPMiddleware would cost every request far more.)"""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query: bytes = scope.get("query_string", b"")
            if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
                names = [k for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
                         if "\x00" in k or "\x00" in v]
                name = names[0] if names else "path"
                response = problem(422, "Invalid request", f"{name}: must not contain NUL characters.",
                                   "validation_failed", errors=[{"field": name, "message": "must not contain NUL."}])
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(RefuseNul)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": field_name(_located(e, exc.body)), "message": _message(e)} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "Invalid request", detail, "validation_failed", errors=errors)

    @app.exception_handler(InvalidInput)
    async def _invalid(_request: Request, exc: InvalidInput) -> JSONResponse:
        return problem(422, "Invalid request", exc.detail, exc.code,
                       errors=[{"field": exc.field, "message": exc.reason}])

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return problem(404, "Not found", exc.detail, exc.code)

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(_request: Request, exc: Unauthenticated) -> JSONResponse:
        response = problem(401, "Not signed in", exc.detail, exc.code)
        response.headers["WWW-Authenticate"] = 'Bearer realm="baton"'
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(_request: Request, exc: Forbidden) -> JSONResponse:
        return problem(403, "Forbidden", exc.detail, exc.code)

    @app.exception_handler(RateLimited)
    async def _rate_limited(_request: Request, exc: RateLimited) -> JSONResponse:
        response = problem(429, "Too many requests", exc.detail, exc.code)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(Conflict)
    async def _conflict(_request: Request, exc: Conflict) -> JSONResponse:
        return problem(409, "Conflict", exc.detail, exc.code, **exc.extra)

    @app.exception_handler(BatonError)
    async def _other(_request: Request, exc: BatonError) -> JSONResponse:
        return problem(400, "Bad request", exc.detail, exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's answer to a body it cannot decode at all
            detail = "the body could not be read as UTF-8 JSON; send a JSON object."
            return problem(422, "Invalid request", f"body: {detail}", "validation_failed",
                           errors=[{"field": "body", "message": detail}])
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem(exc.status_code, str(exc.detail), str(exc.detail), code)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:  # the database restarted under a pooled connection: retry is safe
            response = problem(503, "Database connection reset", "The connection to the database was reset; "
                               "nothing was changed. Retry the request.", "database_reconnecting")
        elif isinstance(exc, OperationalError) and exc.statement is None:
            # no connection to be had (the server is down, or out of connection slots at a peak), or a commit
            # the database could not carry out: nothing was written, so the same request may be sent again
            log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
            response = problem(503, "Database unavailable", "The database cannot take this request right now; "
                               "nothing was changed. Retry the request.", "database_unavailable")
        else:
            return await _bug(request, exc)
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "Something went wrong on our side; it has been logged.", "internal")


def document(app: FastAPI) -> None:
    """Every operation that takes input documents 422 as the problem+json it really answers."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        ref = {"$ref": "#/components/schemas/Problem"}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                takes_input = operation.get("parameters") or operation.get("requestBody")
                if takes_input or "422" in operation.get("responses", {}):
                    operation.setdefault("responses", {})["422"] = {
                        "description": "Invalid input; `errors` names each field",
                        "content": {PROBLEM: {"schema": ref}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    return message.removeprefix("Value error, ")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing, wrong, revoked or expired token", "content": {PROBLEM: {}}},
    403: {"model": Problem, "description": "The token's role lacks this permission", "content": {PROBLEM: {}}},
    429: {"model": Problem, "description": "Too many attempts; see Retry-After", "content": {PROBLEM: {}}},
    404: {"model": Problem, "description": "Not found", "content": {PROBLEM: {}}},
    409: {"model": Problem, "description": "Conflicts with the current state", "content": {PROBLEM: {}}},
    422: {"model": Problem, "description": "Invalid input; `errors` names each field", "content": {PROBLEM: {}}},
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: ERRORS[code] for code in codes}


def guarded(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The responses of a route behind a token: 401 and 403 besides its own."""
    return responses(401, 403, *codes)
