"""Use cases of returns: request, approve or reject, receive, inspect, close. Each locks the order, then the
return, changes both, explains the step on the order's timeline, records a domain event and the audit log, and
commits once. The refund lives in `returns.refunds`."""

from __future__ import annotations

from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.inventory.model import MovementKind
from baton.orders.model import Order
from baton.payments import flows
from baton.payments.services import Gateways
from baton.returns import eligibility
from baton.returns.commands import RequestReturn
from baton.returns.exchanges import ExchangeStatus
from baton.returns.model import Return, ReturnMethod, ReturnStatus
from baton.shared.actor import Actor
from baton.shared.errors import Conflict, Forbidden, InvalidInput, NotFound


def request_return(uow: UnitOfWork, cmd: RequestReturn) -> Return:
    """Open a return for delivered units; their order lines count them as return_requested."""
    actor = uow.actor.label
    with uow:
        order = uow.orders.get(cmd.order_id, lock=True)
        if order is None:
            raise NotFound(f"No order with id {cmd.order_id}.", code="order_not_found")
        before = order.audit_view()
        _check_location(uow, cmd)
        products = uow.products.get_many(line.sku for line in order.lines)
        policy = uow.return_policies.get(str(order.channel))
        number = f"RMA-{order.number.removeprefix('BT-')}-{uow.returns.count_of_order(order.id) + 1}"
        rma = eligibility.open_return(order, cmd, products, policy, number, actor,
                                      flows.refunded_by_lines(uow, order.id))
        uow.returns.add(rma)
        uow.created_id = rma.id
        uow.audit.record("return.request", "return", rma.id, None, view(rma))
        uow.audit.record("order.return", "order", order.id, before, order.audit_view())
        uow.commit()
        return rma


def approve(uow: UnitOfWork, return_id: str) -> Return:
    def step(order: Order, rma: Return, actor: str) -> None:
        rma.move(ReturnStatus.APPROVED)
        how = ("send them back" if rma.method == ReturnMethod.SHIP_BACK
               else f"drop them off at {rma.location}")
        order.tell(actor, "return_approved", f"Return {rma.number} approved: the customer may {how} "
                   f"({rma.units} unit(s)).", return_id=rma.id)
        order.announce("return.approved", return_id=rma.id, number=rma.number)

    return _step(uow, return_id, "return.approve", step)


def reject(uow: UnitOfWork, return_id: str, reason: str) -> Return:
    def step(order: Order, rma: Return, actor: str) -> None:
        back = rma.reject(reason)
        _give_back(order, back)
        order.tell(actor, "return_rejected", f"Return {rma.number} rejected: {rma.reject_reason}. "
                   f"{_units_back(order, back)}", return_id=rma.id)
        order.announce("return.rejected", return_id=rma.id, number=rma.number, reason=rma.reject_reason)
        from baton.returns import exchange_services  # late: exchanges open returns through this module

        exchange_services.on_rejected(uow, order, rma)  # its exchange ends: the replacement is cancelled

    return _step(uow, return_id, "return.reject", step)


def close(uow: UnitOfWork, return_id: str) -> Return:
    def step(order: Order, rma: Return, actor: str) -> None:
        exchanged = rma.status == ReturnStatus.EXCHANGED  # the replacement order was what came back for them
        _check_no_open_exchange(uow, rma)
        back = rma.close()
        _give_back(order, back)
        unpaid = 0 if exchanged else sum(line.inspected - line.refunded for line in rma.lines)
        outside = f" {unpaid} inspected unit(s) were not refunded in Baton." if unpaid else ""
        order.tell(actor, "return_closed", f"Return {rma.number} closed.{outside} {_units_back(order, back)}",
                   return_id=rma.id)
        order.announce("return.closed", return_id=rma.id, number=rma.number)

    return _step(uow, return_id, "return.close", step)


def receive(uow: UnitOfWork, return_id: str, counts: dict[str, int], location: str | None, who: Actor,
            gateways: Gateways | None = None) -> Return:
    """Units arrived at a location (some now, more later): they move from return_requested to returned.
    `gateways`: to charge a dearer exchange's replacement placed now (default: the gateways needing no settings)."""
    def step(order: Order, rma: Return, actor: str) -> None:
        where = location or rma.location
        if where is None:
            raise InvalidInput("location", "say at which location the units arrived.")
        if uow.locations.get(where) is None:
            raise InvalidInput("location", f"no location '{where}'.", code="unknown_location")
        if not who.reaches(where):
            raise Forbidden(f"You receive returns only at {', '.join(sorted(who.locations))}; not at {where}.",
                            code="location_not_allowed")
        rma.receive(counts, where)
        for line_id, units in counts.items():
            line = order.line(rma.line(line_id).order_line_id)
            line.return_requested -= units
            line.returned += units
        what = ", ".join(f"{units} \u00d7 {rma.line(line_id).sku}" for line_id, units in counts.items())
        left = sum(line.outstanding for line in rma.lines)
        order.tell(actor, "return_received", f"Return {rma.number}: received {what} at {where}"
                   + (f"; {left} more unit(s) expected." if left else "; every unit has arrived."),
                   return_id=rma.id)
        order.announce("return.received", return_id=rma.id, number=rma.number, location=where,
                       lines=_named(rma, counts))
        from baton.returns import exchange_services  # late: exchanges open returns through this module

        exchange_services.on_received(uow, order, rma, gateways)  # a waiting exchange places its replacement

    return _step(uow, return_id, "return.receive", step, who=who)


