"""The console's settings: locations, products and tax rates here; users, API tokens and webhooks in
console_settings_access.py (its routes are part of this router).

Who may: the settings pages need settings.manage or users.manage (the navigation shows them to the same roles);
each section then needs the permission of the API it drives — catalog.write (locations, products),
settings.manage (tax rates, webhooks), users.manage (users), tokens.manage (tokens). A form is checked with the
API's own Pydantic model, then by the same service the API calls: a mistake re-renders the page with the message
next to the field and what was typed (422/409), and nothing changes; a success redirects (POST/redirect/GET)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import URL

from baton.bootstrap import Container
from baton.catalog import services as catalog
from baton.catalog.model import LocationType, StockPolicy
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.presenters import product as product_view
from baton.entrypoints.http.schemas import LocationIn, LocationUpdate, ProductIn, ProductUpdate
from baton.entrypoints.http.settings_schemas import TaxRateIn
from baton.entrypoints.web.console import CONSOLE, CsrfChecked, PageRoute, SignedInDep, page, require
from baton.identity.console import SignedIn
from baton.identity.permissions import Action, allows
from baton.shared import cursor as cursors
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from baton.tax import services as tax

router: APIRouter = APIRouter(prefix="/console", tags=["console"], route_class=PageRoute, include_in_schema=False)
M = TypeVar("M", bound=BaseModel)
PAGE_SIZE = 50
SECTIONS = {  # section → (title, the permission its forms need)
    "locations": ("Locations", Action.CATALOG_WRITE), "products": ("Products", Action.CATALOG_WRITE),
    "tax-rates": ("Tax rates", Action.SETTINGS_MANAGE), "webhooks": ("Webhooks", Action.SETTINGS_MANAGE),
    "users": ("Users", Action.USERS_MANAGE), "tokens": ("API tokens", Action.TOKENS_MANAGE),
}
DONE = {"location": "The location was saved.", "product": "The product was saved.",
        "tax-rate": "The tax rate was added.", "tax-rate-deleted": "The tax rate was deleted.",
        "user": "The user was created.", "token": "The token was revoked.",
        "webhook": "The webhook was removed.", "redeliver": "The delivery will be sent again.",
        "sessions": "The user was signed out everywhere."}


class FormInvalid(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted form's text fields (the route's CsrfChecked dependency parsed it already)."""
    form = await request.form()
    return {key: value.strip() for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}


Fields = Annotated[dict[str, str], Depends(form_fields)]


def allowed_to(signed: SignedIn, section: str) -> None:
    """The settings area, then this section's own permission; the 403 page otherwise."""
    _settings_area(signed)
    require(signed, SECTIONS[section][1])


def _settings_area(signed: SignedIn) -> None:
    role = signed.actor.role
    if not (allows(role, Action.SETTINGS_MANAGE) or allows(role, Action.USERS_MANAGE)):
        raise Forbidden(f"Your role ({role}) may not open the settings.", code="permission_denied")


def checked(model: type[M], data: dict[str, Any]) -> M:
    """The form as the API's model; every shape mistake named by its field (an address part by its own name)."""
    try:
        return model.model_validate({key: value for key, value in data.items()
                                     if key in model.model_fields and value not in ("", None)})
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for error in invalid.errors():
            loc = [str(part) for part in error["loc"]]
            name = loc[1] if loc[0] == "address" and len(loc) > 1 else loc[0]
            errors.setdefault(name, _message(error))
        raise FormInvalid(errors) from None


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required."
    if kind == "string_pattern_mismatch":
        return "has a character or format that is not allowed here."
    return str(error["msg"]).removeprefix("Value error, ").rstrip(".") + "."


def settle(render: Callable[[dict[str, str], int], Response], change: Callable[[], object], done_url: str,
           fields: set[str]) -> Response:
    """Run one change; a refusal re-renders the page with the message next to its field, or above the form."""
    try:
        change()
    except (FormInvalid, InvalidInput) as refused:
        return render(errors_of(refused, fields), 422)
    except Conflict as refused:
        return render({"form": refused.detail}, 409)
    return RedirectResponse(done_url, status_code=303)


