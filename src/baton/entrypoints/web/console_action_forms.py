"""The console's order forms read into commands: an edit, an exchange and an order placed on a customer's behalf.
Each mistake is an InvalidInput (or FormErrors) naming the page's field; the services check the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError

from baton.entrypoints.web import order_forms as forms
from baton.orders.commands import LineRequest, PlaceOrder
from baton.orders.edit_commands import EditOrder, LineQuantity
from baton.orders.model import DeliveryMethod, Order
from baton.payments.services import PaymentRequest
from baton.returns.exchange_services import OpenExchange, SwapRequest
from baton.returns.exchanges import Reserve
from baton.shared.errors import InvalidInput
from baton.shared.ids import new_id

ADDRESS = "address-"  # prefix of the address fields
NEW_LINES = 5  # empty rows on the new-order form
PAYMENTS = {"": "No payment now (the customer pays later)", "manual": "Invoice, bank transfer or cash on delivery",
            "sandbox": "Card token (sandbox)", "stripe": "Card (Stripe payment method)"}
_EMAIL = TypeAdapter(EmailStr)
_COMPARED = ("name", "line1", "line2", "postal_code", "city", "region", "country")


def edit_command(order: Order, form: Mapping[str, str], rows: list[forms.Row], actor: str,
                 preview: bool) -> tuple[EditOrder, list[int]]:
    """The edit the form asks for: changed quantities (with their form rows), a new line, the address or the
    delivery method; nothing changed is an error on the form."""
    changed, sent = [], []
    for row, (line_id, quantity, _unused) in enumerate(rows):
        units = forms.whole(quantity, f"lines-{row}-quantity")
        line = next((line for line in order.lines if line.id == line_id), None)
        if line is not None and units != line.kept:
            changed.append(LineQuantity(line_id, units))
            sent.append(row)
    added = []
    if form.get("add-sku", "").strip():
        added.append(LineRequest(form["add-sku"].strip(), forms.whole(form.get("add-quantity", "1"), "add-quantity",
                                                                      1)))
    method = forms.choice(form.get("delivery_method", ""), "delivery_method", {str(m) for m in DeliveryMethod})
    address = pickup = None
    if method == DeliveryMethod.SHIP:
        typed = forms.address_from(form, ADDRESS)
        old = order.shipping_address or {}
        address = typed if any(typed.get(k) != old.get(k) for k in _COMPARED) else None
    else:
        pickup = forms.text(form.get("pickup_location", ""), "pickup_location", 32)
        pickup = None if pickup == order.pickup_location else pickup
    new_method = method if method != order.delivery_method else None
    if not (changed or added or address or pickup or new_method):
        raise InvalidInput("form", "Nothing was changed: set a new quantity, add an item, or change the delivery.")
    cmd = EditOrder(order.id, forms.whole(form.get("version", ""), "version", 1, 10**9),
                    forms.text(form.get("reason", ""), "reason"), actor, changed, added, address, new_method, pickup,
                    preview)
    return cmd, sent


def exchange_command(order_id: str, form: Any) -> tuple[OpenExchange, list[int]]:
    """Swaps of the rows with a quantity (line, units, replacement SKU, reason), and the form rows they came from."""
    swaps, sent = [], []
    rows = zip(form.getlist("line_id"), form.getlist("quantity"), form.getlist("sku"), form.getlist("reason"),
               strict=False)
    for row, (line_id, quantity, sku, reason) in enumerate(rows):
        units = forms.whole(str(quantity), f"lines-{row}-quantity")
        if units:
            swaps.append(SwapRequest(str(line_id), units, forms.text(str(sku), f"lines-{row}-sku", 64),
                                     forms.text(str(reason), f"lines-{row}-reason", 200)))
            sent.append(row)
    if not swaps:
        raise InvalidInput("form", "Choose how many of an item to exchange.")
    plain = {key: str(value) for key, value in form.items()}
    method, store = forms.return_method(plain)
    reserve = forms.choice(plain.get("reserve", "now"), "reserve", {str(r) for r in Reserve})
    tracking = forms.text(plain.get("tracking_number", ""), "tracking_number", 120, required=False)
    return OpenExchange(order_id, swaps, method, Reserve(reserve), store, tracking or None), sent


def place_command(form: Mapping[str, str], rows: list[forms.Row], actor: str) -> tuple[PlaceOrder, list[int]]:
    """An order of channel `phone` by the agent `actor`: customer, items (with their form rows), delivery, payment."""
    errors: dict[str, str] = {}
    email = form.get("email", "").strip()
    try:
        email = str(_EMAIL.validate_python(email))
    except ValidationError:
        errors["email"] = "is not an email address." if email else "is required."
    currency = form.get("currency", "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = "use the three-letter currency code, e.g. EUR."
    method = form.get("delivery_method", "ship")
    address = None
    if method == DeliveryMethod.SHIP:
        try:
            address = forms.address_from(form, ADDRESS)
        except forms.FormErrors as bad:
            errors.update(bad.errors)
    if errors:
        raise forms.FormErrors(errors)
    lines, sent = [], []
    for row, (sku, quantity, _unused) in enumerate(rows):
        if sku.strip():
            lines.append(LineRequest(sku.strip(), forms.whole(quantity, f"lines-{row}-quantity", 1)))
            sent.append(row)
    if not lines:
        raise InvalidInput("lines-0-sku", "add at least one item.")
    pay = forms.choice(form.get("payment_method", ""), "payment_method", set(PAYMENTS))
    token = forms.text(form.get("payment_token", ""), "payment_token", 255, required=bool(pay))
    cmd = PlaceOrder(
        channel="phone", currency=currency, email=email, lines=lines,
        name=forms.text(form.get("name", ""), "name", 200, required=False) or None,
        phone=forms.text(form.get("phone", ""), "phone", 40, required=False) or None,
        shipping_address=address, delivery_method=str(forms.choice(method, "delivery_method",
                                                                   {str(m) for m in DeliveryMethod})),
        pickup_location=form.get("pickup_location", "").strip() or None if method == DeliveryMethod.PICKUP else None,
        shipping=form.get("shipping", "").strip() or "0", actor=actor, order_id=new_id("ord"),
        payments=[PaymentRequest(pay, None, token)] if pay else [])
    return cmd, sent


def field_of(error: InvalidInput, sent: list[int]) -> str:
    """The page's field of a service's error: `lines[i].x` by form row, the address by its prefix."""
    field = error.field or "form"
    if field.startswith("shipping_address"):
        rest = field.partition(".")[2]
        return ADDRESS + (rest or "line1")
    if field.startswith("add_lines["):
        return "add-" + (field.partition(".")[2] or "sku")
    if field.startswith("payment"):
        return "payment_method" if field.endswith("method") else "payment_token"
    return forms.indexed(error, sent)
