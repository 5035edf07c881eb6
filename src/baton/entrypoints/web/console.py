"""The console's front door: sign-in, sign-out here or everywhere (the signed-in home page, /console/, is the
dashboard: console_dashboard.py).

What later console pages build on:
- `router` uses `ConsoleRoute`, which turns `SignInRequired` into a redirect to the sign-in page, `CsrfRejected`
  into a 403 page, and puts no-store and anti-framing headers on every answer; the page modules that check roles
  use `PageRoute`, which also turns `Forbidden` (see `require`) into the 403 page and `NotFound` into the 404 page;
- `SignedInDep` / `console_user` give the signed-in session / actor (or redirect), `CsrfChecked` checks the
  `csrf_token` field of a form against the session's own token;
- `require` checks the signed-in role against `baton.identity.permissions`, `required_text` a form's text field;
- routes declare `openapi_extra=CONSOLE` (see `declare_permissions`).

The session cookie holds a random value whose SHA-256 is the session's key; Secure, HttpOnly, SameSite=Lax.
The sign-in form, shown before any session exists, is protected by a signed double-submit token: the same
itsdangerous-signed, expiring value in the `baton_csrf` cookie and in the form's hidden field (see csrf.py)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from baton.bootstrap import Container
from baton.entrypoints.http.auth import public, request_id, source_of
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web.csrf import FIELD, CsrfRejected, DoubleSubmit, same
from baton.identity import console
from baton.identity.console import SignedIn, SignInRefused
from baton.identity.permissions import Action, allows
from baton.shared.actor import Actor
from baton.shared.errors import Forbidden, InvalidInput, NotFound, RateLimited

SESSION_COOKIE = "baton_session"
CSRF_COOKIE = "baton_csrf"
CSRF_FIELD = FIELD
CSRF_HEADER = "X-CSRF-Token"  # for a later script that posts without a form
CSRF_MAX_AGE = 2 * 3600  # seconds a sign-in form stays usable
CONSOLE = {"x-permission": "console"}  # openapi_extra of routes behind a console session
HOME = "/console/"
SIGN_IN = "/console/sign-in"
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
SECURITY_HEADERS = {  # on every console and portal page
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")  # autoescapes HTML
_SIGN_IN_FORM = DoubleSubmit(CSRF_COOKIE, "/console", "baton.console.sign-in", CSRF_MAX_AGE)


class SignInRequired(Exception):
    """No live console session: the route answers with a redirect to the sign-in page."""


class ConsoleRoute(APIRoute):
    """Console routes answer in HTML: redirects to sign in, a 403 page for a refused form, hardened headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired:
                response = RedirectResponse(SIGN_IN, status_code=303)
                if SESSION_COOKIE in request.cookies:  # expired or revoked: the browser may forget it
                    _forget_session(response)
            except CsrfRejected:
                response = page(request, "refused.html", status=403)
            response.headers.update(SECURITY_HEADERS)
            return response

        return handle


class PageRoute(ConsoleRoute):
    """The console pages' route class: on top of ConsoleRoute, a refused role (`require`) gets the 403 page and
    something unknown the 404 page."""

    not_found: ClassVar[str] = "Not found"  # the 404 page's heading

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Forbidden as refused:
                response = page(request, "console_message.html", {"heading": "Not allowed", "text": refused.detail},
                                status=403)
            except NotFound as missing:
                response = page(request, "console_message.html", {"heading": self.not_found, "text": missing.detail},
                                status=404)
            response.headers.update(SECURITY_HEADERS)
            return response

        return handle


router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute, include_in_schema=False)


def page(request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200) -> Response:
    return templates.TemplateResponse(request, template, context or {}, status_code=status)