def errors_of(refused: FormInvalid | InvalidInput, fields: set[str]) -> dict[str, str]:
    """A refusal's messages by field; one about something the form has no field for goes above the form."""
    found = refused.errors if isinstance(refused, FormInvalid) else {refused.field: refused.reason}
    return {name if name in fields else "form": message for name, message in found.items()}


def settings_page(request: Request, signed: SignedIn, section: str, context: dict[str, Any],
                  status: int = 200, template: str = "console_settings.html") -> Response:
    role = signed.actor.role
    sections = {key: title for key, (title, action) in SECTIONS.items() if allows(role, action)}
    base = {"signed": signed, "csrf_token": signed.csrf_token, "section": section, "sections": sections,
            "errors": {}, "typed": {}, "done": DONE.get(str(request.query_params.get("done", ""))),
            "now": utcnow(), "today": utcnow().date()}
    return page(request, template, {**base, **context}, status=status)


# -- the overview ---------------------------------------------------------------------------------------------
@router.get("/settings", openapi_extra=CONSOLE)
def overview(request: Request, signed: SignedInDep) -> Response:
    _settings_area(signed)
    return settings_page(request, signed, "", {})


# -- locations ------------------------------------------------------------------------------------------------
LOCATION_FIELDS = {"code", "name", "type", "line1", "city", "postal_code", "country", "latitude", "longitude",
                   "ships", "pickup", "priority", "daily_capacity", "active"}


