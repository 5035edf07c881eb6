"""A lean HTTP/1.1 keep-alive client for the load generator: one connection, one request at a time.

A general-purpose client (aiohttp) cost the generator ~200 µs of CPU per request, capping it near 4,500 requests/s
on one core; this one costs about 30 µs, much of it in the socket calls. The request is bytes built ahead: the fixed
headers (Host, Authorization) once per server, the bodies before the clock starts. Responses are parsed by httptools
(llhttp, the parser uvicorn uses), keeping the status, the body (Content-Length, chunked, or up to the close) and the
one header the generator reads. A request without a complete answer raises an OSError (ConnectionError,
TimeoutError, BadResponse) and leaves the connection closed; the next request opens a new one.
"""

from __future__ import annotations

import asyncio
from typing import NamedTuple, cast
from urllib.parse import urlsplit

from httptools import HttpParserError, HttpResponseParser

JSON = b"Content-Type: application/json\r\n"


class Response(NamedTuple):
    status: int
    body: bytes
    replayed: bool  # Idempotent-Replayed: true


class ServerDisconnectedError(ConnectionError):
    """The server closed the connection before the answer was complete (named as aiohttp named it)."""


class BadResponse(ConnectionError):
    """The answer is not HTTP/1.1 that llhttp accepts."""


class Requests:
    """Request bytes for one server, fixed headers encoded once."""

    def __init__(self, base_url: str, token: str = ""):
        url = urlsplit(base_url)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"only http://host:port is supported, not {base_url!r}")
        self.host, self.port = url.hostname, url.port or 80
        self.fixed = f"Host: {url.netloc}\r\n".encode() + (f"Authorization: Bearer {token}\r\n".encode() if token
                                                            else b"")

    def get(self, path: str) -> bytes:
        return b"GET %s HTTP/1.1\r\n%s\r\n" % (path.encode(), self.fixed)

    def post(self, path: str, body: bytes = b"", headers: bytes = b"") -> bytes:
        """A POST, JSON when it has a body; `headers` are whole lines, each ending in CRLF."""
        content = JSON + b"Content-Length: %d\r\n" % len(body) if body else b"Content-Length: 0\r\n"
        return b"POST %s HTTP/1.1\r\n%s%s%s\r\n%s" % (path.encode(), self.fixed, content, headers, body)


def request_line(wire: bytes) -> str:
    """'GET /path' of request bytes, for messages."""
    return " ".join(wire.split(b"\r\n", 1)[0].decode(errors="replace").split(" ")[:2])


class Connection:
    """One keep-alive connection to host:port, reopened after a failure; `timeout` bounds the connect and each
    answer."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.protocol: _Protocol | None = None

    async def open(self) -> _Protocol:
        protocol = self.protocol
        if protocol is None or not protocol.open:
            loop = asyncio.get_running_loop()
            async with asyncio.timeout(self.timeout):
                _, protocol = await loop.create_connection(lambda: _Protocol(loop, self.timeout), self.host, self.port)
            self.protocol = protocol
        return protocol

    async def request(self, wire: bytes) -> Response:
        protocol = self.protocol
        if protocol is None or not protocol.open:  # checked inline: awaiting open() each time costs a coroutine
            protocol = await self.open()
        try:
            return await protocol.send(wire)
        except asyncio.CancelledError:
            protocol.close()  # its answer would come to nobody and put the connection out of step
            raise

    def close(self) -> None:
        if self.protocol is not None:
            self.protocol.close()
            self.protocol = None


class _Protocol(asyncio.Protocol):
    """One socket: sends a request, parses its answer, resolves the waiting future."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float):
        self.loop, self.timeout = loop, timeout
        self.parser = HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.open = False
        self.waiter: asyncio.Future[Response] | None = None
        self.deadline = 0.0
        self.timer: asyncio.TimerHandle | None = None
        self._reset()

    def _reset(self) -> None:
        self.status = 0  # set once the headers are complete
        self.body: list[bytes] = []
        self.replayed = False
        self.framed = False  # Content-Length or Transfer-Encoding seen: the close does not end the body
        self.keep_alive = True

    def send(self, wire: bytes) -> asyncio.Future[Response]:
        assert self.transport is not None and self.waiter is None, "one request at a time"
        self.waiter = waiter = self.loop.create_future()
        self.deadline = self.loop.time() + self.timeout
        if self.timer is None:
            self.timer = self.loop.call_at(self.deadline, self._check_deadline)
        self.transport.write(wire)
        return waiter

    def _check_deadline(self) -> None:
        # One timer per connection, moved on lazily: cheaper than arming and cancelling one per request.
        self.timer = None
        if self.waiter is None or not self.open:
            return
        if self.loop.time() >= self.deadline:
            self._fail(TimeoutError(f"no complete answer within {self.timeout:g} s"))
        else:
            self.timer = self.loop.call_at(self.deadline, self._check_deadline)

    def close(self) -> None:
        self.open = False
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.transport is not None:
            self.transport.close()

    def _fail(self, exc: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self.close()

    # -- asyncio.Protocol ------------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's
        self.open = True

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except HttpParserError as exc:
            self._fail(BadResponse(f"{type(exc).__name__}: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and self.status and not self.framed:
            self.on_message_complete()  # an answer without length ends where the connection does
        if exc is None or not isinstance(exc, OSError):
            exc = ServerDisconnectedError("the server closed the connection" + (f": {exc}" if exc else ""))
        self._fail(exc)

    # -- httptools callbacks -------------------------------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"idempotent-replayed":
            self.replayed = value == b"true"
        elif name in (b"content-length", b"transfer-encoding"):
            self.framed = True

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(Response(self.status, b"".join(self.body), self.replayed))
        if not self.keep_alive:
            self.close()
        self._reset()

