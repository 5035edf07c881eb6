"""The sweep of stuck transactions: a transaction stays pending when the process died between deciding it and
recording the gateway's answer, or when the gateway did not answer. The sweep finds the orders with a
transaction pending for longer than a while and settles each (flows.settle_pending: the same idempotency keys,
so the gateway answers what it did the first time and no money moves twice; an authorisation that timed out is
looked up).

Safe with several sweepers at once (`baton payments settle-pending` by hand, `baton worker` on several
machines): each order is claimed before it is settled (queries.claim_order), a claimed order is skipped by the
others, and after the claim the order is read again, so an order another sweeper just settled is left alone.

`baton worker` calls `sweep` periodically:

    sweep(lambda: container.uow(actor=SYSTEM), container.reader, container.gateway, older_than=300)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from baton.adapters.db.uow import UnitOfWork
from baton.payments import flows, queries
from baton.payments.model import Payment, PaymentTransaction, TransactionStatus
from baton.payments.services import Gateways
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput

DEFAULT_AGE = 300  # seconds: a gateway call that has not come back after five minutes will not come back
DEFAULT_LIMIT = 100  # orders per sweep; the next sweep takes the rest


@dataclass(frozen=True)
class Settled:
    """One order the sweep settled: what became of each of its transactions that was pending (and of those the
    settlement decided, such as the release of the rest once a capture went through)."""

    order_id: str
    number: str
    outcomes: list[str]  # sentences, e.g. "The capture of EUR 35.00 (sandbox) went through."
    still_pending: int  # transactions the gateway has still not answered: the next sweep asks again


def sweep(uows: flows.UnitsOfWork, reader: Callable[[], UnitOfWork], gateways: Gateways, *,
          older_than: int = DEFAULT_AGE, limit: int = DEFAULT_LIMIT) -> list[Settled]:
    """Settle the orders with a transaction pending for more than `older_than` seconds (at most `limit`
    orders, the longest waiting first). `uows` makes the units of work the settlements write in (their actor
    is named on the timeline); `reader` makes read-only ones. Orders another sweeper holds are skipped."""
    if older_than < 0:
        raise InvalidInput("older_than", "must be zero or more seconds.")
    if limit < 1:
        raise InvalidInput("limit", "must be at least 1.")
    cutoff = utcnow() - timedelta(seconds=older_than)
    with reader() as uow:
        order_ids = queries.stuck_orders(uow.session.connection(), cutoff, limit)
    settled = (_settle_one(uows, reader, gateways, order_id, cutoff) for order_id in order_ids)
    return [one for one in settled if one is not None]


def _settle_one(uows: flows.UnitsOfWork, reader: Callable[[], UnitOfWork], gateways: Gateways, order_id: str,
                cutoff: datetime) -> Settled | None:
    with reader() as claim:  # the claim lasts as long as this transaction
        if not queries.claim_order(claim.session.connection(), order_id):
            return None  # another sweeper is settling it
        before = claim.payments.of_order(order_id)
        stuck = {tx.id for p in before for tx in p.transactions
                 if tx.status == TransactionStatus.PENDING and tx.created_at < cutoff}
        if not stuck:
            return None  # settled since we listed it
        known = {tx.id for p in before for tx in p.transactions}
        flows.settle_pending(uows, gateways, order_id)
        with reader() as uow:  # a fresh read: SQLite's claim transaction still sees what was before
            payments = uow.payments.of_order(order_id)
            order = uow.orders.get(order_id)
            number = order.number if order else order_id
    told = [(p, tx) for p in payments for tx in p.transactions if tx.id in stuck or tx.id not in known]
    return Settled(order_id, number, [_describe(p, tx) for p, tx in told],
                   sum(tx.status == TransactionStatus.PENDING for _p, tx in told))


def _describe(payment: Payment, tx: PaymentTransaction) -> str:
    what = f"The {flows.VERBS[tx.kind]} of {payment.money(tx.amount)} ({payment.method})"
    if tx.status == TransactionStatus.SUCCEEDED:
        return f"{what} went through."
    if tx.status == TransactionStatus.FAILED:
        return f"{what} failed: {(tx.failure_message or tx.failure_code or 'no reason given').rstrip('.')}."
    return f"{what} is still waiting for the gateway's answer; the next sweep asks again."