@router.get("/settings/locations", openapi_extra=CONSOLE)
def locations(request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    allowed_to(signed, "locations")
    return _locations_page(request, container, signed)


@router.post("/settings/locations", openapi_extra=CONSOLE)
def create_location(request: Request, container: ContainerDep, signed: CsrfChecked, form: Fields) -> Response:
    allowed_to(signed, "locations")

    def create() -> None:
        body = checked(LocationIn, {**form, "address": _address(form), "ships": "ships" in form,
                                    "pickup": "pickup" in form})
        catalog.create_location(container.uow(actor=signed.actor), catalog.LocationData(
            body.code, body.name, LocationType(body.type), body.address.model_dump(exclude_none=True),
            body.latitude, body.longitude, body.ships, body.pickup, body.priority, body.daily_capacity))

    return settle(lambda errors, status: _locations_page(request, container, signed, errors, form, status),
                  create, "/console/settings/locations?done=location", LOCATION_FIELDS)


@router.get("/settings/locations/{code}", openapi_extra=CONSOLE)
def location(code: str, request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    allowed_to(signed, "locations")
    return _location_page(request, container, signed, code)


@router.post("/settings/locations/{code}", openapi_extra=CONSOLE)
def update_location(code: str, request: Request, container: ContainerDep, signed: CsrfChecked,
                    form: Fields) -> Response:
    allowed_to(signed, "locations")
    _location_or_404(container, code)

    def update() -> None:
        body = checked(LocationUpdate, {**{k: form.get(k, "") for k in ("name", "priority", "daily_capacity")},
                                        "ships": "ships" in form, "pickup": "pickup" in form,
                                        "active": "active" in form})
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        if not form.get("daily_capacity"):
            changes["daily_capacity"] = None  # an empty field lifts the capacity
        catalog.update_location(container.uow(actor=signed.actor), code, changes)

    return settle(lambda errors, status: _location_page(request, container, signed, code, errors, form, status),
                  update, "/console/settings/locations?done=location", LOCATION_FIELDS)


def _address(form: dict[str, str]) -> dict[str, str]:
    return {key: form[key] for key in ("line1", "city", "postal_code") if form.get(key)} | (
        {"country": form["country"].upper()} if form.get("country") else {})


def _locations_page(request: Request, container: Container, signed: SignedIn, errors: dict[str, str] | None = None,
                    typed: dict[str, str] | None = None, status: int = 200) -> Response:
    with container.reader() as uow:
        found = uow.locations.page(1000, None)
    return settings_page(request, signed, "locations", {
        "locations": found, "location_types": list(LocationType), "errors": errors or {},
        "typed": typed if typed is not None else {"ships": "on"}}, status)


def _location_or_404(container: Container, code: str) -> Any:
    with container.reader() as uow:
        found = uow.locations.get(code)
    if found is None:
        raise NotFound(f"There is no location {code[:32]}.")
    return found


def _location_page(request: Request, container: Container, signed: SignedIn, code: str,
                   errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
                   status: int = 200) -> Response:
    found = _location_or_404(container, code)
    current = {"name": found.name, "priority": str(found.priority),
               "daily_capacity": "" if found.daily_capacity is None else str(found.daily_capacity),
               **{flag: "on" for flag in ("ships", "pickup", "active") if getattr(found, flag)}}
    return settings_page(request, signed, "locations", {"location": found, "errors": errors or {},
                                                        "typed": typed if typed is not None else current},
                         status, template="console_settings_item.html")


# -- products -------------------------------------------------------------------------------------------------
PRODUCT_FIELDS = {"sku", "name", "category", "price", "currency", "stock_policy", "tax_class", "weight_grams",
                  "active", "returnable"}


@router.get("/settings/products", openapi_extra=CONSOLE)
def products(request: Request, container: ContainerDep, signed: SignedInDep, cursor: str = "") -> Response:
    allowed_to(signed, "products")
    return _products_page(request, container, signed, cursor=cursor)


@router.post("/settings/products", openapi_extra=CONSOLE)
def create_product(request: Request, container: ContainerDep, signed: CsrfChecked, form: Fields) -> Response:
    allowed_to(signed, "products")

    def create() -> None:
        body = checked(ProductIn, {**form, "currency": form.get("currency", "").upper(),
                                   "returnable": "returnable" in form})
        catalog.create_product(container.uow(actor=signed.actor), catalog.ProductData(
            body.sku, body.name, body.category, body.price, body.currency, StockPolicy(body.stock_policy),
            None, body.weight_grams, body.tax_class, body.returnable))

    return settle(lambda errors, status: _products_page(request, container, signed, errors, form, status),
                  create, "/console/settings/products?done=product", PRODUCT_FIELDS)


@router.get("/settings/products/{sku:path}", openapi_extra=CONSOLE)
def product(sku: str, request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    allowed_to(signed, "products")
    return _product_page(request, container, signed, sku)


@router.post("/settings/products/{sku:path}", openapi_extra=CONSOLE)
def update_product(sku: str, request: Request, container: ContainerDep, signed: CsrfChecked,
                   form: Fields) -> Response:
    allowed_to(signed, "products")
    _product_or_404(container, sku)

    def update() -> None:
        body = checked(ProductUpdate, {**{k: form.get(k, "") for k in ("name", "category", "price", "stock_policy",
                                                                        "tax_class")},
                                       "currency": form.get("currency", "").upper(), "active": "active" in form,
                                       "returnable": "returnable" in form})
        if body.price is not None and body.currency is None:
            raise FormInvalid({"currency": "is required with a price."})
        catalog.update_product(container.uow(actor=signed.actor), sku,
                               body.model_dump(exclude_unset=True, exclude_none=True))

    return settle(lambda errors, status: _product_page(request, container, signed, sku, errors, form, status),
                  update, "/console/settings/products?done=product", PRODUCT_FIELDS)


def _products_page(request: Request, container: Container, signed: SignedIn, errors: dict[str, str] | None = None,
                   typed: dict[str, str] | None = None, status: int = 200, cursor: str = "") -> Response:
    after = None
    if cursor:
        try:
            after = str(cursors.decode(cursor, 1)[0])
        except InvalidInput as bad:
            errors, status = {"cursor": bad.reason}, 422
    with container.reader() as uow:
        found = uow.products.page(PAGE_SIZE + 1, after, None)
    next_url = (str(URL("/console/settings/products").include_query_params(
        cursor=cursors.encode([found[PAGE_SIZE - 1].sku]))) if len(found) > PAGE_SIZE else None)
    return settings_page(request, signed, "products", {
        "products": [product_view(p) for p in found[:PAGE_SIZE]], "next_url": next_url, "first_page": not cursor,
        "stock_policies": list(StockPolicy), "errors": errors or {},
        "typed": typed if typed is not None else {"currency": container.settings.base_currency,
                                                  "tax_class": "standard", "returnable": "on"}}, status)


def _product_or_404(container: Container, sku: str) -> Any:
    with container.reader() as uow:
        found = uow.products.get(sku)
    if found is None:
        raise NotFound(f"There is no product {sku[:64]}.")
    return found


def _product_page(request: Request, container: Container, signed: SignedIn, sku: str,
                  errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
                  status: int = 200) -> Response:
    shown = product_view(_product_or_404(container, sku))
    current = {"name": shown["name"], "category": shown["category"], "price": shown["price"] or "",
               "currency": shown["currency"] or "", "stock_policy": shown["stock_policy"],
               "tax_class": shown["tax_class"], **{flag: "on" for flag in ("active", "returnable") if shown[flag]}}
    return settings_page(request, signed, "products", {
        "product": shown, "stock_policies": list(StockPolicy), "errors": errors or {},
        "typed": typed if typed is not None else current}, status, template="console_settings_item.html")


# -- tax rates ------------------------------------------------------------------------------------------------
TAX_FIELDS = {"country", "region", "tax_class", "rate", "valid_from"}


@router.get("/settings/tax-rates", openapi_extra=CONSOLE)
def tax_rates(request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    allowed_to(signed, "tax-rates")
    return _tax_page(request, container, signed)


@router.post("/settings/tax-rates", openapi_extra=CONSOLE)
def add_tax_rate(request: Request, container: ContainerDep, signed: CsrfChecked, form: Fields) -> Response:
    allowed_to(signed, "tax-rates")

    def add() -> None:
        body = checked(TaxRateIn, {**form, "country": form.get("country", "").upper()})
        tax.add_tax_rate(container.uow(actor=signed.actor), body.country, body.region, body.tax_class, body.rate,
                         body.valid_from)

    return settle(lambda errors, status: _tax_page(request, container, signed, errors, form, status),
                  add, "/console/settings/tax-rates?done=tax-rate", TAX_FIELDS)


@router.post("/settings/tax-rates/{rate_id}/delete", openapi_extra=CONSOLE)
def delete_tax_rate(rate_id: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    """Only a version not yet in force goes (one in force is history); unknown: the 404 page."""
    allowed_to(signed, "tax-rates")
    return settle(lambda errors, status: _tax_page(request, container, signed, errors, None, status),
                  lambda: tax.remove_tax_rate(container.uow(actor=signed.actor), rate_id),
                  "/console/settings/tax-rates?done=tax-rate-deleted", TAX_FIELDS)


def _tax_page(request: Request, container: Container, signed: SignedIn, errors: dict[str, str] | None = None,
              typed: dict[str, str] | None = None, status: int = 200) -> Response:
    found = tax.list_tax_rates(container.reader(), limit=500).items
    return settings_page(request, signed, "tax-rates", {
        "tax_rates": found, "errors": errors or {}, "typed": typed if typed is not None else {"tax_class": "standard"}},
        status)


# users, API tokens and webhooks: their own module, served by this router
from baton.entrypoints.web import console_settings_access  # noqa: E402  (it imports the helpers above)

router.routes.extend(console_settings_access.router.routes)
