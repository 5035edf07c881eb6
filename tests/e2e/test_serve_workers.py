"""`baton serve --workers N`: every worker has its own socket, and a worker that dies is replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import httpx
import pytest

from baton.adapters.db.migrate import upgrade
from tests.e2e.server import BatonServer

pytestmark = pytest.mark.xdist_group("server")


def workers_of(pid: int) -> set[int]:
    """Child processes running a worker (multiprocessing's resource tracker is a child too, but not one)."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    result = set()
    for child in (int(line) for line in found.split()):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as handle:
                command = handle.read()
        except OSError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command:
            result.add(child)
    return result


def test_a_killed_worker_is_replaced_and_the_service_keeps_answering(tmp_path):
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    upgrade(url)
    with BatonServer(url, workers=2) as server:
        assert server.process is not None
        workers = workers_of(server.process.pid)
        assert len(workers) == 2
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        replaced = False
        while time.monotonic() < deadline and not replaced:  # bounded polling for the supervisor's restart
            now = workers_of(server.process.pid)
            replaced = victim not in now and len(now) == 2
            time.sleep(0.1)
        assert replaced, f"worker {victim} was not replaced: {workers_of(server.process.pid)}"
        for _ in range(20):
            assert httpx.get(f"{server.base_url}/healthz", timeout=5).status_code == 200
