"""A real `baton serve` process for tests: started on a free port, ready when /healthz answers, always stopped.

    with BatonServer(database_url, workers=2) as server:
        httpx.get(f"{server.base_url}/healthz")

Its output goes to a file (never a pipe that could fill up and block the server); `server.output()` returns it
so a failing test can show the server's side of the story.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx
from bench.processes import baton_command, free_port, reap

from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.identity.services import create_token

READY_WITHIN = 30.0  # seconds a cold start (imports, migrations check, workers) may take
READY_WAIT = 0.1  # between two polls of /healthz


class ServerFailed(RuntimeError):
    pass


class BatonServer:
    def __init__(self, database_url: str, *, workers: int = 1, env: dict[str, str] | None = None,
                 command: list[str] | None = None, ready_within: float = READY_WITHIN):
        """`command`: another `baton` command that serves, e.g. ["demo", "--orders", "20"] (host and port are
        added); default `serve --workers N`."""
        self.database_url = database_url
        self.workers = workers
        self.command = command or ["serve", "--workers", str(workers)]
        self.ready_within = ready_within
        self.extra_env = env or {}
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="baton-serve-", suffix=".log", delete=False)  # noqa: SIM115
        self.log_path = Path(self._log.name)
        self.events_path = self.log_path.with_suffix(".events.jsonl")  # the event stream, unless env names one

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, role: str = "admin", name: str = "e2e") -> str:
        """A bearer token for this server's database, made as `baton tokens create` makes it."""
        container = bootstrap(Settings(database_url=self.database_url))
        try:
            _token, secret = create_token(container.uow(), role, name)
        finally:
            container.engine.dispose()
        return secret

    def start(self, attempts: int = 3) -> BatonServer:
        """Start on a free port; a port taken between choosing and binding it means another try."""
        for _ in range(attempts):
            self.port = free_port()
            self._spawn()
            if self._wait_until_ready():
                return self
            self._reap()
            if "address already in use" not in self.output().lower():
                break
        output = self.output()
        self.stop()
        raise ServerFailed(f"`baton serve` did not become ready on {self.base_url}.\n--- server output ---\n{output}")

    def _spawn(self) -> None:
        env = {**os.environ, "BATON_DATABASE_URL": self.database_url, "PYTHONUNBUFFERED": "1",
               "BATON_EVENTS_FILE": str(self.events_path), **self.extra_env}
        command = [*baton_command(), *self.command, "--host", "127.0.0.1", "--port", str(self.port)]
        self._log.write(f"$ {' '.join(command)}\n".encode())
        self._log.flush()
        # A session of its own: the workers can be stopped with the manager even if it dies first.
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_until_ready(self) -> bool:
        """Poll /healthz until `ready_within` has passed; False as soon as the process has exited."""
        assert self.process is not None
        deadline = time.monotonic() + self.ready_within
        with httpx.Client(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False
                try:
                    if client.get("/healthz").status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=READY_WAIT)  # returns early if the server dies meanwhile
        return False

    def stop(self) -> None:
        self._reap()
        self._log.close()
        self.log_path.unlink(missing_ok=True)
        self.events_path.unlink(missing_ok=True)

    def _reap(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            reap(process, grace=15)

    def output(self, since: int = 0) -> str:
        if self._log.closed:
            return ""
        self._log.flush()
        with self.log_path.open("rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")

    def mark(self) -> int:
        """Where the output ends now: `output(since=mark)` is what the server wrote after this moment."""
        self._log.flush()
        return self.log_path.stat().st_size

    def errors(self) -> list[str]:
        """Lines of the server output that report an unhandled error (a traceback means a bug)."""
        return [line for line in self.output().splitlines()
                if "Traceback" in line or "ERROR" in line or "unhandled error" in line]

    def __enter__(self) -> BatonServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
