"""The three steps of every money movement against the real sandbox gateway: decide and hold (a transaction),
ask the gateway (no transaction), record the answer (a transaction) — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from baton.adapters.payments import get_gateway
from baton.bootstrap import Container
from baton.payments import services
from baton.payments.model import Payment
from baton.payments.services import PaymentRequest
from baton.payments.status import PaymentStatus
from baton.shared.errors import InvalidInput
from tests.conftest import Shop


@pytest.fixture
def order_id(shop: Shop) -> str:
    shop.product("A", price="100.00")
    shop.stock("WH-BER", "A", 5)
    return str(shop.order([("A", 1)])["id"])


def pay(container: Container, order_id: str, *requests: PaymentRequest, total: int = 10_000) -> list[Payment]:
    """Open the payments (step 1), ask the gateways (step 2), record the answers (step 3)."""
    with container.uow() as uow:
        opened = services.open_payments(uow, order_id, "EUR", total, requests)
        uow.commit()
    outcomes = services.call_gateways(get_gateway, opened)
    with container.uow() as uow:
        services.record(uow, outcomes)
        uow.commit()
    with container.reader() as uow:
        return uow.payments.of_order(order_id)


def move(container: Container, begin: object, *args: object) -> list[Payment]:
    with container.uow() as uow:
        touched = begin(uow, *args)  # type: ignore[operator]
        uow.commit()
    outcomes = services.call_gateways(get_gateway, touched)
    with container.uow() as uow:
        services.record(uow, outcomes)
        uow.commit()
    with container.reader() as uow:
        return uow.payments.of_order(str(args[0]))


def test_an_approved_card_is_authorised_and_its_token_is_not_kept(container, order_id) -> None:
    [payment] = pay(container, order_id, PaymentRequest("sandbox", token="tok_approve"))
    assert payment.status is PaymentStatus.AUTHORIZED and payment.authorized == 10_000
    assert payment.reference and "token" not in payment.details


@pytest.mark.parametrize(("token", "code"), [("tok_decline", "declined"),
                                             ("tok_insufficient_funds", "insufficient_funds")])
def test_a_declined_card_fails_with_the_providers_reason(container, order_id, token, code) -> None:
    [payment] = pay(container, order_id, PaymentRequest("sandbox", token=token))
    assert payment.status is PaymentStatus.FAILED and payment.authorized == 0
    assert payment.authorization.failure_code == code


def test_an_authorisation_that_timed_out_is_looked_up_and_recorded(container, order_id) -> None:
    [payment] = pay(container, order_id, PaymentRequest("sandbox", token="tok_timeout"))
    assert payment.status is PaymentStatus.AUTHORIZED and payment.authorized == 10_000


def test_a_gateway_that_never_answered_leaves_the_authorisation_pending(container, order_id) -> None:
    [payment] = pay(container, order_id, PaymentRequest("sandbox", token="tok_error"))
    assert payment.status is PaymentStatus.PENDING and payment.authorization.status == "pending"


def test_shipments_capture_stored_value_first_and_refunds_go_to_the_card_first(container, order_id) -> None:
    # Given 30.00 authorised elsewhere (external) and the other 70.00 on a sandbox card
    pay(container, order_id, PaymentRequest("external", amount=3_000, reference="ext_1"),
        PaymentRequest("sandbox", token="tok_approve"))
    # When two shipments capture 40.00 and 60.00
    move(container, services.begin_captures, order_id, 4_000, "shipment 1")
    payments = move(container, services.begin_captures, order_id, 6_000, "shipment 2")
    # Then everything is captured, and each payment took no more than it authorised
    assert [(p.method, p.captured) for p in payments] == [("external", 3_000), ("sandbox", 7_000)]
    assert all(p.status is PaymentStatus.CAPTURED for p in payments)
    # When 80.00 is refunded, the card gives back first
    payments = move(container, services.begin_refund, order_id, 8_000, "damaged", "rf-1")
    assert [(p.method, p.refunded) for p in payments] == [("external", 1_000), ("sandbox", 7_000)]
    # And nothing more than was captured can be refunded
    with pytest.raises(InvalidInput, match=r"only EUR 20\.00"), container.uow() as uow:
        services.begin_refund(uow, order_id, 2_001, "again", "rf-2")


def test_what_can_no_longer_be_captured_is_voided(container, order_id) -> None:
    pay(container, order_id, PaymentRequest("sandbox", token="tok_approve"))
    move(container, services.begin_captures, order_id, 4_000, "shipment 1")
    [payment] = move(container, services.begin_voids, order_id, "the rest was cancelled")
    assert (payment.captured, payment.voided, payment.uncaptured) == (4_000, True, 0)
    assert payment.status is PaymentStatus.CAPTURED
