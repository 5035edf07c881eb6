"""A real webhook receiver for the worker tests: a threaded HTTP server on loopback that verifies every signature,
tracks which event ids are in flight at once, and can hold one request open until the test lets it go."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from baton.events import signing


class Receiver:
    def __init__(self, secret: str = "", *, hold_request: int | None = None, hold_until_concurrent: bool = False):
        """`hold_request`: the n-th request (1-based) waits, unanswered, until `release` is set.
        `hold_until_concurrent`: the first request waits until a second one is in flight (or 30 s pass)."""
        self.secret = secret
        self.hold_request = hold_request
        self.hold_until_concurrent = hold_until_concurrent
        self.held_id: str | None = None
        self.holding = threading.Event()  # set once the held request is in the handler
        self.release = threading.Event()
        self.concurrent = threading.Event()
        self.arrivals: Counter[str] = Counter()  # event id → requests
        self.bad_signatures: list[str] = []
        self.in_flight: Counter[str] = Counter()
        self.overlaps: list[str] = []  # ids that arrived while the same id was in flight
        self.max_in_flight = 0
        self.requests = 0
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.handle(self)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.concurrent.set()
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers["Content-Length"]))
        event_id = request.headers["Baton-Event-Id"]
        valid = signing.verify(self.secret, request.headers.get("Baton-Signature", ""),
                               request.headers.get("Baton-Timestamp", ""), body, now=int(time.time()))
        with self.changed:
            self.requests += 1
            number = self.requests
            if self.in_flight[event_id]:
                self.overlaps.append(event_id)
            self.in_flight[event_id] += 1
            self.max_in_flight = max(self.max_in_flight, sum(self.in_flight.values()))
            if sum(self.in_flight.values()) >= 2:
                self.concurrent.set()
        try:
            if number == self.hold_request:
                self.held_id = event_id
                self.holding.set()
                self.release.wait(timeout=60)
                return  # never answered: the worker that sent it is dead by now
            if number == 1 and self.hold_until_concurrent:
                self.concurrent.wait(timeout=30)
            request.send_response(200 if valid else 401)
            request.send_header("Content-Length", "2")
            request.end_headers()
            request.wfile.write(b"ok")
        finally:
            with self.changed:
                self.in_flight[event_id] -= 1
                if valid:
                    self.arrivals[event_id] += 1
                else:
                    self.bad_signatures.append(event_id)
                self.changed.notify_all()

    def wait_for(self, ids: set[str], timeout: float = 120) -> bool:
        """True once every id arrived (answered or held), False when `timeout` passed first."""
        with self.changed:
            return self.changed.wait_for(lambda: ids <= set(self.arrivals), timeout=timeout)
