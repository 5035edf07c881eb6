"""Reading the order forms of the portal and the console: an address checked by the API's own Address shape,
whole numbers and short texts, each mistake named by its field (the page shows it next to the field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from baton.entrypoints.http.schemas import Address
from baton.returns.commands import LineRequest, RequestReturn
from baton.returns.model import RefundTo, ReturnMethod
from baton.shared.errors import InvalidInput

ADDRESS_FIELDS = ("name", "company", "line1", "line2", "postal_code", "city", "region", "country")
_MESSAGES = {  # pydantic error types in the words a person reads next to a field
    "missing": "is required.", "string_too_short": "is required.", "string_too_long": "is too long.",
    "string_pattern_mismatch": "is not in the expected form.",
}


Row = tuple[str, str, str]  # one row of a lines table: line id, quantity, and a text (a reason, or a SKU)


class FormErrors(Exception):
    """Several fields are wrong at once: field name -> message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def address_from(form: Mapping[str, str], prefix: str = "") -> dict[str, Any]:
    """The address typed into the fields `{prefix}line1`, …; FormErrors names every wrong one (with prefix).
    The country is upper-cased; empty optional fields are left out."""
    values = {key: str(form.get(prefix + key, "")).strip() for key in ADDRESS_FIELDS if key != "company"}
    values = {key: value for key, value in values.items() if value}
    if "country" in values:
        values["country"] = values["country"].upper()
    try:
        return Address.model_validate(values).model_dump(exclude_none=True)
    except ValidationError as bad:
        errors: dict[str, str] = {}
        for error in bad.errors():
            field = str(error["loc"][0])
            message = _MESSAGES.get(error["type"], "is not valid.")
            if field == "country" and error["type"] != "missing":
                message = "use the two-letter country code, e.g. DE or US."
            errors.setdefault(prefix + field, message)
        raise FormErrors(errors) from None


def whole(value: str, field: str, low: int = 0, high: int = 100_000) -> int:
    """A whole number typed into a form, between low and high."""
    text = value.strip()
    if not text:
        return low
    try:
        number = int(text)
    except ValueError:
        raise InvalidInput(field, "is not a whole number.") from None
    if not low <= number <= high:
        raise InvalidInput(field, f"must be between {low} and {high}.")
    return number


def text(value: str, field: str, limit: int = 500, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(field, "is required.")
    if len(cleaned) > limit:
        raise InvalidInput(field, f"is longer than {limit} characters.")
    return cleaned


def indexed(error: InvalidInput, sent: list[int], prefix: str = "lines") -> str:
    """The form field of a service's `lines[i].x` error: `i` counts the lines sent, `sent[i]` their row on the
    form. Other fields keep their name."""
    field = error.field or "form"
    if field.startswith("lines[") and "]" in field:
        index, _, rest = field[len("lines["):].partition("]")
        if index.isdigit() and int(index) < len(sent):
            return f"{prefix}-{sent[int(index)]}-{rest.lstrip('.') or 'quantity'}"
    return field.replace(".", "-")


def choice(value: str, field: str, allowed: set[str]) -> str:
    if value not in allowed:
        raise InvalidInput(field, "choose one of the options.")
    return value


def rows_of(form: Any, text_field: str = "reason") -> list[Row]:
    """The rows of a lines table: repeated `line_id`, `quantity` and `text_field` fields, in order."""
    return [(str(i), str(q), str(r)) for i, q, r in zip(form.getlist("line_id"), form.getlist("quantity"),
                                                        form.getlist(text_field), strict=False)]


def return_request(order_id: str, form: Mapping[str, str], rows: list[Row]) -> tuple[RequestReturn, list[int]]:
    """A return of the rows with a quantity, and the form rows they came from (for the service's errors)."""
    lines, sent = [], []
    for row, (line_id, quantity, reason) in enumerate(rows):
        units = whole(quantity, f"lines-{row}-quantity")
        if units:
            lines.append(LineRequest(line_id, units, text(reason, f"lines-{row}-reason", 200)))
            sent.append(row)
    if not lines:
        raise InvalidInput("form", "Choose how many of an item come back.")
    method, store = return_method(form)
    refund_to = choice(form.get("refund_to", str(RefundTo.ORIGINAL_PAYMENT)), "refund_to", {str(r) for r in RefundTo})
    tracking = text(form.get("tracking_number", ""), "tracking_number", 120, required=False)
    return RequestReturn(order_id, lines, method, RefundTo(refund_to),
                         tracking or None if method == ReturnMethod.SHIP_BACK else None, store), sent


def return_method(form: Mapping[str, str]) -> tuple[ReturnMethod, str | None]:
    """How units come back, and the store of a drop-off."""
    method = ReturnMethod(choice(form.get("method", ""), "method", {str(m) for m in ReturnMethod}))
    store = form.get("location", "").strip() if method == ReturnMethod.DROP_OFF else ""
    if method == ReturnMethod.DROP_OFF and not store:
        raise InvalidInput("location", "choose the store the items are brought to.")
    return method, store or None


def typed_rows(form: Mapping[str, str], rows: list[Row], text_field: str = "reason") -> dict[str, str]:
    """What was typed, keyed like the page's fields, to show it again next to the errors."""
    typed = dict(form)
    for row, (_line, quantity, other) in enumerate(rows):
        typed[f"lines-{row}-quantity"], typed[f"lines-{row}-{text_field}"] = quantity, other
    return typed
