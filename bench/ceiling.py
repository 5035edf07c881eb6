"""A trivial HTTP server for measuring the load generator's own ceiling.

    python -m bench.ceiling --port 8765

It answers every request with the same small JSON body over keep-alive connections, from a raw asyncio protocol on
uvloop: no framework, no routing, no database. Whatever rate the generator reaches against it is the most the
generator can push on this machine, so a reader can tell whether a slow Baton figure is Baton's or the generator's.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import cast

BODY = b'{"status":"ok"}'
RESPONSE = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


class Ping(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        # GET requests without bodies: every blank line ends one request; answer each (pipelining included).
        self.buffer += data
        count = self.buffer.count(b"\r\n\r\n")
        if count:
            self.buffer = self.buffer[self.buffer.rfind(b"\r\n\r\n") + 4:]
            self.transport.write(RESPONSE * count)


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Ping, host, port, reuse_address=True, backlog=1024)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(serve(args.host, args.port))
    except ImportError:
        asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
