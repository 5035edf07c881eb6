"""The return's state machine and counts, and the channel policy's window and deductions, without a database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from baton.returns.model import RefundTo, Return, ReturnLine, ReturnMethod, ReturnStatus
from baton.returns.policy import ReturnPolicy
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput


def a_return(quantity: int = 3) -> Return:
    return Return("ord_1", "RMA-1-1", "EUR", ReturnMethod.SHIP_BACK, RefundTo.ORIGINAL_PAYMENT,
                  [ReturnLine("line_1", "A", quantity, "too small")], "agent")


def test_units_are_received_in_parts_and_inspected_once_all_received_units_are_judged() -> None:
    rma = a_return()
    rma.move(ReturnStatus.APPROVED)
    rma.receive({"line_1": 2}, "WH-BER")
    rma.inspect({"line_1": (1, 0)})
    assert rma.status == ReturnStatus.RECEIVED  # one received unit is still to be judged
    rma.inspect({"line_1": (0, 1)})
    assert rma.status == ReturnStatus.INSPECTED
    rma.receive({"line_1": 1}, "WH-BER")
    assert (rma.status, rma.lines[0].outstanding, rma.lines[0].uninspected) == (ReturnStatus.RECEIVED, 0, 1)


def test_more_units_than_expected_or_another_location_are_refused_and_change_nothing() -> None:
    rma = a_return(2)
    rma.move(ReturnStatus.APPROVED)
    with pytest.raises(Conflict, match="2 unit\\(s\\) of A still expected; 3 given"):
        rma.receive({"line_1": 3}, "WH-BER")
    rma.receive({"line_1": 1}, "WH-BER")
    with pytest.raises(Conflict, match="received at WH-BER"):
        rma.receive({"line_1": 1}, "WH-MUC")
    with pytest.raises(Conflict, match="1 unit\\(s\\) of A received and not inspected; 2 given"):
        rma.inspect({"line_1": (1, 1)})
    assert (rma.lines[0].received, rma.lines[0].inspected, rma.location) == (1, 0, "WH-BER")


def test_a_wrong_step_names_the_state_and_what_it_allows() -> None:
    rma = a_return()
    with pytest.raises(Conflict) as refused:
        rma.receive({"line_1": 1}, "WH-BER")
    assert refused.value.detail == ("Return RMA-1-1 is requested; it cannot be received now. "
                                    "A requested return can be: approved, rejected.")
    assert rma.status == ReturnStatus.REQUESTED and rma.lines[0].received == 0


def test_rejecting_or_closing_gives_back_the_units_never_received() -> None:
    rejected = a_return()
    with pytest.raises(InvalidInput):
        rejected.reject("  ")
    assert rejected.reject("worn") == {"line_1": 3}
    closed = a_return()
    closed.move(ReturnStatus.APPROVED)
    closed.receive({"line_1": 1}, "WH-BER")
    closed.inspect({"line_1": (1, 0)})
    closed.refund(1000, 0)
    assert closed.close() == {"line_1": 2}


def test_a_refused_refund_puts_the_return_back_as_it_was() -> None:
    rma = a_return(1)
    rma.move(ReturnStatus.APPROVED)
    rma.receive({"line_1": 1}, "WH-BER")
    rma.inspect({"line_1": (1, 0)})
    units = rma.refund(3000, 0)
    rma.refund_refused(units, 3000)
    assert (rma.status, rma.refund_amount, rma.lines[0].refunded) == (ReturnStatus.INSPECTED, 0, 0)


def test_the_policy_window_and_deductions() -> None:
    policy = ReturnPolicy("web", 14, 10, {"EUR": 450})
    delivered = utcnow() - timedelta(days=15)
    with pytest.raises(Conflict, match="14 day\\(s\\) after delivery"):
        policy.check_window(delivered, "BT-1")
    policy.check_window(delivered, "BT-1", now=delivered + timedelta(days=14))
    assert policy.deductions(3000, "EUR", ReturnMethod.SHIP_BACK) == (300, 450)
    assert policy.deductions(3000, "EUR", ReturnMethod.DROP_OFF) == (300, 0)
    assert policy.deductions(3000, "USD", ReturnMethod.SHIP_BACK) == (300, 0)
    assert policy.deductions(400, "EUR", ReturnMethod.SHIP_BACK) == (40, 360)  # never more than the value
    with pytest.raises(InvalidInput, match="restocking_fee_percent"):
        ReturnPolicy("web", restocking_fee_percent=101)