def inspect(uow: UnitOfWork, return_id: str, verdicts: dict[str, tuple[int, int]], who: Actor) -> Return:
    """Each received unit is resellable (back to the receiving location's stock, through the inventory ledger) or
    damaged (written off on its order line)."""
    def step(order: Order, rma: Return, actor: str) -> None:
        rma.inspect(verdicts)
        assert rma.location is not None, "only received units are inspected"
        keys = [(rma.location, rma.line(line_id).sku) for line_id, (good, _bad) in verdicts.items() if good]
        levels = uow.stock.lock(keys)
        told = []
        for line_id, (good, bad) in verdicts.items():
            line = rma.line(line_id)
            if good:
                uow.stock.record(levels[(rma.location, line.sku)].adjust(
                    good, reason=f"return {rma.number}: resellable", actor=actor, kind=MovementKind.RESTOCK,
                    reference=rma.number))
                told.append(f"{good} \u00d7 {line.sku} resellable, back in stock at {rma.location}")
            if bad:
                order.line(line.order_line_id).written_off += bad
                told.append(f"{bad} \u00d7 {line.sku} damaged, written off")
        order.tell(actor, "return_inspected", f"Return {rma.number} inspected: {'; '.join(told)}.",
                   return_id=rma.id)
        order.announce("return.inspected", return_id=rma.id, number=rma.number, lines=[
            {"sku": rma.line(i).sku, "resellable": good, "damaged": bad} for i, (good, bad) in verdicts.items()])

    return _step(uow, return_id, "return.inspect", step, who=who)


# -- shared steps --------------------------------------------------------------------------------------------
def _step(uow: UnitOfWork, return_id: str, action: str, step: Any, who: Actor | None = None) -> Return:
    with uow:
        order, rma = locked(uow, return_id, who)
        before, order_before = view(rma), order.audit_view()
        step(order, rma, uow.actor.label)
        order.touch()
        uow.returns.save(rma)
        uow.audit.record(action, "return", rma.id, before, view(rma))
        uow.audit.record("order.return", "order", order.id, order_before, order.audit_view())
        uow.commit()
        return rma


def locked(uow: UnitOfWork, return_id: str, who: Actor | None = None) -> tuple[Order, Return]:
    """The return and its order, both locked (order first, as every order change locks). A return received at a
    location the actor does not work for is answered like one that does not exist."""
    found = uow.returns.get(return_id)
    if found is None or (who is not None and found.location is not None and not who.reaches(found.location)):
        raise NotFound(f"No return with id {return_id}.", code="return_not_found")
    order = uow.orders.get(found.order_id, lock=True)
    rma = uow.returns.get(return_id, lock=True)
    assert order is not None and rma is not None, "a return never outlives its order"
    return order, rma


def _check_location(uow: UnitOfWork, cmd: RequestReturn) -> None:
    if cmd.method == ReturnMethod.DROP_OFF:
        if not cmd.location:
            raise InvalidInput("location", "a drop-off names the store where the customer brings the units.")
        store = uow.locations.get(cmd.location)
        if store is None or not store.active or not store.pickup:
            raise InvalidInput("location", f"'{cmd.location}' is not a store that takes drop-offs.",
                               code="unknown_location")
    elif cmd.location:
        raise InvalidInput("location", "only a drop-off names a location; a parcel sent back is received where it "
                           "arrives.")


def _check_no_open_exchange(uow: UnitOfWork, rma: Return) -> None:
    """A return whose exchange is still open ends with it: completed (the return is exchanged), or rejected (the
    exchange is cancelled). Closed on its own, the replacement would go out for units that never count."""
    exchange = uow.exchanges.of_return(rma.id)
    if exchange is not None and exchange.status in (ExchangeStatus.WAITING, ExchangeStatus.PLACED):
        raise Conflict(f"Return {rma.number} is part of exchange {exchange.id}, which is {exchange.status}: complete "
                       "the exchange once its units are inspected, or reject the return to cancel the exchange.",
                       code="return_in_open_exchange", extra={"exchange_id": exchange.id})


def _give_back(order: Order, back: dict[str, int]) -> None:
    for line_id, units in back.items():
        order.line(line_id).return_requested -= units


def _units_back(order: Order, back: dict[str, int]) -> str:
    if not back:
        return "Every unit of it was received."
    what = ", ".join(f"{units} \u00d7 {order.line(line_id).sku}" for line_id, units in back.items())
    return f"Units never received go back to the order as delivered: {what}."


def _named(rma: Return, counts: dict[str, int]) -> list[dict[str, Any]]:
    return [{"line_id": rma.line(i).order_line_id, "sku": rma.line(i).sku, "quantity": q} for i, q in counts.items()]


def view(rma: Return) -> dict[str, Any]:
    """What the audit log compares before and after a step of a return."""
    return {"number": rma.number, "status": str(rma.status), "refund_amount": rma.refund_amount,
            "location": rma.location, **{f"lines.{line.sku}.{line.id}": {
                "quantity": line.quantity, "received": line.received, "resellable": line.resellable,
                "damaged": line.damaged, "refunded": line.refunded} for line in rma.lines}}
