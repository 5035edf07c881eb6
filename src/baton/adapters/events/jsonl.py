"""The event stream as a JSON-lines file: one envelope per line, appended; `baton events tail` follows it."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from baton.events import catalogue

POLL_SECONDS = 0.5  # how often a follower looks for new lines


class JsonLinesSink:
    def __init__(self, path: Path):
        self.path = path

    def publish(self, messages: list[dict[str, Any]]) -> None:
        """Appended and synced to disk before the worker forgets them (a crash between the two repeats them)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as handle:
            handle.write(b"".join(catalogue.body(m) + b"\n" for m in messages))
            handle.flush()
            os.fsync(handle.fileno())

    def close(self) -> None:
        pass


def follow(path: Path, *, from_start: bool, keep_following: bool,
           stop: threading.Event | None = None) -> Iterator[dict[str, Any]]:
    """The events in the file: from its start or from its end now, then (`keep_following`) those appended later,
    until `stop` is set. A line still being written is read once it is complete."""
    stop = stop or threading.Event()
    while not path.exists():
        if not keep_following or stop.wait(POLL_SECONDS):
            return
    with path.open("rb") as handle:
        if not from_start:
            handle.seek(0, os.SEEK_END)
        partial = b""
        while not stop.is_set():
            chunk = handle.readline()
            if chunk:
                partial += chunk
                if partial.endswith(b"\n"):
                    line, partial = partial, b""
                    if line.strip():
                        yield json.loads(line)
                continue
            if not keep_following:
                return
            stop.wait(POLL_SECONDS)
