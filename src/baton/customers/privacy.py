"""Privacy requests: export everything Baton holds about a customer, and erase a customer.

Erasure pseudonymises instead of deleting: the customer row and every order keep their ids, lines, amounts,
changes and shipments, and the stock ledger is never touched, so the books still balance. What could name the
person goes: email, name and phone become a pseudonym or nothing, addresses shrink to their country (kept for
tax and reporting), timeline sentences, event payloads and mails lose every copy of those strings. Baton never
stores card data (payments keep only gateway tokens), and the audit log never holds personal data, so neither
needs rewriting. Erasing again is harmless: it only catches what an earlier erasure could not have seen.
Invoices and credit memos are kept as issued, personal data included: the law requires keeping them (GDPR art.
17(3)(b)), and the database refuses to change them; the erased orders' timelines say so, and the export has them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.invoicing.model import Document, DocumentKind
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.messages import DomainEvent, TimelineEntry
from baton.shared.money import to_decimal_string

ERASED = "[erased]"
# Keys of event payloads that carry personal data whatever their value looks like: dropped on erasure.
PERSONAL_KEYS = frozenset({"email", "customer_email", "customer_name", "phone", "customer_phone", "address",
                           "shipping_address", "billing_address", "to_address"})
_ADDRESS_TEXT = ("name", "line1", "line2", "phone", "email")  # address parts rewritten wherever text repeats them
_MIN_NEEDLE = 3  # shorter names are not searched for in free text: they would mangle unrelated words
_MONEY_KEYS = frozenset({"total", "amount", "amount_delta", "shipping", "subtotal", "discount"})


class CustomerNotFound(NotFound):
    code = "customer_not_found"

    def __init__(self, who: str):
        super().__init__(f"No customer {who}.")


def pseudonym(customer_id: str) -> str:
    """The email an erased customer keeps: unique, recognisable, and undeliverable (.invalid is reserved)."""
    return f"erased+{customer_id}@erased.invalid"


# -- reads ------------------------------------------------------------------------------------------------------
def resolve(uow: UnitOfWork, email_or_id: str) -> str:
    """The customer id for an email address or an id (cus_…)."""
    with uow:
        value = email_or_id.strip()
        found = uow.customer_records.id_by_email(value) if "@" in value else (
            value if uow.customer_records.get(value) else None)
    if found is None:
        raise CustomerNotFound(email_or_id)
    return found


def get_customer(uow: UnitOfWork, customer_id: str) -> dict[str, Any]:
    with uow:
        return _customer(uow, customer_id)


def find_customers(uow: UnitOfWork, email: str | None, limit: int, after: str | None) -> list[dict[str, Any]]:
    with uow:
        return [_view(row, row["orders"]) for row in uow.customer_records.page(email, limit, after)]


def _customer(uow: UnitOfWork, customer_id: str, *, lock: bool = False) -> dict[str, Any]:
    row = uow.customer_records.get(customer_id, lock=lock)
    if row is None:
        raise CustomerNotFound(customer_id)
    return _view(row, uow.customer_records.count_orders(customer_id))


def _view(row: dict[str, Any], orders: int) -> dict[str, Any]:
    return {"id": row["id"], "email": row["email"], "name": row["name"], "phone": row["phone"],
            "created_at": row["created_at"], "erased_at": row["erased_at"], "erased": row["erased_at"] is not None,
            "orders": orders}


# -- export -----------------------------------------------------------------------------------------------------
def export_customer(uow: UnitOfWork, customer_id: str) -> dict[str, Any]:
    """Everything Baton holds about the customer, JSON-safe: money as decimal strings, times as RFC 3339."""
    with uow:
        records = uow.customer_records
        customer = records.get(customer_id)
        if customer is None:
            raise CustomerNotFound(customer_id)
        orders = records.orders(customer_id)
        children = records.children(customer_id)
        mails = records.mails({customer["email"], *(o["customer_email"] for o in orders)})
        exported = {
            "exported_at": utcnow(),
            "customer": {k: customer[k] for k in ("id", "email", "name", "phone", "created_at", "erased_at")},
            "orders": _with_documents(_orders(orders, children), uow.invoices.of_orders(o["id"] for o in orders)),
            "mails": [{k: m[k] for k in ("id", "kind", "to_address", "subject", "body", "created_at", "sent_at")}
                      for m in mails],
            "notifications": uow.notifications.export(customer_id, [o["id"] for o in orders]),
        }
        uow.audit.record("customer.export", "customer", customer_id, None,
                         {"orders": len(orders), "mails": len(mails)})
        uow.commit()
    return _json(exported)


def _orders(orders: list[dict[str, Any]], children: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    by_order: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    fo_lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in children["fulfillment_lines"]:
        fo_lines[line["fulfillment_order_id"]].append(
            {k: line[k] for k in ("order_line_id", "sku", "quantity", "awaiting_stock", "shipped", "cancelled")})
    for name in ("order_lines", "order_changes", "order_holds", "fulfillment_orders", "shipments", "timeline",
                 "outbox", "order_notes", "returns"):
        for row in children[name]:
            by_order[row["order_id"]][name].append(row)
    return_lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in children["return_lines"]:
        return_lines[line["return_id"]].append(
            {k: line[k] for k in ("order_line_id", "sku", "quantity", "reason", "comment", "received", "resellable",
                                  "damaged", "refunded")})
    out = []
    for o in orders:
        money = _money(o["currency"])
        rows = by_order[o["id"]]
        out.append({
            **{k: o[k] for k in ("id", "number", "tracking_id", "channel", "status", "fulfillment_status",
                                 "currency", "delivery_method", "pickup_location", "placed_at", "updated_at",
                                 "version")},
            "customer": {"email": o["customer_email"], "name": o["customer_name"], "phone": o["customer_phone"]},
            "shipping_address": o["shipping_address"], "billing_address": o["billing_address"],
            "shipping": money(o["shipping"]), "total": money(o["total"]),
            "discounts": [{"code": d["code"], "amount": money(d["amount"])} for d in o["discounts"]],
            "lines": [{"id": ln["id"], "sku": ln["sku"], "name": ln["name"], "unit_price": money(ln["unit_price"]),
                       "quantity": ln["quantity"], "discount": money(ln["discount"]),
                       "quantities": {k: ln[k] for k in ("cancelled", "allocated", "shipped", "delivered",
                                                         "return_requested", "returned", "written_off")}}
                      for ln in rows["order_lines"]],
            "changes": [{"id": c["id"], "kind": c["kind"], "actor": c["actor"], "reason": c["reason"],
                         "lines": c["lines"], "amount_delta": money(c["amount_delta"]), "created_at": c["created_at"]}
                        for c in rows["order_changes"]],
            "holds": [{k: h[k] for k in ("id", "kind", "reasons", "placed_at", "placed_by", "released_at",
                                         "released_by", "release_note")} for h in rows["order_holds"]],
            "fulfillment_orders": [{k: fo[k] for k in ("id", "location", "status", "reject_reason", "created_at",
                                                       "updated_at")} | {"lines": fo_lines[fo["id"]]}
                                   for fo in rows["fulfillment_orders"]],
            "shipments": [{k: s[k] for k in ("id", "fulfillment_order_id", "location", "carrier", "service",
                                             "tracking_number", "status", "lines", "shipped_at", "delivered_at")}
                          for s in rows["shipments"]],
            "timeline": [{k: e[k] for k in ("id", "at", "actor", "kind", "message", "data")}
                         for e in rows["timeline"]],
            "notes": [{k: n[k] for k in ("id", "author", "text", "created_at")} for n in rows["order_notes"]],
            "returns": [{k: r[k] for k in ("id", "number", "status", "method", "refund_to", "tracking_number",
                                           "location", "reject_reason", "created_at", "updated_at")}
                        | {"refund_amount": money(r["refund_amount"]), "lines": return_lines[r["id"]]}
                        for r in rows["returns"]],
            "events": [{"id": e["id"], "type": e["type"], "occurred_at": e["occurred_at"],
                        "published_at": e["published_at"], "payload": _event_money(e["payload"], o["currency"])}
                       for e in rows["outbox"]],
        })
    return out


def _with_documents(orders: list[dict[str, Any]], documents: list[Document]) -> list[dict[str, Any]]:
    """Each order with its invoices and credit memos, as issued."""
    for order in orders:
        mine = [d for d in documents if d.order_id == order["id"]]
        order["invoices"] = [d.view() for d in mine if d.kind is DocumentKind.INVOICE]
        order["credit_memos"] = [d.view() for d in mine if d.kind is DocumentKind.CREDIT_MEMO]
    return orders


def _money(currency: str) -> Any:
    return lambda minor: to_decimal_string(int(minor), currency)


def _event_money(payload: dict[str, Any], currency: str) -> dict[str, Any]:
    """Event payloads carry minor units; the export speaks decimal strings everywhere."""
    currency = payload.get("currency", currency)
    return {k: to_decimal_string(v, currency) if k in _MONEY_KEYS and type(v) is int else v
            for k, v in payload.items()}


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


# -- erasure ----------------------------------------------------------------------------------------------------
class Scrubber:
    """Replaces every copy of a person's strings (case-insensitively) in text and in JSON values."""

    def __init__(self, replacements: dict[str, str]):
        self.replacements = {k.lower(): v for k, v in replacements.items() if k}
        needles = sorted(self.replacements, key=len, reverse=True)  # the longest first: an email before its name
        alternatives = "|".join(map(re.escape, needles))
        # whole words only: a name part must not eat into a longer word ("Park" leaves "Parked" alone)
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if needles else None

    def text(self, value: str) -> str:
        if self.pattern is None:
            return value
        return self.pattern.sub(lambda m: self.replacements.get(m.group(0).lower(), ERASED), value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def payload(self, value: Any) -> Any:
        """An event payload without personal keys (a nested customer keeps its id only), other text scrubbed."""
        if isinstance(value, dict):
            kept = {k: ({"id": v.get("id")} if k == "customer" and isinstance(v, dict) else self.payload(v))
                    for k, v in value.items() if k not in PERSONAL_KEYS}
            return kept
        if isinstance(value, list):
            return [self.payload(v) for v in value]
        return self.value(value)


def _replacements(customer: dict[str, Any], orders: list[dict[str, Any]], alias: str) -> dict[str, str]:
    found: dict[str, str] = {}

    def add(value: Any, replacement: str, minimum: int = _MIN_NEEDLE) -> None:
        if isinstance(value, str) and len(value.strip()) >= minimum and value.strip().lower() != alias:
            found.setdefault(value.strip(), replacement)

    for holder, prefix in ((customer, ""), *((o, "customer_") for o in orders)):
        add(holder[f"{prefix}email"], alias, 1)
        add(holder[f"{prefix}phone"], ERASED)
        name = holder[f"{prefix}name"]
        add(name, ERASED)
        for part in (name or "").split():  # "Jane" alone, as a care agent would write it in a reason
            add(part, ERASED)
    for o in orders:
        for address in (o["shipping_address"], o["billing_address"]):
            for part in _ADDRESS_TEXT:
                add((address or {}).get(part), alias if part == "email" else ERASED)
    return found


def _country_only(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {"country": address["country"]} if address.get("country") else {}


def _holds_personal_data(order: dict[str, Any], alias: str) -> bool:
    return (order["customer_email"] != alias or order["customer_name"] is not None
            or order["customer_phone"] is not None
            or any(a is not None and set(a) - {"country"} for a in (order["shipping_address"],
                                                                     order["billing_address"])))


def erase_customer(uow: UnitOfWork, customer_id: str, reason: str) -> dict[str, Any]:
    """Pseudonymise the customer everywhere Baton keeps them; money, lines and stock stay exactly as they were.
    Returns the customer as it now is. The customer row stays locked until the end, so an order of theirs
    placed meanwhile waits and is either erased here or placed afterwards (and then erasing again catches it)."""
    if not reason.strip():
        raise InvalidInput("reason", "say why, e.g. the request's reference.")
    with uow:
        records = uow.customer_records
        customer = records.get(customer_id, lock=True)
        if customer is None:
            raise CustomerNotFound(customer_id)
        alias = pseudonym(customer_id)
        orders = records.orders(customer_id)
        scrub = Scrubber(_replacements(customer, orders, alias))
        addresses = {customer["email"], *(o["customer_email"] for o in orders)} - {alias}

        pending = [o for o in orders if _holds_personal_data(o, alias)]
        records.update_orders([{"id": o["id"], "customer_email": alias, "customer_name": None, "customer_phone": None,
                                "shipping_address": _country_only(o["shipping_address"]),
                                "billing_address": _country_only(o["billing_address"])} for o in pending])
        children = records.children(customer_id)
        _rewrite(uow, "timeline", ("message", "data"), children["timeline"], scrub.value)
        _rewrite(uow, "order_changes", ("reason",), children["order_changes"], scrub.value)
        _rewrite(uow, "order_holds", ("reasons", "release_note"), children["order_holds"], scrub.value)
        _rewrite(uow, "fulfillment_orders", ("reject_reason",), children["fulfillment_orders"], scrub.value)
        _rewrite(uow, "outbox", ("payload",), children["outbox"], scrub.payload)
        _rewrite(uow, "order_notes", ("text",), children["order_notes"], scrub.value)
        _rewrite(uow, "returns", ("tracking_number", "reject_reason"), children["returns"], scrub.value)
        _rewrite(uow, "return_lines", ("reason", "comment"), children["return_lines"], scrub.value)
        mails = [{"id": m["id"], "to_address": alias, "subject": scrub.text(m["subject"]), "body": ERASED}
                 for m in records.mails(addresses)]
        records.update_texts("mail_outbox", ("to_address", "subject", "body"), mails)
        uow.notifications.erase([o["id"] for o in orders], alias, ERASED)  # customer messages, unsent ones dropped
        records.forget_rate_limits(addresses)

        was_erased = customer["erased_at"] is not None
        personal = (customer["email"], customer["name"], customer["phone"]) != (alias, None, None)
        if personal or not was_erased:
            records.pseudonymise(customer_id, alias, customer["erased_at"] or utcnow())
        if pending or not was_erased:
            _announce(uow, customer_id, pending)
        # recorded even when a repeated request found nothing left to erase: every request that acts is audited
        uow.audit.record("customer.erase", "customer", customer_id, {"erased": was_erased},
                         {"erased": True, "orders": len(pending), "mails": len(mails),
                          "reason": scrub.text(reason.strip())[:500]})
        result = _customer(uow, customer_id)
        uow.commit()
    return result


def _rewrite(uow: UnitOfWork, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]],
             clean: Callable[[Any], Any]) -> None:
    changed = []
    for row in rows:
        new = {name: clean(row[name]) if row[name] is not None else None for name in columns}
        if any(new[name] != row[name] for name in columns):
            changed.append({"id": row["id"], **new})
    uow.customer_records.update_texts(table, columns, changed)


def _announce(uow: UnitOfWork, customer_id: str, orders: Iterable[dict[str, Any]]) -> None:
    """A timeline line on each order, and one event so that systems holding copies erase theirs too."""
    actor = uow.actor.label
    ids = [o["id"] for o in orders]
    documented = {d.order_id for d in uow.invoices.of_orders(ids)}
    kept = (" Its invoices and credit memos keep the name and address they were issued with: the law requires "
            "keeping them (GDPR art. 17(3)(b)).")
    uow.messages.add(
        [DomainEvent("customer.erased", None, {"customer_id": customer_id, "order_ids": ids})],
        [TimelineEntry(order_id, actor, "customer_erased", "The customer's personal data was erased on request; "
                       "lines, amounts and stock are unchanged." + (kept if order_id in documented else ""))
         for order_id in ids],
    )
