"""The event stream on NATS JetStream (nats-py): subject `baton.events.<type>` in the stream BATON_EVENTS, each
message with `Nats-Msg-Id: <event id>` so JetStream drops a repeat within its duplicate window.

nats-py is asyncio; the worker is not, so the sink runs its own event loop on a background thread."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from baton.events import catalogue

STREAM = "BATON_EVENTS"
PREFIX = "baton.events"  # subjects: baton.events.order.placed, baton.events.inventory.low_stock, ...
TIMEOUT = 10.0  # seconds for a connection or an acknowledgement
T = TypeVar("T")


async def connect(url: str) -> Client:
    return await nats.connect(url, connect_timeout=TIMEOUT, max_reconnect_attempts=3, allow_reconnect=True)


async def ensure_stream(js: JetStreamContext, stream: str, prefix: str) -> None:
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(name=stream, subjects=[f"{prefix}.>"])


class NatsSink:
    def __init__(self, url: str, *, stream: str = STREAM, prefix: str = PREFIX):
        self.url, self.stream, self.prefix = url, stream, prefix
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="baton-nats", daemon=True)
        self._thread.start()

    def publish(self, messages: list[dict[str, Any]]) -> None:
        self._run(self._publish(messages))

    def close(self) -> None:
        if self._client is not None:
            self._run(self._disconnect())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=TIMEOUT)
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=TIMEOUT * 3)

    async def _publish(self, messages: list[dict[str, Any]]) -> None:
        try:
            js = await self._jetstream()
            for m in messages:  # one at a time, each acknowledged: the stream keeps them in this order
                await js.publish(f"{self.prefix}.{m['type']}", catalogue.body(m), timeout=TIMEOUT,
                                 headers={"Nats-Msg-Id": m["id"]})
        except Exception:
            await self._disconnect()  # start afresh on the next batch
            raise

    async def _jetstream(self) -> JetStreamContext:
        if self._js is None:
            self._client = await connect(self.url)
            self._js = self._client.jetstream()
            await ensure_stream(self._js, self.stream, self.prefix)
        return self._js

    async def _disconnect(self) -> None:
        client, self._client, self._js = self._client, None, None
        if client is not None and not client.is_closed:
            await client.close()


async def tail(url: str, emit: Callable[[dict[str, Any]], None], *, from_start: bool, keep_following: bool,
               stream: str = STREAM, prefix: str = PREFIX) -> None:
    """Hand each event on the stream to `emit`: from the first one kept or from now, then (`keep_following`) as
    they come. Without `keep_following` it stops at the last event stored when it started."""
    client = await connect(url)
    try:
        js = client.jetstream()
        await ensure_stream(js, stream, prefix)
        last = (await js.stream_info(stream)).state.last_seq
        if not keep_following and (not from_start or last == 0):
            return
        policy = DeliverPolicy.ALL if from_start else DeliverPolicy.NEW
        subscription = await js.subscribe(f"{prefix}.>", stream=stream, ordered_consumer=True, deliver_policy=policy)
        while True:
            try:
                msg = await subscription.next_msg(timeout=1.0)
            except TimeoutError:
                continue
            emit(json.loads(msg.data))
            if not keep_following and msg.metadata.sequence.stream >= last:
                return
    finally:
        await client.close()