# -- dependencies for every console page ----------------------------------------------------------------------
def console_session(request: Request) -> SignedIn:
    """The live session of this browser, its actor stamped with the request's address and id; else redirect."""
    container: Container = request.app.state.container
    found = console.signed_in(container.reads, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise SignInRequired()
    return replace(found, actor=found.actor.at(source_of(request), request_id(request)))


SignedInDep = Annotated[SignedIn, Depends(console_session)]


def console_user(signed: SignedInDep) -> Actor:
    """The signed-in user as an Actor (for services and the audit log), or a redirect to sign in."""
    return signed.actor


async def require_csrf(request: Request, signed: SignedInDep) -> SignedIn:
    """The session, once the request carries its CSRF token (form field `csrf_token` or X-CSRF-Token header)."""
    form = await request.form()  # parsed once; Form(...) parameters of the route read the same parse
    given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not isinstance(given, str) or not same(given, signed.csrf_token):
        raise CsrfRejected()
    return signed


CsrfChecked = Annotated[SignedIn, Depends(require_csrf)]


def require(signed: SignedIn, *actions: Action) -> Actor:
    """The signed-in actor, when its role may take one of `actions`; else Forbidden (the 403 page of PageRoute)."""
    if not any(allows(signed.actor.role, action) for action in actions):
        wanted = " or ".join(action.value for action in actions)
        raise Forbidden(f"Your role ({signed.actor.role}) may not {wanted}.", code="permission_denied")
    return signed.actor


def required_text(name: str, value: str, limit: int = 500) -> str:
    """A text field that must not be blank, trimmed; its name in the refusal."""
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(name, "is required.")
    if len(cleaned) > limit:
        raise InvalidInput(name, f"is longer than {limit} characters.")
    return cleaned


# -- routes ---------------------------------------------------------------------------------------------------
@router.get("/sign-in", openapi_extra=public())
def sign_in_form(request: Request, container: ContainerDep) -> Response:
    if console.signed_in(container.reads, request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(HOME, status_code=303)
    return _sign_in_page(request, container)


@router.post("/sign-in", openapi_extra=public())
def sign_in(request: Request, container: ContainerDep, email: Annotated[str, Form()] = "",
            password: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    # a plain def: argon2 takes a tenth of a second of CPU, which must not stall the event loop
    if not _SIGN_IN_FORM.valid(request, container.secret_key, csrf_token):
        raise CsrfRejected()
    try:
        cookie, _csrf = console.sign_in(container.uow(), email, password, source_of(request),
                                        request_id=request_id(request), hours=container.settings.session_hours,
                                        secret_key=container.secret_key)
    except SignInRefused as refused:
        return _sign_in_page(request, container, error=refused.detail, email=email, status=401)
    except RateLimited as limited:  # too many attempts from this address, whatever the password
        response = _sign_in_page(request, container, error=limited.detail, email=email, status=429)
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    response = RedirectResponse(HOME, status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=container.settings.session_hours * 3600, path="/",
                        secure=True, httponly=True, samesite="lax")
    _SIGN_IN_FORM.forget(response)
    return response


@router.post("/sign-out", openapi_extra=CONSOLE)
def sign_out(request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    console.sign_out(container.uow(actor=signed.actor), request.cookies.get(SESSION_COOKIE, ""))
    return _signed_out()


@router.post("/sign-out-everywhere", openapi_extra=CONSOLE)
def sign_out_everywhere(container: ContainerDep, signed: CsrfChecked) -> Response:
    console.sign_out_everywhere(container.uow(actor=signed.actor), signed.actor.id)
    return _signed_out()


# -- helpers --------------------------------------------------------------------------------------------------
def _signed_out() -> Response:
    response = RedirectResponse(SIGN_IN, status_code=303)
    _forget_session(response)
    return response


def _forget_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")


def _sign_in_page(request: Request, container: Container, *, error: str | None = None, email: str = "",
                  status: int = 200) -> Response:
    """The form, with a signed token in its hidden field and in the `baton_csrf` cookie. A token still young is
    kept, so two sign-in tabs do not invalidate each other."""
    token = _SIGN_IN_FORM.token(request, container.secret_key)
    insecure = request.url.scheme != "https" and (request.url.hostname or "") not in _LOOPBACK
    response = page(request, "sign_in.html", {"csrf_token": token, "error": error, "email": email[:320],
                                              "insecure": insecure}, status=status)
    _SIGN_IN_FORM.attach(response, token)
    return response
