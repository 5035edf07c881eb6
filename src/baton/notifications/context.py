"""What a template is rendered with: the facts of the order and its customer, and of the event that is the
moment (parcel, amount, return), formatted in the customer's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton.notifications.moments import Moment
from baton.notifications.template import language_for
from baton.shared.errors import InvalidInput
from baton.shared.money import format_money


@dataclass(frozen=True)
class OrderFacts:
    """An order as its messages need it (read with one query when the worker queues them)."""

    order_id: str
    number: str
    tracking_id: str
    customer_id: str
    email: str
    name: str | None
    phone: str | None
    currency: str
    total: int
    delivery_method: str
    pickup_location: str | None  # the store's name, for pickup orders
    language_tag: str  # the customer's preferred language (BCP 47)
    erased: bool  # the customer's personal data was erased: write to nobody


@dataclass(frozen=True)
class Parcel:
    carrier: str
    tracking_number: str | None


def locale_for(tag: str) -> str:
    """The customer's own tag when CLDR knows it and it is a language we write in (de-CH formats as the Swiss
    read), else the template language itself."""
    language = language_for(tag)
    candidate = tag.replace("-", "_")
    if candidate.split("_")[0].lower() == language:
        try:
            format_money(0, "EUR", candidate)
            return candidate
        except InvalidInput:
            pass
    return language


def context(order: OrderFacts, payload: dict[str, Any], parcel: Parcel | None, moment: Moment,
            shop_name: str, public_url: str) -> dict[str, Any]:
    locale = locale_for(order.language_tag)
    amount = payload.get("amount")
    currency = str(payload.get("currency") or order.currency)
    returns = moment is Moment.RETURN_RECEIVED  # return events carry the return's number as `number`
    return {
        "shop_name": shop_name,
        "customer_name": order.name or "",
        "order_number": order.number,
        "order_total": format_money(order.total, order.currency, locale),
        "tracking_url": f"{public_url}/track/{order.tracking_id}",
        "portal_url": f"{public_url}/portal",
        "preferences_url": f"{public_url}/portal/preferences",
        "carrier": parcel.carrier if parcel else str(payload.get("carrier") or ""),
        "tracking_number": (parcel.tracking_number if parcel else payload.get("tracking_number")) or "",
        "reason": str(payload.get("reason") or ""),
        "amount": format_money(int(amount), currency, locale) if isinstance(amount, int) else "",
        "pickup_location": order.pickup_location or "",
        "return_number": str(payload.get("number") or "") if returns else "",
    }


def sample(language: str, public_url: str, shop_name: str) -> dict[str, Any]:
    """A made-up order every template is checked against before it is saved, and previewed with."""
    order = OrderFacts("ord_sample", "BT-100042", "trk_sample", "cus_sample", "jane@example.com", "Jane Doe",
                       "+4915112345678", "EUR", 123456, "ship", "Store Hamburg", language, False)
    payload = {"amount": 1999, "currency": "EUR", "number": "RMA-1001", "reason": "address not found"}
    values = context(order, payload, Parcel("DHL", "00340434161094042557"), Moment.RETURN_RECEIVED, shop_name,
                     public_url)
    return values
