"""One HTTP attempt at a delivery: POST the signed envelope, measure, keep an excerpt of the answer."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from baton.events import signing
from baton.events.destinations import Destination
from baton.events.webhooks import EXCERPT

TIMEOUT = httpx.Timeout(10.0, connect=5.0)  # short: a slow receiver must not stall the worker


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(client: httpx.Client, to: Destination, secret: str, event_id: str, timestamp: int, body: bytes) -> Outcome:
    started = time.monotonic()
    headers = {**signing.headers(secret, event_id, timestamp, body), **to.headers}
    try:
        response = client.post(to.url, content=body, headers=headers, extensions=to.extensions)
    except httpx.HTTPError as failure:
        return Outcome(None, _ms(started), None, f"{type(failure).__name__}: {failure}"[:EXCERPT])
    refused = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Outcome(response.status_code, _ms(started), response.text[:EXCERPT], refused)


def refused(reason: str) -> Outcome:
    """Not sent: the destination is not allowed (or cannot be resolved) now."""
    return Outcome(None, 0, None, f"not sent: {reason}"[:EXCERPT])


def client() -> httpx.Client:
    """Redirects are not followed: a webhook URL is exact, and a redirect could lead the signed body elsewhere."""
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
