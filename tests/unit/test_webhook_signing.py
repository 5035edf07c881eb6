"""Webhook signatures, the envelope and the retry schedule, without a database."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from baton.events import catalogue, signing
from baton.events.webhooks import (
    DISABLE_AFTER,
    RETRY_WINDOW,
    DeliveryStatus,
    after_failure,
    backoff,
    checked_types,
    checked_url,
    should_disable,
)
from baton.payments import flows
from baton.shared.errors import InvalidInput

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_in_hex() -> None:
    body = b'{"id":"evt_1"}'
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signing.signature("whsec_x", 1700000000, body) == f"v1={expected}"


def test_a_receiver_accepts_a_fresh_signed_body_and_rejects_tampering_other_secrets_and_old_timestamps() -> None:
    body = catalogue.body({"id": "evt_1", "data": {"total": 1999}})
    headers = signing.headers("whsec_x", "evt_1", 1700000000, body)
    assert headers["Baton-Event-Id"] == "evt_1"
    sig, ts = headers["Baton-Signature"], headers["Baton-Timestamp"]
    assert signing.verify("whsec_x", sig, ts, body, now=1700000010)
    assert not signing.verify("whsec_x", sig, ts, body.replace(b"1999", b"2999"), now=1700000010)
    assert not signing.verify("whsec_other", sig, ts, body, now=1700000010)
    assert not signing.verify("whsec_x", sig, ts, body, now=1700000000 + signing.TOLERANCE_SECONDS + 1)
    assert not signing.verify("whsec_x", sig, "not-a-number", body, now=1700000010)


def test_the_envelope_names_the_event_its_version_and_its_place_in_the_order() -> None:
    message = catalogue.envelope("evt_1", "order.placed", 1, "ord_1", 3, T0, {"total": 1999})
    assert json.loads(catalogue.body(message)) == {
        "id": "evt_1", "type": "order.placed", "version": 1, "order_id": "ord_1", "sequence": 3,
        "occurred_at": "2026-03-01T12:00:00Z", "data": {"total": 1999}}


def test_back_off_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert backoff(30) == timedelta(hours=1)


def test_a_delivery_is_retried_within_the_window_and_dead_lettered_after_it() -> None:
    assert after_failure(1, T0, T0).next_attempt_at == T0 + timedelta(seconds=30)
    within = after_failure(5, T0, T0 + RETRY_WINDOW - timedelta(seconds=1))
    assert within.status is DeliveryStatus.PENDING
    assert after_failure(40, T0, T0 + RETRY_WINDOW).status is DeliveryStatus.DEAD


def test_a_subscription_is_disabled_only_after_failing_for_three_days() -> None:
    assert not should_disable(None, T0)
    assert not should_disable(T0, T0 + DISABLE_AFTER - timedelta(minutes=1))
    assert should_disable(T0, T0 + DISABLE_AFTER)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "example.com/hooks", "https://user:pw@example.com/",
                                 "http:///nohost"])
def test_a_webhook_url_must_be_plain_http_or_https(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_url(url)
    assert refused.value.field == "url"


def test_event_types_must_come_from_the_catalogue_and_star_means_all() -> None:
    assert checked_types(["order.placed", "*"]) == ("*",)
    assert checked_types(["order.placed", "order.placed"]) == ("order.placed",)
    with pytest.raises(InvalidInput) as refused:
        checked_types(["order.plaecd"])
    assert refused.value.field == "event_types"
    with pytest.raises(InvalidInput):
        checked_types([])


SRC = Path(__file__).resolve().parents[2] / "src" / "baton"
DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def emitted_types() -> set[str]:
    """Every event type the code announces: literal names, and the few built from a kind (expanded here)."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        for call in re.finditer(r"(?:announce|DomainEvent)\(\s*(f?)\"([^\"]+)\"(?:\s+if [^)]*? else \"([^\"]+)\")?",
                                text):
            names = [call.group(2)] + ([call.group(3)] if call.group(3) else [])
            for name in names:
                if call.group(1) and "{" in name:
                    found |= _expanded(name)
                else:
                    found.add(name)
    return found | set(flows.EVENT_OF_TRANSACTION.values())  # announced by a payment transaction's kind


def _expanded(template: str) -> set[str]:
    if template == "{document.kind}.issued":
        return {"invoice.issued", "credit_memo.issued"}
    raise AssertionError(f"an event type built at run time that this test does not know: {template}")


def test_every_event_type_the_code_emits_is_in_the_catalogue_and_its_document() -> None:
    emitted = emitted_types()
    assert {"order.placed", "shipment.shipped", "customer.erased", "order.lines_cancelled"} <= emitted
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", DOC.read_text(), flags=re.MULTILINE))
    assert emitted - documented == set()
    assert emitted == catalogue.EVENT_TYPES  # subscriptions accept exactly what can arrive
