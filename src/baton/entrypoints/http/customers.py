"""Routes for customers: search and read them (the agent's customer record), set their language, and answer
privacy requests (export, erasure)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from baton.customers import privacy, record, search
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.customer_schemas import (
    CustomerDetail,
    CustomerExport,
    CustomerList,
    CustomerRecord,
    CustomerUpdate,
    EraseIn,
)
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.problems import guarded
from baton.identity.permissions import Action
from baton.shared import cursor as cursors
from baton.shared.actor import Actor

router = APIRouter(prefix="/api/v1", tags=["customers"])
Reader = Annotated[Actor, allow(Action.CUSTOMERS_READ)]


@router.get("/customers", response_model=CustomerList, responses=guarded(422))
def list_customers(
    container: ContainerDep,
    _actor: Reader,
    email: Annotated[str | None, Query(max_length=320, description="Exactly this address (any case).")] = None,
    q: Annotated[str | None, Query(max_length=320, description="The start of an email, of a name or of any word "
                                   "in it, of a phone number (digits count, spaces do not), or an order number; "
                                   "any case.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> dict:
    """Customers in the order they first ordered; `email` finds one, `q` searches."""
    if q is not None:
        with container.reads.connect() as conn:
            items, next_cursor = search.search(conn, q, email, limit, cursor)
        return {"items": items, "next_cursor": next_cursor}
    after = str(cursors.decode(cursor, 1)[0]) if cursor else None
    found = privacy.find_customers(container.reader(), email, limit + 1, after)
    next_cursor = cursors.encode([found[limit - 1]["id"]]) if len(found) > limit else None
    return {"items": found[:limit], "next_cursor": next_cursor}


@router.get("/customers/{customer_id}", response_model=CustomerRecord, responses=guarded(404))
def get_customer(customer_id: str, container: ContainerDep, _actor: Reader) -> dict:
    """The customer's record: recent orders, order count, lifetime value per currency, returned units, preferred
    language and the addresses they receive parcels at."""
    with container.reads.connect() as conn:
        return record.record(conn, customer_id)


@router.patch("/customers/{customer_id}", response_model=CustomerRecord, responses=guarded(404, 409, 422))
def update_customer(customer_id: str, body: CustomerUpdate, container: ContainerDep,
                    actor: Annotated[Actor, allow(Action.ORDERS_ANNOTATE)]) -> dict:
    """Set the customer's preferred language. Who may annotate orders (agents, finance, admins) may note this too:
    it is care information, like a note, and changes no order, no money and no personal data."""
    return record.set_language(container.uow(actor=actor), customer_id, body.language)


@router.get("/customers/{customer_id}/export", response_model=CustomerExport, responses=guarded(404))
def export_customer(customer_id: str, container: ContainerDep,
                    actor: Annotated[Actor, allow(Action.CUSTOMERS_EXPORT)]) -> dict:
    """Everything Baton holds about the customer (a data subject access request); the audit log records it."""
    return privacy.export_customer(container.uow(actor=actor), customer_id)


@router.post("/customers/{customer_id}/erase", response_model=CustomerDetail, responses=guarded(404, 422))
def erase_customer(customer_id: str, body: EraseIn, container: ContainerDep,
                   actor: Annotated[Actor, allow(Action.CUSTOMERS_ERASE)]) -> dict:
    """Pseudonymise the customer: email, name, phone and addresses (but their country) go from the customer, their
    orders, timelines, events and mails; orders, amounts and stock stay. Erasing again changes nothing."""
    return privacy.erase_customer(container.uow(actor=actor), customer_id, body.reason)
