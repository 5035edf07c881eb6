"""Several `baton serve` workers, each with its own SO_REUSEPORT listening socket.

uvicorn's own --workers share one listening socket, and whichever worker wakes first takes each new
connection; long-lived keep-alive connections then pin most of the load to one process (seen in bench/: one
worker at 100 % CPU, the other idle). With one socket per worker the Linux kernel spreads new connections
evenly across them."""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from multiprocessing.connection import wait
from types import FrameType
from typing import Any

import uvicorn

APP = "baton.entrypoints.http.app:create_app"


def supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def run(host: str, port: int, workers: int) -> None:
    """Start the workers and keep them running: a worker that dies is replaced; SIGINT/SIGTERM stop all."""
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> Any:
        process = context.Process(target=_worker, args=(host, port), name="baton-worker")
        process.start()
        return process

    processes = [start() for _ in range(workers)]

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.is_alive():
                process.terminate()  # uvicorn finishes in-flight requests on SIGTERM

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while processes:
        for sentinel in wait([p.sentinel for p in processes]):
            dead = next(p for p in processes if p.sentinel == sentinel)
            processes.remove(dead)
            if not stopping:
                print(f"worker {dead.pid} exited with {dead.exitcode}; starting another", file=sys.stderr)
                processes.append(start())


def _worker(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    config = uvicorn.Config(APP, factory=True, log_level="info", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
