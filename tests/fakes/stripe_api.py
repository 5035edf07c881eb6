"""A local fake of the slice of Stripe's HTTP API that Baton's stripe adapter uses.

It speaks Stripe's wire format — form-encoded requests in bracket notation, JSON objects and `{"error": …}`
envelopes with Stripe's HTTP statuses, `Idempotency-Key` replay — so the adapter is exercised through the official
`stripe` package, on 127.0.0.1 only. It is the provider, not Baton: its state lives in memory. Test payment methods
mirror Stripe's documented ones; `fail_next` injects an outage ("error") or a lost answer ("hang").
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_KEY = "sk_test_baton_fake"

# Stripe's test PaymentMethods → (code, decline_code, message) of the card error they cause; None approves.
TEST_CARDS: dict[str, tuple[str, str, str] | None] = {
    "pm_card_visa": None,
    "pm_card_mastercard": None,
    "pm_card_visa_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_visa_chargeDeclinedInsufficientFunds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", "expired_card", "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    "pm_card_authenticationRequired": (
        "authentication_required",
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    ),
}

# Stripe requires the last digit of three-decimal amounts to be 0, and ISK (two-decimal in its API) whole krónur.
_AMOUNT_STEP = {"bhd": 10, "jod": 10, "kwd": 10, "omr": 10, "tnd": 10, "isk": 100}
_CANCELABLE = {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}


class StripeFailure(Exception):
    def __init__(self, status: int, error_type: str, message: str, **fields: Any):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": error_type, "message": message, **fields}}


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's bracket notation (`a[b][0]=x`) back into nested dicts and lists; values stay strings."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        *parents, leaf = key.replace("]", "").split("[")
        node = root
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    items = {key: _listify(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def _missing(kind: str, object_id: str, param: str) -> StripeFailure:
    return StripeFailure(400, "invalid_request_error", f"No such {kind}: '{object_id}'", code="resource_missing",
                         param=param)


class FakeStripe:
    def __init__(self, *, multicapture: bool = True):
        self.multicapture = multicapture  # whether the account has multicapture (IC+ pricing)
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.replayed = 0  # answers served from the idempotency store
        self.api_versions: set[str] = set()  # Stripe-Version headers seen
        self.hung = threading.Event()  # set once a "hang" request has been carried out
        self._release = threading.Event()
        self._faults: list[str] = []
        self._saved: dict[str, tuple[str, dict[str, Any], int, dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = _Server(self)
        # A short poll keeps shutdown quick; it is the server loop's, the tests never wait on it.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    # -- lifecycle and switches for tests -------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeStripe:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def fail_next(self, fault: str) -> None:
        """Trouble for the next POST (the requests that move money):
        "error": a 500 that changes nothing (an outage in front of Stripe);
        "hang": carried out and saved, but its answer is held until `release()` (a lost reply, a timeout)."""
        assert fault in ("error", "hang")
        self._faults.append(fault)

    def release(self) -> None:
        self._release.set()

    def storefront_intent(self, amount: int, currency: str, *, payment_method: str = "pm_card_visa") -> str:
        """A PaymentIntent confirmed with manual capture by a storefront, as Baton receives it."""
        params = {"amount": str(amount), "currency": currency, "payment_method": payment_method,
                  "capture_method": "manual", "confirm": "true"}
        with self._lock:
            intent_id: str = self._create_intent(params)["id"]
        return intent_id

    # -- HTTP ------------------------------------------------------------------------------------------------

    def dispatch(self, method: str, path: str, headers: Any, params: dict[str, Any]) -> tuple[int, dict, bool]:
        """(status, body, replayed). Holds a "hang" answer after the work is done and saved, like a lost reply."""
        if headers.get("Authorization") != f"Bearer {API_KEY}":
            return 401, StripeFailure(401, "invalid_request_error", "Invalid API Key provided.").body, False
        with self._lock:
            self.api_versions.add(headers.get("Stripe-Version", ""))
            fault = self._faults.pop(0) if self._faults and method == "POST" else None
            if fault == "error":
                return 500, StripeFailure(500, "api_error", "An unknown error occurred.").body, False
            status, body, replayed = self._idempotent(method, path, headers.get("Idempotency-Key"), params)
        if fault == "hang":
            self.hung.set()
            self._release.wait(timeout=30)
        return status, body, replayed

    def _idempotent(self, method: str, path: str, key: str | None, params: dict[str, Any]) -> tuple[int, dict, bool]:
        route = f"{method} {path}"
        if method != "POST" or not key:
            return *self._route(method, path, params), False
        if key in self._saved:
            saved_route, saved_params, status, body = self._saved[key]
            if (saved_route, saved_params) != (route, params):
                message = f"Keys for idempotent requests can only be used with the same parameters ({key})."
                return 400, StripeFailure(400, "idempotency_error", message).body, False
            self.replayed += 1
            return status, copy.deepcopy(body), True
        status, body = self._route(method, path, params)
        self._saved[key] = (route, params, status, copy.deepcopy(body))  # every executed result, failures too
        return status, body, False

    def _route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            match method, path.strip("/").split("/"):
                case "POST", ["v1", "payment_intents"]:
                    return 200, self._create_intent(params)
                case "GET", ["v1", "payment_intents", intent_id]:
                    return 200, self._view(self._intent(intent_id), params)
                case "POST", ["v1", "payment_intents", intent_id, "capture"]:
                    return 200, self._capture(self._intent(intent_id), params)
                case "POST", ["v1", "payment_intents", intent_id, "cancel"]:
                    return 200, self._cancel(self._intent(intent_id), params)
                case "POST", ["v1", "refunds"]:
                    return 200, self._refund(params)
            raise StripeFailure(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")
        except StripeFailure as failure:
            return failure.status, failure.body

    # -- payment intents -------------------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):010d}"

    def _intent(self, intent_id: str) -> dict[str, Any]:
        if intent_id not in self.intents:
            raise _missing("payment_intent", intent_id, "intent")
        return self.intents[intent_id]

    def _view(self, intent: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        view = copy.deepcopy(intent)
        if "latest_charge" in params.get("expand", []) and intent["latest_charge"]:
            view["latest_charge"] = copy.deepcopy(self.charges[intent["latest_charge"]])
        return view

    @staticmethod
    def _amount(params: dict[str, Any], name: str, currency: str) -> int:
        raw = params.get(name, "")
        if not raw.isdigit() or int(raw) < 1:
            raise StripeFailure(400, "invalid_request_error", "Invalid positive integer", param=name)
        step = _AMOUNT_STEP.get(currency, 1)
        if int(raw) % step:
            raise StripeFailure(400, "invalid_request_error", f"{currency.upper()} amounts must be multiples of "
                                f"{step} in Stripe's API.", param=name)
        return int(raw)

    def _create_intent(self, params: dict[str, Any]) -> dict[str, Any]:
        currency = params.get("currency", "")
        if not currency.islower() or len(currency) != 3:
            raise StripeFailure(400, "invalid_request_error", f"Invalid currency: {currency}", param="currency")
        amount = self._amount(params, "amount", currency)
        payment_method = params.get("payment_method")
        if payment_method is not None and payment_method not in TEST_CARDS:
            raise _missing("PaymentMethod", payment_method, "payment_method")
        intent_id = self._new_id("pi")
        intent = {
            "id": intent_id, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_received": 0, "currency": currency, "status": "requires_payment_method",
            "capture_method": params.get("capture_method", "automatic_async"), "confirmation_method": "automatic",
            "client_secret": f"{intent_id}_secret_fake", "created": 1_700_000_000, "livemode": False,
            "latest_charge": None, "last_payment_error": None, "next_action": None, "payment_method": payment_method,
            "payment_method_types": ["card"], "automatic_payment_methods": params.get("automatic_payment_methods"),
            "payment_method_options": params.get("payment_method_options", {}), "canceled_at": None,
            "cancellation_reason": None, "metadata": params.get("metadata", {}),
        }
        self.intents[intent_id] = intent
        if payment_method is not None:
            intent["status"] = "requires_confirmation"
        if params.get("confirm") == "true":
            self._confirm(intent, params)
        return self._view(intent, params)

    def _confirm(self, intent: dict[str, Any], params: dict[str, Any]) -> None:
        decline = TEST_CARDS[intent["payment_method"]]
        if decline and decline[0] == "authentication_required" and params.get("error_on_requires_action") != "true":
            intent["status"] = "requires_action"
            intent["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {}}
            return
        charge = self._charge(intent, failed=decline is not None)
        intent["latest_charge"] = charge["id"]
        if decline:
            code, decline_code, message = decline
            fields = {"code": code, "decline_code": decline_code, "charge": charge["id"],
                      "payment_method": {"id": intent["payment_method"]}}
            intent["last_payment_error"] = {"type": "card_error", "message": message, **fields}
            raise StripeFailure(402, "card_error", message, **fields, payment_intent=self._view(intent, {}))
        if intent["capture_method"] == "manual":
            intent["status"], intent["amount_capturable"] = "requires_capture", intent["amount"]
        else:
            charge["captured"], charge["amount_captured"] = True, intent["amount"]
            intent["status"], intent["amount_received"] = "succeeded", intent["amount"]

    def _charge(self, intent: dict[str, Any], *, failed: bool) -> dict[str, Any]:
        requested = intent["payment_method_options"].get("card", {}).get("request_multicapture") == "if_available"
        multicapture = "available" if requested and self.multicapture and not failed else "unavailable"
        charge = {
            "id": self._new_id("ch"), "object": "charge", "amount": intent["amount"], "amount_captured": 0,
            "amount_refunded": 0, "captured": False, "refunded": False, "currency": intent["currency"],
            "paid": not failed, "status": "failed" if failed else "succeeded", "payment_intent": intent["id"],
            "payment_method": intent["payment_method"],
            "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": "4242",
                                                                "multicapture": {"status": multicapture}}},
        }
        self.charges[charge["id"]] = charge
        return charge

    @staticmethod
    def _unexpected_state(intent: dict[str, Any], action: str, allowed: str) -> StripeFailure:
        message = (f"This PaymentIntent could not be {action} because it has a status of {intent['status']}. "
                   f"Only a PaymentIntent with one of the following statuses may be {action}: {allowed}.")
        return StripeFailure(400, "invalid_request_error", message, code="payment_intent_unexpected_state")

    def _capture(self, intent: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if intent["status"] != "requires_capture":
            raise self._unexpected_state(intent, "captured", "requires_capture")
        charge = self.charges[intent["latest_charge"]]
        amount = intent["amount_capturable"]
        if "amount_to_capture" in params:
            amount = self._amount(params, "amount_to_capture", intent["currency"])
        if amount > intent["amount_capturable"]:
            raise StripeFailure(400, "invalid_request_error", "The amount to capture must be less than or equal to "
                                "the amount_capturable.", code="amount_too_large", param="amount_to_capture")
        final = params.get("final_capture", "true") != "false"
        if not final and charge["payment_method_details"]["card"]["multicapture"]["status"] != "available":
            raise StripeFailure(400, "invalid_request_error", "final_capture=false needs multicapture, which is "
                                "not available for this PaymentIntent.", param="final_capture")
        charge["captured"], charge["amount_captured"] = True, charge["amount_captured"] + amount
        intent["amount_received"] += amount
        # A final capture releases what is left of the hold; with multicapture the rest stays capturable.
        intent["amount_capturable"] = 0 if final else intent["amount_capturable"] - amount
        if intent["amount_capturable"] == 0:
            intent["status"] = "succeeded"
        return self._view(intent, params)

    def _cancel(self, intent: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        if intent["status"] not in _CANCELABLE:
            raise self._unexpected_state(intent, "canceled", ", ".join(sorted(_CANCELABLE)))
        intent["status"], intent["amount_capturable"] = "canceled", 0
        intent["canceled_at"], intent["cancellation_reason"] = 1_700_000_100, params.get("cancellation_reason")
        return self._view(intent, params)

    def _refund(self, params: dict[str, Any]) -> dict[str, Any]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            raise _missing("payment_intent", params.get("payment_intent", ""), "payment_intent")
        charge = self.charges.get(intent["latest_charge"] or "")
        if charge is None or not charge["captured"]:
            raise StripeFailure(400, "invalid_request_error", "This PaymentIntent has no captured charge to refund.",
                                param="payment_intent")
        left = charge["amount_captured"] - charge["amount_refunded"]
        if left == 0:
            raise StripeFailure(400, "invalid_request_error", f"Charge {charge['id']} has already been refunded.",
                                code="charge_already_refunded")
        amount = self._amount(params, "amount", intent["currency"]) if "amount" in params else left
        if amount > left:
            raise StripeFailure(400, "invalid_request_error", f"Refund amount ({amount}) is greater than unrefunded "
                                f"amount on charge ({left})", code="amount_too_large", param="amount")
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
        refund = {"id": self._new_id("re"), "object": "refund", "amount": amount, "charge": charge["id"],
                  "currency": intent["currency"], "payment_intent": intent["id"], "status": "succeeded",
                  "reason": params.get("reason"), "created": 1_700_000_200, "metadata": params.get("metadata", {})}
        self.refunds[refund["id"]] = refund
        return copy.deepcopy(refund)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeStripe):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode() if method == "POST" else ""
        params = decode_form(body if method == "POST" else url.query)
        status, payload, replayed = self.server.fake.dispatch(method, url.path, self.headers, params)
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_fake{id(payload)}")
            if replayed:
                self.send_header("Idempotent-Replayed", "true")
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client stopped waiting, as after a timeout

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass
