"""SMS through a provider's HTTP API: POST {"to", "text", "reference"} as JSON to BATON_SMS_URL with
`Authorization: Bearer BATON_SMS_TOKEN` and the message id as Idempotency-Key (a retry after a lost answer is
not a second text where the provider honours it). 2xx is sent; 4xx but 408/429 is refused for good."""

from __future__ import annotations

import httpx

from baton.notifications.message import Outcome

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
EXCERPT = 300
_RETRYABLE = frozenset({408, 425, 429})


class HttpSmsSender:
    sandbox = False

    def __init__(self, url: str, token: str | None, client: httpx.Client | None = None):
        self.url, self.token = url, token
        self.client = client

    def send(self, message_id: str, to: str, text: str) -> Outcome:
        headers = {"Idempotency-Key": message_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = {"to": to, "text": text, "reference": message_id}
        try:
            if self.client is not None:
                response = self.client.post(self.url, json=body, headers=headers)
            else:
                with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
                    response = client.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as failed:
            return Outcome(False, f"{type(failed).__name__}: {failed}"[:EXCERPT])
        if 200 <= response.status_code < 300:
            return Outcome(True)
        code = response.status_code
        return Outcome(False, f"HTTP {code} {response.text}"[:EXCERPT].strip(),
                       permanent=400 <= code < 500 and code not in _RETRYABLE)
